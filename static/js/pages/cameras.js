/* search-coord: the camera registry page. Browse it a page at a time (it may hold tens of thousands of cameras),
   import a CSV or GeoJSON file (the server's row/column errors listed, or how many were added and updated), export.
   Every text from the server or a file goes into the DOM as text. */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { fmtCoord } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { boot } from "../lib/boot.js";

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

$("#cam-q").addEventListener("input", () => {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => { state.q = $("#cam-q").value.trim(); state.offset = 0; load(); }, 250);
});
$("#cam-filter").addEventListener("submit", (e) => { e.preventDefault(); state.q = $("#cam-q").value.trim(); state.offset = 0; load(); });
$("#cam-active-only").addEventListener("change", () => { state.offset = 0; load(); });
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

$("#cam-import").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#cam-file");
  const file = input.files && input.files[0];
  if (!file) {
    clear($("#cam-result")).append(el("div", { class: "alert alert-error", role: "alert" }, t("camfile.pick_file")));
    return;
  }
  const fmt = /\.(geo)?json$/i.test(file.name) ? "geojson" : "csv";
  const body = new FormData();
  body.append("file", file, file.name);
  const button = $("#cam-import-submit");
  button.disabled = true;
  clear($("#cam-result")).append(el("p", { class: "muted" }, t("camfile.importing")));
  try {
    const res = await api("POST", "/api/v1/cameras/import?format=" + fmt, body, { quiet: true });
    showResult(res);
    toast(t("camfile.done", { created: res.created, updated: res.updated }), "ok");
    input.value = "";
    state.offset = 0;
    load();
  } catch (err) {
    showErrors(err);
  } finally {
    button.disabled = false;
  }
});

load();
