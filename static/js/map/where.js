/* Where to look: rings, reach, segments coloured by probability, suggestions. Used by the console.
 *
 *   const where = initWhere({map, searchId, panel, api, t, canEdit});
 *   where.onEvent(ev)   // every live event, in order
 *
 * `api(method, url, body)` returns a promise of the parsed JSON (and shows errors); `t(key)` translates.
 */
import { debug } from "../lib/debug.js";
import { clear, el } from "../lib/dom.js";
import { pct as pctOf } from "../lib/format.js";
import { nodeIcon, tip } from "./base.js";
import { segmentEditor } from "./segment_edit.js";
import { pictureFill, shapesCanvas } from "./shapes_canvas.js";
import { ringSourceText, repairText } from "./where_text.js";
import { wireSettings } from "./where_settings.js";

const MODEL_EVENTS = new Set(["segments.replaced", "segment.added", "segment.removed", "model.recomputed",
  "poa.consensus", "model.settings", "search.updated", "assignment.created", "assignment.status_changed",
  "team.created", "team.updated", "video.blind_spot_segments", "area.searched", "segment.updated"]);
/** The events that change the swept area (/swept buffers every track point by its mode's sweep width): only these
    refetch it, once (the events of 10 s are one fetch). The model's reloads (every minute, MODEL_EVENTS) do not. */
const SWEPT_EVENTS = new Set(["track.points", "track.retracted", "model.settings"]);

function colour(density, maxDensity) {
  // probability per area, relative to the densest segment: pale yellow -> deep red
  const x = maxDensity > 0 ? Math.sqrt(density / maxDensity) : 0;
  const h = 55 - 55 * x, l = 88 - 45 * x;
  return `hsl(${h.toFixed(0)}, 90%, ${l.toFixed(0)}%)`;
}

const pct = (x) => pctOf(x, "%"); // close up: "12.5%"

/** Drawing a polygon: Geoman refuses a corner that would make the outline cross itself (a bow-tie). */
const POLYGON_DRAW = {allowSelfIntersection: false};

const h = (...args) => el(...args);   // the one DOM builder: text is always text

function init(opts) {
  const {map, searchId, panel, api, t} = opts;
  const canEdit = !!opts.canEdit;
  const layers = {swept: L.layerGroup(), rings: L.layerGroup(), reach: L.layerGroup(), segments: L.layerGroup()};
  const state = {model: null, segments: new Map(), layerById: new Map(), reload: null, busy: false,
    selected: null, sweptTimer: null, sweptAt: 0, sweptStale: false, styleFrame: 0, visible: false};
  show(opts.visible === undefined ? true : opts.visible);
  debug.where = state;

  function posterior() {
    // POA now = POA0 * exp(-C) / (sum + ROW0): Bayes after unsuccessful effort (same as the server)
    let total = state.model ? state.model.row0 : 1;
    for (const s of state.segments.values()) total += s.poa0 * Math.exp(-s.coverage);
    for (const s of state.segments.values()) {
      s.pod = 1 - Math.exp(-s.coverage);
      s.poa = s.poa0 * Math.exp(-s.coverage) / total;
    }
    return state.model ? state.model.row0 / total : 1;
  }

  const segmentTip = (s) => `${s.name}: POA ${pct(s.poa)} · POD ${pct(s.pod)} · ${t("where.status." + s.status)}`;

  /** Segments filled by probability density; restyled only when its colour changed (tooltip made on opening). */
  function styleAll() {
    state.styleFrame = 0;
    const row = posterior();
    let maxD = 0;
    for (const s of state.segments.values()) maxD = Math.max(maxD, s.poa / s.area_m2);
    for (const [id, layer] of state.layerById) {
      const s = state.segments.get(id), fill = colour(s.poa / s.area_m2, maxD);
      if (layer.scFill === fill) continue;
      layer.scFill = fill;
      layer.setStyle({color: "#444", weight: 0.6, fillOpacity: 0.45, fillColor: fill, className: "sc-segment"});
    }
    renderPanel(row);
  }

  // styleAll once in the next frame, whatever the number of events meanwhile (live batches' coverage)
  const styleSoon = () => { if (!state.styleFrame) state.styleFrame = requestAnimationFrame(styleAll); };

  /** The layers on the map or off it ("show where to look"): hidden by CSS they were still redrawn on every pan. */
  function show(on) {
    state.visible = !!on;
    for (const g of Object.values(layers)) if (on !== map.hasLayer(g)) (on ? g.addTo(map) : map.removeLayer(g));
    if (on) layers.swept.eachLayer((l) => l.bringToBack());   // under the search's shapes drawn meanwhile
    if (on && state.sweptStale) refreshSwept();
  }

  function drawRings(m) {
    layers.rings.clearLayers();
    layers.reach.clearLayers();
    for (const r of m.rings) {
      const beyond = r.radius_m > m.reach.radius_m;  // clipped by reach: drawn faint
      L.geoJSON(r.geometry, {renderer: shapesCanvas(map), style: {color: "#1d4ed8", weight: 1.5, dashArray: "6 4",
        fill: false, opacity: beyond ? 0.35 : 0.9, className: "sc-ring"}})
        .bindTooltip(tip(`${r.percent}% · ${(r.radius_m / 1000).toFixed(2)} km`), {sticky: true}).addTo(layers.rings);
      // the label sits on the ring's northernmost vertex
      const north = r.geometry.coordinates[0].reduce((a, b) => (b[1] > a[1] ? b : a));
      L.marker([north[1], north[0]], {interactive: false,
        icon: nodeIcon({className: "sc-ring-label", iconSize: null}, tip(`${r.percent}%`))}).addTo(layers.rings);
    }
    L.geoJSON(m.reach.geometry, {renderer: shapesCanvas(map),
      style: {color: "#b91c1c", weight: 2, fill: false, className: "sc-reach"}})
      .bindTooltip(tip(`${t("where.reach")} ${(m.reach.radius_m / 1000).toFixed(2)} km`), {sticky: true})
      .addTo(layers.reach);
  }

  function drawSegments(list) {
    layers.segments.clearLayers();
    state.segments.clear();
    state.layerById.clear();
    for (const s of list) {
      state.segments.set(s.id, {...s});
      // on the map's shapes canvas (shapes_canvas.js; the rings too), not an SVG path each: hundreds at hour four
      const layer = L.geoJSON(s.geometry, {style: {className: "sc-segment"}, renderer: shapesCanvas(map)})
        .bindTooltip(() => tip(segmentTip(state.segments.get(s.id) || s)), {sticky: true});
      layer.on("click", () => selectSegment(s.id));
      layer.addTo(layers.segments);
      state.layerById.set(s.id, layer);
    }
    styleAll();
  }

  function selectSegment(id) {
    const s = state.segments.get(id);
    if (!s) return;
    state.selected = id;
    const box = panel.querySelector(".sc-where-selected");
    if (box) box.textContent = `${s.name}: ${(s.area_m2 / 1e4).toFixed(1)} ha · POA ${pct(s.poa)} · ` +
      `POD ${pct(s.pod)} · C ${s.coverage.toFixed(2)} · ${t("where.status." + s.status)}`;
    const mark = panel.querySelector(".sc-where-mark");
    if (mark) { mark.hidden = !canEdit; mark.querySelector("[data-name]").textContent = s.name; }
    if (state.editor) state.editor.show(s);   // change its name, POA or outline (segment_edit.js)
  }

  function drawSwept(geo) {
    layers.swept.clearLayers();
    // on the shapes canvas (shapes_canvas.js), under every shape there and taking no clicks: one path of thousands of
    // vertices (as SVG redrawn on every pan; on a canvas of its own one more view-sized layer to move and upload),
    // drawn from a picture of its fill kept per zoom level (pictureFill: filling its thousands of rings again at each
    // redraw of the canvas took 100 ms and more at 4 h)
    const fill = pictureFill(geo, {interactive: false, renderer: shapesCanvas(map), color: "#15803d", weight: 0,
      fillColor: "#22c55e", fillOpacity: 0.35, className: "sc-swept"});
    if (fill) fill.addTo(layers.swept).bringToBack();
  }

  function refreshSwept() {
    // heavier to compute: at most every 10 s, one fetch for the events meanwhile; none while not shown
    if (!state.visible) { state.sweptStale = true; return; }
    state.sweptStale = false;
    if (state.sweptTimer) return;
    const wait = Math.max(0, 10000 - (Date.now() - state.sweptAt));
    state.sweptTimer = setTimeout(async () => {
      state.sweptTimer = null;
      state.sweptAt = Date.now();
      const sw = await api("GET", `/api/v1/searches/${searchId}/swept`);
      if (sw) drawSwept(sw.geometry);
    }, wait);
  }

  function draw(shape) {
    if (!map.pm) return;
    const width = Number((panel.querySelector("[name=width_m]") || {}).value || 30);
    let warned = 0;
    const crossing = () => {  // Geoman refused a corner that would make the outline cross itself
      if (Date.now() - warned > 5000 && opts.notify) { warned = Date.now(); opts.notify(t("geomfix.self_cross")); }
    };
    const done = (e) => {
      map.off("pm:create", done);
      const geo = e.layer.toGeoJSON().geometry;
      map.removeLayer(e.layer);
      const body = {geometry: geo};
      if (shape === "Line") body.width_m = width;
      Promise.resolve(api("POST", `/api/v1/searches/${searchId}/segments`, body)).then((res) => {
        const note = repairText(res, t);
        if (note && opts.notify) opts.notify(note);
      });
    };
    map.on("pm:create", done);
    if (shape === "Polygon") {
      map.on("pm:intersect", crossing);
      map.once("pm:drawend", () => map.off("pm:intersect", crossing));
    }
    map.pm.enableDraw(shape, shape === "Polygon" ? POLYGON_DRAW : {});
  }

  // The panel is built once (forms keep what the dispatcher is typing); only its figures are redrawn.
  let built = false;

  function buildPanel() {
    const num = (name, attrs) => h("input", {name, type: "number", ...attrs});
    const btn = (label, attrs) => h("button", {class: "sc-btn", type: "button", ...attrs}, label);
    const editing = canEdit ? [
      h("form", {class: "sc-where-grid"},
        h("label", {}, t("where.cell"), " ", num("cell_m", {min: 25, max: 5000, step: 25, value: 400})),
        h("label", {}, t("where.shape"), " ", h("select", {name: "shape"},
          h("option", {value: "square"}, t("where.square")), h("option", {value: "hex"}, t("where.hex")))),
        btn(t("where.generate"), {type: "submit"}),
        btn(t("where.recompute"), {"data-recompute": true})),
      h("div", {class: "sc-where-draw"},
        btn(t("where.draw_area"), {"data-draw": "Polygon"}), " ", btn(t("where.draw_route"), {"data-draw": "Line"}),
        " ", h("label", {}, t("where.corridor"), " ", num("width_m", {min: 2, max: 2000, value: 30}), " m")),
      h("form", {class: "sc-where-mark", hidden: true},
        h("strong", {"data-name": true}), " — ", t("where.mark_searched"), " ",
        h("label", {}, "POD ", num("pod", {min: 0, max: 1, step: 0.05, value: 0.5})), " ",
        h("label", {}, t("where.team"), " ", h("select", {name: "team_id"}, h("option", {value: ""}, "—"))), " ",
        btn(t("where.mark"), {type: "submit", class: "sc-btn sc-btn-small"}), " ",
        btn(t("where.delete_segment"), {class: "sc-btn sc-btn-small", "data-delete": true}))] : [];
    const settings = canEdit ? [
      h("details", {class: "sc-where-settings"}, h("summary", {}, t("where.settings")),
        h("form", {class: "sc-where-settings-form"},
          h("label", {}, t("where.walking_speed"), " ", num("walking_speed_ms", {step: "any", min: 0.05, max: 5}), " m/s"),
          h("label", {}, t("where.max_reach"), " ",
            num("max_reach_km", {step: "any", min: 0.1, max: 500, placeholder: t("where.max_reach_row")}), " km"),
          ["foot", "vehicle", "door_to_door"].map((mode) => h("label", {}, t("where.sweep_width"),
            ` (${t("where.mode." + mode)}) `, num("w_" + mode, {step: "any", min: 0.1, max: 500}), " m")),
          btn(t("where.save_settings"), {type: "submit"}))),
      h("details", {class: "sc-where-consensus"}, h("summary", {}, t("where.consensus")),
        h("form", {class: "sc-where-consensus-form"},
          h("p", {class: "sc-muted"}, t("where.consensus_help")),
          h("textarea", {name: "lines", rows: 4, placeholder: "A1=40 B2=30 ROW=30"}),
          btn(t("where.apply_consensus"), {type: "submit"})))] : [];
    clear(panel).append(
      h("div", {class: "sc-where-summary"}),
      ...editing,
      h("h4", {}, t("where.suggestions")),
      h("ul", {class: "sc-where-suggestions"}),
      h("h4", {}, t("where.top_segments")),
      h("table", {class: "sc-where-table"},
        h("thead", {}, h("tr", {}, [t("where.segment"), "POA", "POD", t("where.area"), t("where.status")]
          .map((x) => h("th", {}, x)))),
        h("tbody")),
      ...settings);
    wirePanel();
    if (canEdit) {
      state.editor = segmentEditor({searchId, t, layerOf: (id) => state.layerById.get(id),
        notify: opts.notify || (() => {})});
      panel.querySelector(".sc-where-mark").after(state.editor.form);
    }
    built = true;
  }

  function wirePanel() {
    const grid = panel.querySelector(".sc-where-grid");
    if (!grid) return;
    grid.addEventListener("submit", (e) => {
      e.preventDefault();
      api("POST", `/api/v1/searches/${searchId}/segments/grid`,
        {shape: grid.shape.value, cell_m: Number(grid.cell_m.value)});
    });
    grid.querySelector("[data-recompute]").addEventListener("click", () =>
      api("POST", `/api/v1/searches/${searchId}/model/recompute`, {}));
    panel.querySelectorAll("[data-draw]").forEach((b) => b.addEventListener("click", () => draw(b.dataset.draw)));
    const mark = panel.querySelector(".sc-where-mark");
    mark.addEventListener("submit", (e) => {
      e.preventDefault();
      const s = state.segments.get(state.selected);
      if (!s) return;
      const body = {geometry: s.geometry, pod: Number(mark.pod.value)};
      if (mark.team_id.value) body.team_id = Number(mark.team_id.value);
      api("POST", `/api/v1/searches/${searchId}/searched-areas`, body);
    });
    mark.querySelector("[data-delete]").addEventListener("click", () => {
      const s = state.segments.get(state.selected);
      if (s && window.confirm(t("where.confirm_delete").replace("{name}", s.name))) {
        api("DELETE", `/api/v1/searches/${searchId}/segments/${s.id}`);
      }
    });
    // only the changed fields, with the settings version (a 409 shows the current values): where_settings.js
    state.fillSettings = wireSettings(panel.querySelector(".sc-where-settings-form"), searchId, t);
    const consensus = panel.querySelector(".sc-where-consensus-form");
    consensus.addEventListener("submit", (e) => {
      e.preventDefault();
      // one evaluator per line: "A1=40 B2=30 ROW=30"
      const evaluations = consensus.lines.value.split("\n").map((line) => line.trim()).filter(Boolean)
        .map((line) => Object.fromEntries(line.split(/[\s,;]+/).filter(Boolean).map((pair) => {
          const [k, v] = pair.split(/[=:]/);
          return [k.trim(), Number(v)];
        })));
      api("POST", `/api/v1/searches/${searchId}/poa/consensus`, {evaluations});
    });
  }

  function fillSettings(m) {
    if (state.fillSettings) state.fillSettings(m.settings);
  }

  function fillTeams() {
    const select = panel.querySelector(".sc-where-mark select[name=team_id]");
    if (!select || select === document.activeElement) return;
    const teams = (opts.teams && opts.teams()) || new Map();
    const current = select.value;
    clear(select).append(h("option", {value: ""}, "—"),
      ...[...teams.values()].map((tm) => h("option", {value: tm.id}, tm.name)));
    select.value = current;
  }

  function renderPanel(row) {
    if (!panel || !state.model) return;
    if (!built) buildPanel();
    const m = state.model;
    const teams = (opts.teams && opts.teams()) || new Map();
    clear(panel.querySelector(".sc-where-summary")).append(
      h("div", {}, `${t("where.rings")}: `,
        m.rings.map((r) => `${r.percent}% ${(r.radius_m / 1000).toFixed(1)} km`).join(" · "), " ",
        h("span", {class: "sc-muted"}, `(${ringSourceText(m.ring_source, t)})`)),
      h("div", {}, `${t("where.reach")}: `,
        h("strong", {class: "sc-reach-km"}, `${(m.reach.radius_m / 1000).toFixed(2)} km`), " ",
        h("span", {class: "sc-muted"}, `${m.reach.walking_speed_ms.toFixed(2)} m/s` + (m.reach.capped
          ? " · " + t("where.reach_capped").replace("{km}", (m.reach.cap_m / 1000).toFixed(1)) : ""))),
      h("div", {}, `${t("where.row")}: ${pct(row)} · ${t("where.pos_total")}: ${pct(m.pos_total)}` +
        ` · ${t("where.basis")}: ${t("where.basis." + m.poa_basis)}`),
      ...(state.segments.size ? []   // none (a grid could not be made, or all were deleted): what to do first
        : [h("div", {class: "sc-where-first overlap-warning", role: "status"},
          t(canEdit ? "where.no_segments" : "where.no_segments_view"))]),
      h("div", {class: "sc-where-selected sc-muted"}, t("where.click_segment")));
    const list = clear(panel.querySelector(".sc-where-suggestions"));
    const items = m.suggestions.map((x) => {
      const team = teams.get(x.team_id);
      return h("li", {}, h("strong", {}, x.segment), " → ", team ? team.name : "#" + x.team_id, " ",
        h("span", {class: "sc-muted"}, `+${pct(x.gain_per_hour)} / h`), " ",
        canEdit ? h("button", {type: "button", class: "sc-btn sc-btn-small", "data-accept": x.segment_id,
          "data-team": x.team_id}, t("where.accept")) : null);
    });
    list.append(...(items.length ? items : [h("li", {class: "sc-muted"}, t("where.no_suggestions"))]));
    list.querySelectorAll("[data-accept]").forEach((b) => b.addEventListener("click", () =>
      api("POST", `/api/v1/searches/${searchId}/suggestions/accept`,
        {segment_id: Number(b.dataset.accept), team_id: Number(b.dataset.team)})));
    const top = [...state.segments.values()].sort((a, b) => b.poa - a.poa).slice(0, 8);
    const body = panel.querySelector(".sc-where-table tbody");
    clear(body).append(...top.map((s) => h("tr", {"data-seg": s.id},
      [s.name, pct(s.poa), pct(s.pod), `${(s.area_m2 / 1e4).toFixed(1)} ha`, t("where.status." + s.status)]
        .map((x) => h("td", {}, x)))));
    body.querySelectorAll("tr[data-seg]").forEach((tr) => tr.addEventListener("click", () => {
      const id = Number(tr.dataset.seg);
      selectSegment(id);
      const layer = state.layerById.get(id);
      if (layer) map.fitBounds(layer.getBounds(), {maxZoom: 16});
    }));
    fillSettings(m);
    fillTeams();
    if (state.selected != null && state.segments.has(state.selected)) selectSegment(state.selected);
  }

  async function load() {
    const m = await api("GET", `/api/v1/searches/${searchId}/model`);
    if (!m) return;
    state.model = m;
    drawRings(m);
    drawSegments(m.segments);
    if (!state.sweptAt && !state.sweptTimer) refreshSwept();   // the first load; afterwards only SWEPT_EVENTS
    document.body.dataset.whereVersion = String(m.model_version);
  }

  function reloadSoon() {
    clearTimeout(state.reload);
    state.reload = setTimeout(load, 300);
  }

  function onEvent(ev) {
    if (SWEPT_EVENTS.has(ev.type)) refreshSwept();
    if (ev.type === "track.points" || ev.type === "area.searched") {
      const cov = ev.payload.coverage || {};
      let touched = false;
      for (const [id, c] of Object.entries(cov)) {
        const s = state.segments.get(Number(id));
        if (s) { s.coverage = c; touched = true; }
      }
      if (touched) styleSoon();
      if (ev.payload.area && ev.payload.area.segment) reloadSoon();   // ground outside every segment: a new one
    } else if (MODEL_EVENTS.has(ev.type)) {
      if (ev.type === "model.recomputed" && opts.notify) {
        opts.notify(t("where.recomputed").replace("{seconds}", ev.payload.seconds.toFixed(1)));
      }
      reloadSoon();
    }
  }

  // Reach grows with the clock: refresh the model once a minute.
  setInterval(load, 60000);
  load();
  return {onEvent, load, state, show};
}

export { init as initWhere, POLYGON_DRAW };
