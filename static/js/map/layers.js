/* search-coord: everything a search map shows, in layer groups, redrawn from a live state (console and phones). */
import { el } from "../lib/dom.js";
import { fmtAgo, fmtDateTime, fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { teamLabel, userName } from "../lib/people.js";
import { STALE_S, STATUS_COLORS, TRACK_GAP_S, isStale, lkpMarker, pointLatLng, tip, trackColor, trackPieces } from "./base.js";
import { retractButton } from "../reports/retract.js";

/** Everything a search map shows, in layer groups, redrawn from a live state. */
class SearchLayers {
  constructor(map, opts) {
    this.map = map;
    this.opts = opts || {};
    this.groups = {};
    for (const name of ["searched", "assignments", "tracks", "clues", "positions", "lkp", "found", "me"]) {
      this.groups[name] = L.featureGroup().addTo(map);
    }
    this.trackLines = {}; // uid -> feature group of the track's pieces (polylines)
    this.trackDrawn = {}; // uid -> {n, last, keys}: how many of its fixes are drawn, the last one, each key's last piece
    this.positionMarkers = {}; // uid -> marker
    this.assignmentLayers = {}; // id -> layer
    this.clueMarkers = {}; // id -> marker
  }

  renderAll(state) {
    this.renderLkp(state);
    this.renderFound(state);
    this.renderSearched(state);
    this.renderAssignments(state);
    this.renderClues(state);
    this.renderTracks(state);
  }

  renderLkp(state) {
    this.groups.lkp.clearLayers();
    const ll = pointLatLng(state.search && state.search.lkp);
    if (ll) {
      const m = lkpMarker(ll);
      m.bindPopup(() => el("div", {},
        el("strong", {}, t("map.lkp")), el("br"),
        fmtDateTime(state.search.lkp_time), el("br"),
        state.search.lkp_address || ""));
      this.groups.lkp.addLayer(m);
    }
  }

  renderFound(state) {
    this.groups.found.clearLayers();
    const f = state.search && state.search.found;
    const ll = f && pointLatLng(f.location);
    if (ll) {
      const m = L.marker(ll, { icon: labelIcon("sc-icon-found", t("map.found_short"), 48), zIndexOffset: 1000, title: t("map.found") });
      m.bindPopup(() => el("div", {}, el("strong", {}, t("map.found")), el("br"),
        fmtDateTime(f.time), " · ", tEnum("condition", f.condition), el("br"), f.notes || ""));
      this.groups.found.addLayer(m);
    }
  }

  renderAssignments(state) {
    this.groups.assignments.clearLayers();
    this.assignmentLayers = {};
    const highlight = new Set(this.opts.highlightTeamIds ? this.opts.highlightTeamIds(state) : []);
    for (const a of state.assignments || []) {
      if (!a.geometry) continue;
      const color = STATUS_COLORS[a.status] || "#555";
      const mine = a.team_id !== null && highlight.has(a.team_id);
      const finished = a.status === "done" || a.status === "aborted";
      const style = {
        color,
        weight: mine ? 6 : 3,
        opacity: finished ? 0.6 : 0.95,
        fillOpacity: mine ? 0.28 : 0.12,
        dashArray: a.status === "aborted" ? "6 6" : (a.status === "planned" ? "2 6" : null),
        className: "sc-assignment sc-assignment-" + a.status + (mine ? " sc-assignment-mine" : ""),
      };
      let layer;
      if (a.geometry.type === "MultiPoint" || a.geometry.type === "Point") {
        const coords = a.geometry.type === "Point" ? [a.geometry.coordinates] : a.geometry.coordinates;
        layer = L.featureGroup(coords.map((c, i) => {
          const m = L.circleMarker([c[1], c[0]], { ...style, radius: mine ? 10 : 8, fillOpacity: 0.85, fillColor: "#fff", weight: mine ? 5 : 3 });
          const label = a.places && a.places[i] ? a.places[i] : `${a.title} (${i + 1})`;
          m.bindTooltip(tip(label), { direction: "top" });
          return m;
        }));
      } else {
        layer = L.geoJSON(a.geometry, { style: () => style });
      }
      layer.bindPopup(() => el("div", { class: "map-popup" },
        el("strong", {}, a.title), el("br"),
        el("span", { class: "badge status-" + a.status }, tEnum("astatus", a.status)), " ",
        teamLabel(state, a.team_id),
        a.instructions ? el("p", {}, a.instructions) : null,
        a.places && a.places.length ? el("ul", {}, a.places.map((p) => el("li", {}, p))) : null,
        a.debrief ? el("p", {}, el("em", {}, t("assignment.debrief") + ": "), a.debrief) : null));
      if (mine && a.kind !== "places") layer.bindTooltip(() => tip(a.title), { permanent: false, sticky: true });
      this.groups.assignments.addLayer(layer);
      this.assignmentLayers[a.id] = layer;
    }
  }

  /** Areas marked searched (by a team, or a reviewed exit camera), hatched green with their stated POD. */
  renderSearched(state) {
    this.groups.searched.clearLayers();
    for (const a of state.searched_areas || []) {
      if (!a.geometry) continue;
      const layer = L.geoJSON(a.geometry, {
        style: { className: "sc-searched", color: "#15803d", weight: 1.5, fillColor: "#22c55e", fillOpacity: 0.18,
          dashArray: "4 3" },
      });
      layer.bindTooltip(tip(t("map.searched_pod", { pod: Math.round((a.pod || 0) * 100) })), { sticky: true });
      layer.bindPopup(() => el("div", { class: "map-popup" },
        el("strong", {}, t("map.searched_pod", { pod: Math.round((a.pod || 0) * 100) })), el("br"),
        fmtDateTime(a.marked_at), " · ", userName(state, a.marked_by),
        a.team_id ? el("div", {}, teamLabel(state, a.team_id)) : null,
        a.notes ? el("div", { class: "muted" }, a.notes) : null,
        retractButton ? retractButton("area", a.id, state.search && state.search.id) : null));
      this.groups.searched.addLayer(layer);
    }
  }

  renderClues(state) {
    this.groups.clues.clearLayers();
    this.clueMarkers = {};
    for (const c of state.clues || []) {
      const ll = pointLatLng(c.location);
      if (!ll) continue;
      const m = L.marker(ll, {
        icon: labelIcon("sc-icon-" + c.kind, t("map." + c.kind + "_short"), 30),
        title: tEnum("clue_kind", c.kind),
        zIndexOffset: 300,
      });
      m.bindPopup(() => el("div", { class: "map-popup" },
        el("strong", {}, tEnum("clue_kind", c.kind)), " · ", fmtDateTime(c.time), el("br"),
        c.text, c.direction ? el("div", {}, t("clue.direction") + ": " + tEnum("dir", c.direction)) : null,
        el("div", { class: "muted" }, t("clue.reported_by", { name: userName(state, c.reported_by) })),
        c.photo_id ? el("img", { src: `/api/v1/photos/${c.photo_id}`, alt: t("clue.photo"), class: "popup-photo" }) : null,
        retractButton ? retractButton("clue", c.id, state.search && state.search.id) : null));
      this.groups.clues.addLayer(m);
      this.clueMarkers[c.id] = m;
    }
  }

  /** Draw the tracks of `uids` (all when not given); cheap to call again. A track is drawn as pieces (the rule of
      trackPieces in map/base.js: fixes joined by their key, a null key never joined, a new piece after a silence of
      more than TRACK_GAP_S). Fixes appended since the last call are appended to that officer's lines only; a track
      whose drawn fixes changed (a retraction, a late fix sorted in before them, a new snapshot) is redrawn whole. */
  renderTracks(state, uids) {
    const tracks = state.tracks || {};
    const meId = user ? String(user.id) : null;
    const todo = uids ? Array.from(uids, String) : Object.keys(tracks).concat(Object.keys(this.trackLines));
    const seen = new Set();
    for (const uid of todo) {
      if (seen.has(uid)) continue;
      seen.add(uid);
      const pts = tracks[uid];
      if (!pts || !pts.length) { this.dropTrack(uid); continue; }
      this.drawTrack(uid, pts, uid === meId);
      const last = pts[pts.length - 1];
      let marker = this.positionMarkers[uid];
      if (!marker) {
        marker = L.circleMarker([last[1], last[0]], {
          radius: 8, color: "#fff", weight: 3, fillColor: trackColor(uid), fillOpacity: 1, className: "sc-position",
        });
        marker.bindTooltip(tip(), { permanent: true, direction: "right", offset: [10, 0], className: "sc-name-tip" });
        this.groups.positions.addLayer(marker);
        this.positionMarkers[uid] = marker;
      } else if (marker.scFix !== last) {
        marker.setLatLng([last[1], last[0]]);
      }
      marker.scFix = last;
      marker.scLast = last[2];
      marker.scCoarse = last[3] === null; // the last fix was too coarse to count: its place is only roughly known
      marker.scName = userName(state, uid);
      marker.scColor = trackColor(uid);
      this.styleMarker(marker);
    }
  }

  dropTrack(uid) {
    if (!this.trackLines[uid]) return;
    this.groups.tracks.removeLayer(this.trackLines[uid]);
    this.groups.positions.removeLayer(this.positionMarkers[uid]);
    delete this.trackLines[uid];
    delete this.positionMarkers[uid];
    delete this.trackDrawn[uid];
  }

  /** One officer's lines: only the fixes after the ones drawn, when those are still the list's first ones. */
  drawTrack(uid, pts, mine) {
    let group = this.trackLines[uid];
    if (!group) {
      group = L.featureGroup();
      this.groups.tracks.addLayer(group);
      this.trackLines[uid] = group;
    }
    const was = this.trackDrawn[uid];
    const appendOnly = was && pts.length >= was.n && (was.n === 0 || pts[was.n - 1] === was.last);
    if (appendOnly && pts.length === was.n) return;
    const drawn = appendOnly ? was : { n: 0, last: null, keys: new Map() }; // key -> {line, ms, piece}
    const style = { className: "sc-track" + (mine ? " sc-track-mine" : ""), color: trackColor(uid), weight: mine ? 5 : 4, opacity: 0.9 };
    const touched = new Map(); // line or piece -> the latlngs to add
    const pieces = []; // new pieces, in order
    for (let i = drawn.n; i < pts.length; i++) {
      const p = pts[i];
      const key = p[3] === undefined ? 0 : p[3];
      if (key === null) continue; // too coarse to join anything
      const ms = Date.parse(p[2]); // once per fix
      let k = drawn.keys.get(key);
      if (!k || (ms - k.ms) > TRACK_GAP_S * 1000) {
        k = { line: null, ms, piece: [] };
        drawn.keys.set(key, k);
        pieces.push(k);
      }
      k.ms = ms;
      const ll = L.latLng(p[1], p[0]);
      if (k.line) {
        if (!touched.has(k.line)) touched.set(k.line, []);
        touched.get(k.line).push(ll);
      } else k.piece.push(ll);
    }
    for (const [line, lls] of touched) {
      const all = line.getLatLngs();
      for (const ll of lls) all.push(ll);
      line.setLatLngs(all);
    }
    const lines = appendOnly ? [] : group.getLayers();
    pieces.forEach((k, i) => {
      if (lines[i]) { lines[i].setLatLngs(k.piece); k.line = lines[i]; } else {
        k.line = L.polyline(k.piece, style);
        group.addLayer(k.line);
      }
      k.piece = null;
    });
    for (let i = pieces.length; i < lines.length; i++) group.removeLayer(lines[i]);
    drawn.n = pts.length;
    drawn.last = pts[pts.length - 1];
    this.trackDrawn[uid] = drawn;
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
    const el = marker.getElement && marker.getElement();
    if (el) el.classList.toggle("sc-coarse", !!marker.scCoarse);
    if (marker.scStale !== stale) {
      marker.scStale = stale;
      marker.setStyle(stale ? { fillColor: "#8a94a3", color: "#d0d5dc", fillOpacity: 0.75, dashArray: "3 3" }
        : { fillColor: marker.scColor, color: "#fff", fillOpacity: 1, dashArray: null });
      const path = marker.getElement && marker.getElement();
      if (path) path.classList.toggle("sc-stale", stale);
      const tipEl = marker.getTooltip() && marker.getTooltip().getElement();
      if (tipEl) tipEl.classList.toggle("sc-stale-tip", stale);
    }
  }

  /** Re-check which positions went stale (call every few seconds). */
  refreshStale() {
    for (const m of Object.values(this.positionMarkers)) this.styleMarker(m);
  }

  /** Fit the view to what is on the map (or centre on the LKP). */
  fit(state) {
    this.map.invalidateSize(false);
    const b = L.latLngBounds([]);
    for (const g of ["assignments", "lkp", "clues", "tracks", "found"]) {
      const gb = this.groups[g].getBounds();
      if (gb.isValid()) b.extend(gb);
    }
    if (b.isValid()) this.map.fitBounds(b, { padding: [30, 30], maxZoom: 17 });
    else {
      const ll = pointLatLng(state.search && state.search.lkp);
      if (ll) this.map.setView(ll, 16);
    }
  }
}
export { SearchLayers };