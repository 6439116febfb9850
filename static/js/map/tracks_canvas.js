/* search-coord: officers' tracks on a map, drawn in canvas tiles (map/track_tiles.js: not an SVG path per piece, nor
   one big canvas redrawn at the end of pans: 50 officers x 4 h are 144,000 fixes). A live batch appends to that
   officer's lines only; each line is simplified per zoom level in pixels and only the tiles the new segments cross
   are redrawn, once per animation frame. The snapshot's tracks are simplified on the server (2 m, core/simplify.py)
   and an officer's full track is loaded on demand: zoomed in to DETAIL_ZOOM or nearer (the tracks in view first),
   or a click on the track. Position markers and their labels (work that can wait) are updated once per animation
   frame. SC.debug.tracks() tells tests what is drawn. KeptCanvas (below) serves the map's shapes (map/shapes_canvas.js). Used by map/layers.js (SearchLayers) on the console and the phones. */
import { debug } from "../lib/debug.js";
import { el } from "../lib/dom.js";
import { fmtAgo, fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { userName } from "../lib/people.js";
import { TRACK_GAP_S, isStale, tip, trackColor } from "./base.js";
import { TrackTiles } from "./track_tiles.js";

/** From this zoom in a pixel is under a metre (0.9 m at 40 deg N) and the 2 m snapshot could show: full tracks load. */
export const DETAIL_ZOOM = 17;
const HIT_PX = 8; // how near a click must be to a line to pick its track

function pane(map, name, z, inert) {
  const p = map.getPane(name) || map.createPane(name);
  p.style.zIndex = String(z);
  if (inert) p.style.pointerEvents = "none"; // clicks reach the shapes below; a track is picked by the map's click
  return p;
}

/** Leaflet's canvas renderer (L.Canvas), except that the end of a pan redraws nothing while the view is still inside
    the area the canvas was drawn for (`padding` of the view's size beyond each edge): the canvas, drawn in layer
    pixels, moves with the map pane as it is. Leaflet's own redraws every line of the canvas at every moveend (at 4 h
    of 50 officers' tracks 25 ms and more, a dropped frame at the end of every drag). It redraws as Leaflet's does
    when the view leaves that area, after a zoom (the layer pixels change), a reset of the pixel origin or a resize;
    lines added or changed meanwhile are drawn at once in the area drawn, as Leaflet's are. */
export const KeptCanvas = L.Canvas.extend({
  _update() {
    const map = this._map;
    if (this._bounds && this._keptAt && !map._animatingZoom && this._keptAt.zoom === map.getZoom()
      && this._keptAt.origin.equals(map.getPixelOrigin()) && this._keptAt.size.equals(map.getSize())) {
      const view = L.bounds(map.containerPointToLayerPoint([0, 0]), map.containerPointToLayerPoint(map.getSize()));
      if (this._bounds.contains(view)) return;
    }
    L.Canvas.prototype._update.call(this);
    if (this._bounds) this._keptAt = { zoom: map.getZoom(), origin: map.getPixelOrigin(), size: map.getSize() };
  },
});

export class TrackLayer {
  /** opts.loadDetail(uid) -> Promise (the officer's full track is in the live state when it resolves, false when
      it was not loaded) and opts.isFull(uid) -> bool: without them (the phones) the snapshot is all there is.
      opts.tracksAboveShapes (the console): the lines over the shapes and segments (overlayPane, 400); else under
      them, so the phone's own position dot (drawn in overlayPane by the field page) stays above its own line.
      The canvas covers the view and half of it again beyond each edge on the console, a quarter on the phones
      The lines are drawn in tiles (TrackTiles): a pan draws only the tiles it uncovers. */
  constructor(map, opts) {
    this.map = map;
    this.opts = opts || {};
    pane(map, "scTracks", this.opts.tracksAboveShapes ? 450 : 395, true); // above the swept fill (390), below markers
    pane(map, "scPositions", 460, false);
    this.lines = new TrackTiles({ pane: "scTracks" }).addTo(map);
    this.positions = L.featureGroup().addTo(map);
    this.trackLines = {}; // uid -> the track's pieces [{line (in TrackTiles), bounds (L.LatLngBounds)}]
    this.trackDrawn = {}; // uid -> {n, last, keys}: fixes drawn, the last one, each key's last piece
    this.positionMarkers = {}; // uid -> marker
    this.state = null;
    this.markerUids = new Set(); // markers to update at the next animation frame
    this.markerFrame = 0;
    this.detailQueue = []; // uids whose full track to load, in order
    this.detailBusy = false;
    map.on("moveend", () => this.wantDetail());
    // "preclick": the map hears it before a shape's own click (which stops the event to open the shape's popup)
    map.on("preclick", (e) => this.onClick(e));
    debug.tracks = () => this.stats();
  }

  /** Draw the tracks of `uids` (all when not given); cheap to call again. A track is drawn as pieces (the rule of
      trackPieces in map/base.js: fixes joined by their key, a null key never joined, a new piece after a silence of
      more than TRACK_GAP_S). Fixes appended since the last call are appended to that officer's lines only; a track
      whose drawn fixes changed (a retraction, a late fix sorted in, full detail, a new snapshot) is redrawn whole. */
  render(state, uids) {
    this.state = state;
    const tracks = state.tracks || {};
    const meId = user ? String(user.id) : null;
    const todo = uids ? Array.from(uids, String) : Object.keys(tracks).concat(Object.keys(this.trackLines));
    for (const uid of new Set(todo)) {
      const pts = tracks[uid];
      if (!pts || !pts.length) { this.drop(uid); continue; }
      this.drawTrack(uid, pts, uid === meId);
      this.markerUids.add(uid);
    }
    if (this.markerUids.size && !this.markerFrame) this.markerFrame = requestAnimationFrame(() => this.flushMarkers());
  }

  drop(uid) {
    this.markerUids.delete(uid);
    for (const piece of this.trackLines[uid] || []) this.lines.removeLine(piece.line);
    if (this.positionMarkers[uid]) this.positions.removeLayer(this.positionMarkers[uid]);
    delete this.trackLines[uid];
    delete this.positionMarkers[uid];
    delete this.trackDrawn[uid];
  }

  /** One officer's lines: only the fixes after the ones drawn, when those are still the list's first ones, are
      appended to its pieces (TrackTiles redraws only the tiles the new segments cross); else drawn again whole. */
  drawTrack(uid, pts, mine) {
    const was = this.trackDrawn[uid];
    const appendOnly = was && pts.length >= was.n && (was.n === 0 || pts[was.n - 1] === was.last);
    if (appendOnly && pts.length === was.n) return;
    if (!appendOnly) { // drawn again whole
      for (const piece of this.trackLines[uid] || []) this.lines.removeLine(piece.line);
      this.trackLines[uid] = [];
    }
    const pieces = this.trackLines[uid];
    const drawn = appendOnly ? was : { n: 0, last: null, keys: new Map() }; // key -> {line, bounds, ms, lls}
    const style = { color: trackColor(uid), weight: mine ? 5 : 4, opacity: 0.9 };
    const touched = new Map(); // piece -> the latlngs to append to its line
    const fresh = []; // new pieces, in order
    for (let i = drawn.n; i < pts.length; i++) {
      const p = pts[i];
      const key = p[3] === undefined ? 0 : p[3];
      if (key === null) continue; // too coarse to join anything
      const ms = Date.parse(p[2]); // once per fix
      let k = drawn.keys.get(key);
      if (!k || (ms - k.ms) > TRACK_GAP_S * 1000) {
        k = { line: null, bounds: L.latLngBounds([]), ms, lls: [] };
        drawn.keys.set(key, k);
        fresh.push(k);
      }
      k.ms = ms;
      const ll = L.latLng(p[1], p[0]);
      k.bounds.extend(ll);
      if (k.line) {
        if (!touched.has(k)) touched.set(k, []);
        touched.get(k).push(ll);
      } else k.lls.push(ll);
    }
    for (const [k, lls] of touched) this.lines.extend(k.line, lls);
    for (const k of fresh) {
      k.line = this.lines.addLine(k.lls, style);
      k.lls = null;
      pieces.push(k);
    }
    drawn.n = pts.length;
    drawn.last = pts[pts.length - 1];
    this.trackDrawn[uid] = drawn;
  }

  /** Position markers and their labels, once per animation frame for every officer whose track moved. */
  flushMarkers() {
    this.markerFrame = 0;
    const st = this.state;
    const uids = this.markerUids;
    this.markerUids = new Set();
    const t0 = performance.now();
    for (const uid of uids) {
      const pts = st && st.tracks && st.tracks[uid];
      if (!pts || !pts.length) continue;
      const last = pts[pts.length - 1];
      let marker = this.positionMarkers[uid];
      if (!marker) {
        marker = L.circleMarker([last[1], last[0]], { pane: "scPositions",
          radius: 8, color: "#fff", weight: 3, fillColor: trackColor(uid), fillOpacity: 1, className: "sc-position",
        });
        marker.bindTooltip(tip(), { permanent: true, direction: "right", offset: [10, 0], className: "sc-name-tip" });
        this.positions.addLayer(marker);
        this.positionMarkers[uid] = marker;
      } else if (marker.scFix !== last) {
        marker.setLatLng([last[1], last[0]]);
      }
      marker.scFix = last;
      marker.scLast = last[2];
      marker.scCoarse = last[3] === null; // the last fix was too coarse to count: its place is only roughly known
      marker.scName = userName(st, uid);
      marker.scColor = trackColor(uid);
      this.styleMarker(marker);
    }
    const perf = debug.perf || (debug.perf = {});
    (perf.markers || (perf.markers = [])).push(performance.now() - t0);
    if (perf.markers.length > 20000) perf.markers.splice(0, 10000);
  }

  /** A position older than STALE_S is drawn greyed, with its age. */
  styleMarker(marker) {
    const stale = isStale(marker.scLast);
    const text = `${marker.scName} · ${fmtTime(marker.scLast)}` + (stale ? ` (${fmtAgo(marker.scLast)})` : "")
      + (marker.scCoarse ? ` · ${t("track.coarse")}` : "");
    if (marker.scText !== text) { // the tooltip is only rebuilt when what it says changed
      marker.scText = text;
      marker.setTooltipContent(tip(text));
    }
    const node = marker.getElement && marker.getElement();
    if (node) node.classList.toggle("sc-coarse", !!marker.scCoarse);
    if (marker.scStale !== stale) {
      marker.scStale = stale;
      marker.setStyle(stale ? { fillColor: "#8a94a3", color: "#d0d5dc", fillOpacity: 0.75, dashArray: "3 3" }
        : { fillColor: marker.scColor, color: "#fff", fillOpacity: 1, dashArray: null });
      if (node) node.classList.toggle("sc-stale", stale);
      const tipEl = marker.getTooltip() && marker.getTooltip().getElement();
      if (tipEl) tipEl.classList.toggle("sc-stale-tip", stale);
    }
  }

  refreshStale() {
    for (const m of Object.values(this.positionMarkers)) this.styleMarker(m);
  }

  /* ---- full detail on demand ---------------------------------------------------------------------------------- */

  /** Zoomed in to DETAIL_ZOOM or nearer: queue the full track of every officer whose track is in view. */
  wantDetail() {
    if (!this.opts.loadDetail || this.map.getZoom() < DETAIL_ZOOM) return;
    const view = this.map.getBounds();
    for (const [uid, pieces] of Object.entries(this.trackLines)) {
      if (this.opts.isFull(uid) || this.detailQueue.includes(uid)) continue;
      if (pieces.some((k) => k.bounds.isValid() && view.intersects(k.bounds))) this.detailQueue.push(uid);
    }
    this.nextDetail();
  }

  /** Load `uid`'s full track now (ahead of the queue). Resolves when it is drawn. */
  loadDetail(uid, first) {
    uid = String(uid);
    if (!this.opts.loadDetail || this.opts.isFull(uid)) return;
    this.detailQueue = this.detailQueue.filter((u) => u !== uid);
    if (first) this.detailQueue.unshift(uid); else this.detailQueue.push(uid);
    this.nextDetail();
  }

  async nextDetail() {
    if (this.detailBusy || !this.detailQueue.length) return;
    this.detailBusy = true;
    const uid = this.detailQueue.shift();
    try {
      if (await this.opts.loadDetail(uid)) this.render(this.state, [uid]);
    } catch (e) {
      console.error("full track not loaded", e);
    } finally {
      this.detailBusy = false;
    }
    this.nextDetail();
  }

  /** The track nearest a click (within HIT_PX), or null; the canvas itself takes no clicks (shapes lie below). */
  trackAt(latlng) {
    const p = this.map.latLngToContainerPoint(latlng);
    const near = this.map.containerPointToLatLng([p.x + HIT_PX, p.y + HIT_PX]);
    const pad = Math.abs(near.lat - latlng.lat) + Math.abs(near.lng - latlng.lng);
    let best = null;
    let bestD = HIT_PX;
    for (const [uid, pieces] of Object.entries(this.trackLines)) {
      for (const k of pieces) {
        const b = k.bounds;
        if (!b.isValid() || !L.latLngBounds([b.getSouth() - pad, b.getWest() - pad],
          [b.getNorth() + pad, b.getEast() + pad]).contains(latlng)) continue;
        let prev = null;
        for (const ll of k.line.lls) {
          const q = this.map.latLngToContainerPoint(ll);
          if (prev) {
            const d = L.LineUtil.pointToSegmentDistance(p, prev, q);
            if (d < bestD) { bestD = d; best = uid; }
          }
          prev = q;
        }
      }
    }
    return best;
  }

  onClick(e) {
    const target = e.originalEvent && e.originalEvent.target;
    if (this.map.getContainer().classList.contains("picking")) return; // choosing a point, not a track
    const pm = this.map.pm;
    if (pm && ((pm.globalDrawModeEnabled && pm.globalDrawModeEnabled()) || (pm.globalEditModeEnabled && pm.globalEditModeEnabled()))) return;
    // a marker's or popup's own click; a click on a shape (an assignment's area) near a line picks the track:
    // the line is the narrower target, its popup opened after the shape's (which it replaces)
    if (target && target.closest && target.closest(".leaflet-marker-icon, .leaflet-popup")) return;
    const uid = this.trackAt(e.latlng);
    if (uid) setTimeout(() => this.showTrack(uid, e.latlng), 0);
  }

  /** The popup of a picked track (the officer, how many fixes), and its full track loaded first. */
  showTrack(uid, latlng) {
    const st = this.state;
    const full = !this.opts.loadDetail || this.opts.isFull(uid);
    // fixes stored: those held, and on a map without full detail (the phones) those the snapshot left out
    const count = () => {
      const held = st && st.tracks && st.tracks[uid] ? st.tracks[uid].length : 0;
      const d = !this.opts.loadDetail && st && st.tracks_detail && st.tracks_detail[uid];
      return held + (d ? Math.max(0, d.fixes - d.sent) : 0);
    };
    const body = el("span", { class: "small" }, full ? t("track.fixes", { n: count() }) : t("track.loading_detail"));
    L.popup().setLatLng(latlng).setContent(el("div", { class: "map-popup sc-track-popup" },
      el("strong", {}, userName(st, uid)), el("br"), body)).openOn(this.map);
    if (!full) {
      this.loadDetail(uid, true);
      const done = () => {
        if (this.opts.isFull(uid)) body.textContent = t("track.fixes", { n: count() });
        else if (this.detailQueue.includes(uid) || this.detailBusy) setTimeout(done, 200);
      };
      setTimeout(done, 200);
    }
  }

  /** What is drawn, per officer: pieces, vertices held, vertices on screen at this zoom (after the per-zoom
      simplification), whether the full track is loaded, whether it is on the tiled canvas, its size on screen (px). */
  stats() {
    const out = {};
    for (const [uid, pieces] of Object.entries(this.trackLines)) {
      let vertices = 0;
      let screen = 0;
      const b = L.latLngBounds([]);
      for (const k of pieces) {
        vertices += k.line.lls.length;
        screen += this.lines.screenVertices(k.line);
        if (k.bounds.isValid()) b.extend(k.bounds);
      }
      let size = [0, 0];
      if (b.isValid()) {
        const nw = this.map.latLngToContainerPoint(b.getNorthWest());
        const se = this.map.latLngToContainerPoint(b.getSouthEast());
        size = [Math.round(se.x - nw.x), Math.round(se.y - nw.y)];
      }
      const m = this.positionMarkers[uid];
      out[uid] = { pieces: pieces.length, vertices, screen, canvas: this.map.hasLayer(this.lines), size,
        full: this.opts.isFull ? this.opts.isFull(uid) : true, last: m ? m.scLast : null };
    }
    return out;
  }
}
