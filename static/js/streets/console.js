/* search-coord: the console's streets (issue 14), in the "where to look" tab — the street layer covering the search
   (or how to load one), the network reach, the most probable blocks and their coverage, making a street assignment
   (top suggestions, a drawn area, or points picked along a route: route_pick.js) for a foot or vehicle team, of a
   length or a duration (minutes at the mode's search speed); blocks drawn on the map turn green live.
   streetsPanel(c) subscribes to the live search itself. */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { lang, t, tEnum } from "../lib/i18n.js";
import { isDispatcher } from "../lib/page.js";
import { debug } from "../lib/debug.js";
import { applyCovered, blockLabel, drawBlocks } from "./blocks.js";
import { doorList } from "./doors.js";
import { routePicker } from "./route_pick.js";

const TOP = 15;
const MAX_DURATION_MIN = 720;   // the server's cap (services/streets/assignments.py)
const MIN_ROUTE_M = 50;

export function streetsPanel(c) {
  const box = el("div", { id: "streets-panel", class: "streets-panel card-inner" });
  const host = $("#panel-where");
  if (host) host.prepend(box);
  const group = L.layerGroup().addTo(c.map);
  let state = null;
  let drawn = new Map();
  let drawnArea = null;
  let shown = true;
  let loading = null;
  let again = false;
  const doorLists = new Map(); // assignment id -> doorList (read on the desk; ticked on the phones)
  // what the dispatcher chose on the form: kept while the panel is drawn again (every minute, on events)
  const form = { mode: "vehicle", by: "length", length: "2000", duration: "30", team: "" };
  let sizeRow = null;
  let pickedNote = null;
  let speedLine = null;
  const picker = routePicker({ map: c.map, searchId: c.searchId, mode: () => form.mode, onChange: () => sizeShown() });

  async function load() {
    if (loading) { again = true; return loading; }
    loading = api("GET", `/api/v1/searches/${c.searchId}/streets`, null, { quiet: true })
      .then((s) => { state = s; render(); draw(); })
      .catch(() => {})
      .finally(() => { loading = null; if (again) { again = false; load(); } });
    return loading;
  }

  function draw() {
    if (!state || !shown) { group.clearLayers(); return; }
    drawn = drawBlocks(group, state.blocks, { onClick: (b) => { if (!picker.active()) toast(blockLabel(b), "info"); } });
  }

  function render() {
    clear(box);
    box.append(el("h3", {}, t("streets.title")));
    if (!state) return;
    if (!state.layer) {
      box.append(el("p", { class: "sc-muted", id: "streets-none" }, t("streets.no_layer")),
        el("p", { class: "small" }, t("streets.where_to_get")));
      if (isDispatcher) box.append(uploadForm());
      return;
    }
    if (state.hint === "building") {   // the server is building the layer's network (after a restart)
      box.append(el("p", { class: "sc-muted", id: "streets-building" }, t("streets.building", { name: state.layer.name })));
      setTimeout(load, 5000);
      return;
    }
    const L0 = state.layer;
    box.append(el("p", { class: "small", id: "streets-layer" }, t("streets.layer", {
      name: L0.name, ways: L0.counts.ways, blocks: L0.counts.blocks, km: L0.counts.walk_km })));
    const show = el("input", { type: "checkbox", id: "streets-show", checked: shown,
      onchange: (e) => { shown = e.target.checked; draw(); } });
    box.append(el("label", { class: "check" }, show, el("span", {}, t("streets.show"))));
    if (state.reach) {
      box.append(el("p", { id: "streets-reach" }, t("streets.reach", {
        km: (state.reach.length_m / 1000).toFixed(1), walk: (state.reach.budget_m / 1000).toFixed(2) })));
      box.append(el("p", { class: "small sc-muted" }, t("streets.poa_note", {
        on: Math.round(100 * state.poa.on_street), off: Math.round(100 * state.poa.off_street) })));
    } else {
      box.append(el("p", { class: "sc-muted" }, t("streets.not_on_network")));
    }
    const counts = { not: 0, partly: 0, searched: 0 };
    for (const b of state.blocks) counts[b.status] += 1;
    box.append(el("p", { id: "streets-counts" }, t("streets.counts", counts)));
    const list = el("ol", { class: "list streets-top", id: "streets-top" });
    for (const b of state.blocks.slice(0, TOP)) {
      list.append(el("li", { dataset: { block: String(b.index), status: b.status } },
        el("span", { class: "badge streets-" + b.status }, t("streets.status." + b.status)), " ",
        el("button", { type: "button", class: "link-button", onclick: () => zoomTo(b) }, blockLabel(b)),
        " ", el("span", { class: "sc-muted" }, `POA ${(100 * b.poa).toFixed(1)} %`
          + (b.pod ? ` · POD ${(100 * b.pod).toFixed(0)} %` : ""))));
    }
    box.append(list);
    if (isDispatcher && state.reach) box.append(assignForm());
    if (state.assignments.length) {
      box.append(el("h4", {}, t("streets.assignments")));
      box.append(el("ul", { class: "list" }, state.assignments.map((a) => {
        let doors = doorLists.get(a.assignment_id);
        if (!doors) {
          doors = doorList({ searchId: c.searchId, assignment: { id: a.assignment_id }, canTick: false });
          doorLists.set(a.assignment_id, doors);
        }
        return el("li", {}, `${a.title} · ${t("streets.mode." + a.mode)} · ${(a.length_m / 1000).toFixed(1)} km · `
          + t("streets.blocks_n", { n: a.blocks.length }) + ` · ${tEnum("astatus", a.status)}`, doors.node);
      })));
    }
  }

  function zoomTo(b) {
    const line = drawn.get(b.index);
    if (line) { c.map.fitBounds(line.getBounds(), { maxZoom: 18 }); line.openTooltip && line.openTooltip(); }
  }

  function uploadForm() {
    const file = el("input", { type: "file", id: "streets-file", accept: ".pbf,.osm,.geojson,.json" });
    const name = el("input", { id: "streets-name", maxlength: "120", placeholder: t("streets.layer_name") });
    const go = el("button", { type: "submit", class: "btn btn-primary" }, t("streets.load"));
    return el("form", { class: "form", id: "streets-upload", onsubmit: async (e) => {
      e.preventDefault();
      if (!file.files.length) { toast(t("streets.pick_file"), "error"); return; }
      const fd = new FormData();
      fd.append("file", file.files[0]);
      if (name.value.trim()) fd.append("name", name.value.trim());
      go.disabled = true;
      try {
        const layer = await api("POST", "/api/v1/streets/layers", fd);
        toast(t("streets.loaded", { name: layer.name, blocks: layer.counts.blocks, s: layer.load_seconds }), "ok");
        await load();
      } catch (err) { /* the api shows it */ } finally { go.disabled = false; }
    } }, el("div", { class: "field" }, el("label", { for: "streets-file" }, t("streets.file")), file),
    el("div", { class: "field" }, el("label", { for: "streets-name" }, t("streets.layer_name")), name), go);
  }

  /** m/s of the chosen mode (the search's model settings) */
  function speed() { return ((state && state.search_speed_ms) || {})[form.mode] || null; }

  function speedNote() {
    const v = speed();
    return v ? t("streets.speed_note", { kmh: (v * 3.6).toFixed(1), ms: v.toFixed(2), mode: t("streets.mode." + form.mode) }) : "";
  }

  /** A picked route gives the length: the length / duration fields give way to it. */
  function sizeShown() {
    if (!sizeRow) return;
    const picked = picker.count() > 0;
    sizeRow.hidden = picked;
    if (pickedNote) pickedNote.hidden = !picked;
    if (speedLine) speedLine.hidden = picked || form.by !== "duration";
  }

  function assignForm() {
    const mode = el("select", { id: "streets-mode", onchange: () => {
      form.mode = mode.value; speedText.textContent = speedNote(); picker.modeChanged(); } },
      el("option", { value: "vehicle" }, t("streets.mode.vehicle")), el("option", { value: "foot" }, t("streets.mode.foot")));
    mode.value = form.mode;
    const by = el("select", { id: "streets-by", onchange: () => { form.by = by.value; showBy(); } },
      el("option", { value: "length" }, t("streets.by.length")), el("option", { value: "duration" }, t("streets.by.duration")));
    by.value = form.by;
    const length = el("input", { id: "streets-length", type: "number", min: "50", max: "200000", step: "50", value: form.length,
      oninput: () => { form.length = length.value; } });
    const duration = el("input", { id: "streets-duration", type: "number", min: "1", max: String(MAX_DURATION_MIN), step: "any",
      value: form.duration, oninput: () => { form.duration = duration.value; } });
    const lengthField = el("div", { class: "field" }, el("label", { for: "streets-length" }, t("streets.length")), length);
    const durationField = el("div", { class: "field" }, el("label", { for: "streets-duration" }, t("streets.duration")), duration);
    const speedText = el("p", { class: "small sc-muted", id: "streets-speed" }, speedNote());
    speedLine = speedText;
    function showBy() { lengthField.hidden = form.by !== "length"; durationField.hidden = form.by !== "duration"; sizeShown(); }
    showBy();
    const team = el("select", { id: "streets-team", onchange: () => { form.team = team.value; } },
      el("option", { value: "" }, t("streets.no_team")));
    for (const tm of (c.st() ? c.st().teams : []).filter((x) => !x.disbanded && x.kind !== "video_review")) {
      team.append(el("option", { value: String(tm.id) }, c.teamLabel(tm.id)));
    }
    team.value = form.team;
    const areaNote = el("span", { class: "small sc-muted", id: "streets-area-note" }, drawnArea ? t("streets.area_drawn") : "");
    const drawBtn = el("button", { type: "button", class: "btn btn-small", id: "streets-draw", onclick: () => drawArea(areaNote) },
      t("streets.draw_area"));
    const go = el("button", { type: "submit", class: "btn btn-primary", id: "streets-make" }, t("streets.make"));
    sizeRow = el("div", { class: "row", id: "streets-size" },
      el("div", { class: "field" }, el("label", { for: "streets-by" }, t("streets.by_label")), by), lengthField, durationField);
    const node = el("form", { class: "form", id: "streets-assign", onsubmit: async (e) => {
      e.preventDefault();
      const body = { mode: form.mode, lang: lang.startsWith("zh") ? "zh" : "en" };
      if (picker.count() > 0) {
        const pts = picker.points();
        if (!pts) { toast(picker.error() || t("streets.pick.tap_more"), "error"); return; }
        body.points = pts;
      } else if (form.by === "duration") {
        const min = Number(form.duration);
        const v = speed();
        if (!(min > 0 && min <= MAX_DURATION_MIN)) { toast(t("streets.bad_duration", { max: MAX_DURATION_MIN }), "error"); return; }
        if (v && v * 60 * min < MIN_ROUTE_M) { toast(t("streets.too_short", { min, m: Math.round(v * 60 * min) }), "error"); return; }
        body.duration_min = min;
        if (drawnArea) body.polygon = drawnArea;
      } else {
        body.length_m = Number(form.length);
        if (drawnArea) body.polygon = drawnArea;
      }
      if (team.value) body.team_id = Number(team.value);
      go.disabled = true;
      try {
        const r = await api("POST", `/api/v1/searches/${c.searchId}/streets/assignments`, body);
        toast(t("streets.made_duration", { title: r.assignment.title, n: r.street.blocks.length,
          km: (r.street.length_m / 1000).toFixed(2), min: Math.round(r.street.duration_min),
          kmh: (r.street.speed_ms * 3.6).toFixed(1) }), "ok");
        drawnArea = null;
        picker.stop();
        picker.clear();
        await load();
      } catch (err) { /* shown by api */ } finally { go.disabled = false; }
    } }, el("h4", {}, t("streets.new_assignment")),
    el("div", { class: "row" },
      el("div", { class: "field" }, el("label", { for: "streets-mode" }, t("streets.mode_label")), mode),
      el("div", { class: "field" }, el("label", { for: "streets-team" }, t("streets.team")), team)),
    sizeRow, speedText,
    pickedNote = el("p", { class: "small sc-muted", id: "streets-picked-note", hidden: true }, t("streets.pick.length_from_path")),
    el("p", { class: "small" }, t("streets.selection_note")), el("div", {}, drawBtn, " ", areaNote),
    el("h5", {}, t("streets.pick.title")), picker.controls(), go);
    sizeShown();
    return node;
  }

  function drawArea(note) {
    if (!c.map.pm) return;
    c.map.once("pm:create", (e) => {
      drawnArea = e.layer.toGeoJSON().geometry;
      c.map.removeLayer(e.layer);
      note.textContent = t("streets.area_drawn");
    });
    c.map.pm.enableDraw("Polygon");
  }

  c.live.on((kind, ev) => {
    if (kind === "reset") { load(); for (const list of doorLists.values()) list.load(); return; } // missed answers
    if (kind !== "event" || !state) return;
    if (ev.type === "door.checked") { for (const list of doorLists.values()) list.onEvent(ev); return; }
    if (ev.type === "streets.covered" && state.layer && ev.payload.layer_id === state.layer.id) {
      const changed = applyCovered(state.blocks, ev.payload);
      if (changed.some((b) => !drawn.has(b.index)) || ev.payload.recount) load();
      else { draw(); render(); }
      return;
    }
    if (ev.type === "search.updated" || ev.type === "model.recomputed" || ev.type.startsWith("assignment.")
        || ev.type === "video.sighting_decided") load();
  });
  setInterval(load, 60000);   // the reach grows with the clock
  load();
  const view = { load, state: () => state, doors: (id) => doorLists.get(id), drawn: () => group.drawnStatus || {},
    picker };
  debug.streets = view;
  return view;
}
