/* search-coord: the camera registry page. Browse it a page at a time (it may hold tens of thousands of cameras),
   import a CSV or GeoJSON file (the server's row/column errors listed, or how many were added and updated), export.
   Every text from the server or a file goes into the DOM as text. */
import { api, deviceId, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { fmtCoord } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { boot } from "../lib/boot.js";
import { config } from "../lib/page.js";
import { debug } from "../lib/debug.js";
import { makeMap } from "../map/base.js";
import { areaLayer } from "../video/camera_layer.js";

boot();

const PAGE = 50;
const DAY = 86400;
const tbody = $("#cam-table tbody");
const state = { offset: 0, total: 0, q: "", timer: null, seq: 0 };

/** A recorder clock offset as words; more than a day off is a warning (a factory date, the wrong year). */
function clockText(s) {
  if (!s) return { text: t("camfile.clock_right"), far: false };
  const way = s > 0 ? "ahead" : "behind";
  const abs = Math.abs(s);
  if (abs <= DAY) return { text: t("camfile.clock_s_" + way, { s: Math.round(abs) }), far: false };
  const days = abs / DAY;
  const text = days >= 365 ? t("camfile.clock_years_" + way, { n: (days / 365.25).toFixed(1) })
    : t("camfile.clock_days_" + way, { n: days.toFixed(1) });
  return { text, far: true };
}
export { clockText as cameraClockText };
function row(c) {
  const clock = clockText(c.clock_offset_s);
  const [lon, lat] = c.location.coordinates;
  return el("tr", { class: c.active ? "" : "inactive", dataset: { code: c.code } },
    el("td", { "data-label": t("camfile.col_code") }, el("strong", {}, c.code),
      c.active ? null : [" ", el("span", { class: "badge status-closed" }, t("camfile.inactive"))]),
    el("td", { "data-label": t("camfile.col_name"), class: "cam-name" }, c.name),
    el("td", { "data-label": t("camfile.col_kind") }, tEnum("camera_kind", c.kind)),
    el("td", { "data-label": t("camfile.col_where"), class: "cam-where" }, fmtCoord(lon, lat)),
    el("td", { "data-label": t("camfile.col_clock") },
      clock.far ? el("span", { class: "badge badge-warn", title: c.clock_warning || "" }, "⚠ " + clock.text) : clock.text));
}

async function load() {
  const seq = ++state.seq;
  const params = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
  if (state.q) params.set("q", state.q);
  if ($("#cam-active-only").checked) params.set("active", "active");
  let page;
  try { page = await api("GET", "/api/v1/cameras/page?" + params.toString()); } catch (e) { return; }
  if (seq !== state.seq) return;  // a later request is on its way
  state.total = page.total;
  clear(tbody);
  for (const c of page.cameras) tbody.append(row(c));
  if (!page.cameras.length) tbody.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, state.q ? t("camfile.none_match") : t("camfile.none"))));
  const first = page.total ? page.offset + 1 : 0;
  $("#cam-count").textContent = t("camfile.count", { from: first, to: page.offset + page.cameras.length, total: page.total });
  $("#cam-page").textContent = page.total ? t("camfile.page_n", { n: Math.floor(page.offset / PAGE) + 1, of: Math.ceil(page.total / PAGE) }) : "";
  $("#cam-prev").disabled = page.offset <= 0;
  $("#cam-next").disabled = page.offset + page.cameras.length >= page.total;
}

/* ---- the map: the registry by the map's view (canvas; cells when zoomed out) --------------------------------- */
const map = makeMap($("#cam-map"), { zoom: 11 });
function popup(c) {
  const clock = clockText(c.clock_offset_s);
  return el("div", { class: "map-popup cam-popup" },
    el("strong", { class: "cam-title" }, `${c.code} · ${c.name}`),
    c.active ? null : el("span", { class: "badge" }, t("camfile.inactive")),
    el("dl", { class: "facts cam-facts" },
      el("dt", {}, t("camfile.col_kind")), el("dd", {}, tEnum("camera_kind", c.kind)),
      el("dt", {}, t("camfile.col_where")), el("dd", {}, fmtCoord(...c.location.coordinates)),
      el("dt", {}, t("camfile.col_clock")), el("dd", {}, clock.text)));
}
const cams = areaLayer(map, {
  inactive: () => !$("#cam-active-only").checked,
  onCamera: (c, ll) => L.popup({ minWidth: 220 }).setLatLng(ll).setContent(popup(c)).openOn(map),
  onLoad: (s) => {
    $("#cam-map-count").textContent = !s.total ? t("camfile.map_none")
      : t(s.mode === "clusters" ? "camfile.map_cells" : "camfile.map_cameras", { n: s.total });
  },
});
debug.map = map;
debug.cameras = cams.state;
/** The map opens on the whole registry (its cells at zoom 2 tell its extent); not when the map was moved meanwhile
    (a slow answer, e.g. behind an import, never takes the user away from where they went). Not animated: a zoom
    animation still running when the user (or a test) moves the map would, at its end, put the map back on its
    target. SC.debug.fit is the latest one's promise. */
async function fitRegistry() {
  const center = map.getCenter(), zoom = map.getZoom();
  try {
    const all = await api("GET", "/api/v1/cameras/area?bbox=-180,-90,180,90&zoom=2&active=all", null, { quiet: true });
    const boxes = all.mode === "clusters" ? all.clusters.map((c) => c.bbox)
      : all.cameras.map((c) => [...c.location.coordinates, ...c.location.coordinates]);
    if (!boxes.length || map.getZoom() !== zoom || !map.getCenter().equals(center)) return;
    const w = Math.min(...boxes.map((b) => b[0])), s = Math.min(...boxes.map((b) => b[1]));
    const e = Math.max(...boxes.map((b) => b[2])), n = Math.max(...boxes.map((b) => b[3]));
    map.fitBounds([[s, w], [n, e]], { maxZoom: 16, padding: [16, 16], animate: false });
  } catch (e) { /* the map stays where it is */ }
}
debug.fit = fitRegistry();

$("#cam-q").addEventListener("input", () => {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => { state.q = $("#cam-q").value.trim(); state.offset = 0; load(); }, 250);
});
$("#cam-filter").addEventListener("submit", (e) => { e.preventDefault(); state.q = $("#cam-q").value.trim(); state.offset = 0; load(); });
$("#cam-active-only").addEventListener("change", () => { state.offset = 0; load(); cams.refresh(0); });
$("#cam-prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); load(); });
$("#cam-next").addEventListener("click", () => { state.offset += PAGE; load(); });

/** "row 4.lat" -> "Row 4 · lat"; "_header" and the like -> "The header" / "The file". */
function where(key) {
  const m = /^row (\d+)\.(.+)$/.exec(key);
  if (m) return m[2] === "_row" || m[2] === "_feature" ? t("camfile.at_row", { n: m[1] }) : t("camfile.at_cell", { n: m[1], col: m[2] });
  if (key.startsWith("_header")) return t("camfile.at_header");
  return t("camfile.at_file");
}

function list(entries) {
  return el("ul", {}, entries.map(([k, v]) => el("li", {}, el("strong", {}, where(k)), ": ", String(v))));
}

function showResult(res) {
  const box = clear($("#cam-result"));
  const read = res.separator
    ? t("camfile.read_as", { encoding: res.encoding || "?", separator: t("camfile.sep_" + res.separator) })
    : t("camfile.read_geojson", { encoding: res.encoding || "?" });
  box.append(el("div", { class: "alert cam-ok", role: "status" },
    el("p", { class: "strong" }, t("camfile.done", { created: res.created, updated: res.updated })),
    res.skipped_rows ? el("p", {}, t("camfile.skipped", { n: res.skipped_rows })) : null,
    el("p", { class: "small" }, read)));
  const warnings = Object.entries(res.warnings || {});
  if (warnings.length) {
    box.append(el("div", { class: "alert cam-warn", role: "status" },
      el("p", { class: "strong" }, t("camfile.warnings", { n: warnings.length })), list(warnings)));
  }
}

function showErrors(err) {
  const box = clear($("#cam-result"));
  const errors = (err.data && err.data.errors) || null;
  if (err.status === 400 && errors) {
    const entries = Object.entries(errors);
    box.append(el("div", { class: "alert alert-error", role: "alert" },
      el("p", { class: "strong" }, t("camfile.refused", { n: entries.length })), list(entries)));
  } else {
    box.append(el("div", { class: "alert alert-error", role: "alert" }, errorMessage(err)));
  }
}

/** The import's progress as the server streams it (one JSON object a line); the last line is its outcome. */
async function importStreamed(file, fmt) {
  const body = new FormData();
  body.append("file", file, file.name);
  const resp = await fetch("/api/v1/cameras/import?format=" + fmt, {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/x-ndjson", "X-CSRF-Token": config.csrfToken || "", "X-Device-Id": deviceId },
  });
  if (!resp.ok || !(resp.headers.get("Content-Type") || "").includes("ndjson")) {
    let data = {};
    try { data = await resp.json(); } catch (e) { /* not JSON */ }
    throw Object.assign(new Error("HTTP " + resp.status), { status: resp.status, data });
  }
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      last = JSON.parse(line);
      if (last.stage) showProgress(last);
    }
    if (done) break;
  }
  if (last && last.result) return last.result;
  const error = (last && last.error) || { status: 0, message: t("camfile.import_failed") };
  throw Object.assign(new Error("import"), { status: error.status, data: { errors: error.errors, message: error.message } });
}

function showProgress(p) {
  $("#cam-progress").hidden = false;
  const bar = $("#cam-progress-bar");
  if (p.total) { bar.max = p.total; bar.value = p.done; } else bar.removeAttribute("value");
  // the bar's steps: checking is the first half of the work, storing the second
  if (p.total && p.stage === "checking") { bar.max = 2 * p.total; bar.value = p.done; }
  if (p.total && p.stage === "storing") { bar.max = 2 * p.total; bar.value = p.total + p.done; }
  $("#cam-progress-text").textContent = p.stage === "reading" ? t("camfile.stage_reading")
    : t("camfile.stage_" + p.stage, { done: p.done.toLocaleString(), total: p.total.toLocaleString() });
}

$("#cam-import").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#cam-file");
  const file = input.files && input.files[0];
  if (!file) {
    clear($("#cam-result")).append(el("div", { class: "alert alert-error", role: "alert" }, t("camfile.pick_file")));
    return;
  }
  const fmt = /\.(geo)?json$/i.test(file.name) ? "geojson" : "csv";
  const button = $("#cam-import-submit");
  button.disabled = true;
  clear($("#cam-result"));
  showProgress({ stage: "reading", done: 0, total: 0 });
  $("#cam-progress-text").textContent = t("camfile.uploading", { mb: (file.size / 1e6).toFixed(1) });
  try {
    const res = await importStreamed(file, fmt);
    showResult(res);
    toast(t("camfile.done", { created: res.created, updated: res.updated }), "ok");
    input.value = "";
    state.offset = 0;
    load();
    cams.refresh(0);
    debug.fit = fitRegistry();
  } catch (err) {
    showErrors(err);
  } finally {
    button.disabled = false;
    $("#cam-progress").hidden = true;
  }
});

load();
