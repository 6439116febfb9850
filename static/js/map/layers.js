/* search-coord: everything a search map shows, in layer groups, redrawn from a live state (console and phones).
   The shapes (assignments, searched areas; the segments and rings of where.js) are drawn on the map's one shapes
   canvas (shapes_canvas.js), in the order they are drawn, as they were in the one SVG; tracks on their tiles. */
import { debug } from "../lib/debug.js";
import { el } from "../lib/dom.js";
import { fmtDateTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { teamLabel, userName } from "../lib/people.js";
import { STATUS_COLORS, labelIcon, lkpMarker, pointLatLng, tip } from "./base.js";
import { TrackLayer } from "./tracks_canvas.js";
import { shapeStats, shapesCanvas } from "./shapes_canvas.js";
import { retractButton } from "../reports/retract.js";

/** Everything a search map shows, in layer groups, redrawn from a live state. */
class SearchLayers {
  constructor(map, opts) {
    this.map = map;
    this.opts = opts || {};
    this.groups = {};
    for (const name of ["searched", "assignments", "clues", "lkp", "found", "me"]) {
      this.groups[name] = L.featureGroup().addTo(map);
    }
    // officers' tracks on a canvas, their positions above (opts.loadDetail / opts.isFull: full tracks on demand)
    this.tracks = new TrackLayer(map, this.opts);
    this.groups.tracks = this.tracks.lines;
    this.groups.positions = this.tracks.positions;
    this.assignmentLayers = {}; // id -> layer
    this.clueMarkers = {}; // id -> marker
    debug.shapes = (cls) => shapeStats(map, cls); // tests: {canvas, svg, fills} of the paths of a class
  }

  /** uid -> the track's pieces (a feature group of polylines) and uid -> the position marker. */
  get trackLines() { return this.tracks.trackLines; }
  get positionMarkers() { return this.tracks.positionMarkers; }

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
        renderer: shapesCanvas(this.map),
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
        layer = L.geoJSON(a.geometry, { style: () => style, renderer: style.renderer });
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
        renderer: shapesCanvas(this.map),
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

  /** Draw the tracks of `uids` (all when not given); cheap to call again (map/tracks_canvas.js). */
  renderTracks(state, uids) { this.tracks.render(state, uids); }

  /** Re-check which positions went stale (call every few seconds). */
  refreshStale() { this.tracks.refreshStale(); }

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