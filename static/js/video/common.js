/* search-coord: video review's shared pieces: the lists, number and time formats, timeline bars, small form helpers. */
import { clear, el, showFieldErrors } from "../lib/dom.js";
import { dateToLocalInput, fmtDateTime, fmtTime, fmtTimeSec } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { dialogShell, showErrors } from "../reports/dialogs.js";

export { showErrors }; // the dialogs' one way to show a failed submit

export const DIRECTIONS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];
export const DIR_DEG = { N: 0, NE: 45, E: 90, SE: 135, S: 180, SW: 225, W: 270, NW: 315 };
export const CAMERA_KINDS = ["public_security", "traffic", "shop", "residential", "bus", "other"];
export const FOOTAGE = ["not_requested", "requested", "received", "unavailable"];
export const TASK_STATUSES = ["open", "in_progress", "done", "cancelled"];
export const CONFIDENCES = ["certain", "probable", "possible"];
export const TRAIL_COLOR = "#7048e8";
export const FLAG_COLORS = { fast: "#e8590c", implausible: "#c92a2a" };

export const km = (m) => (m === null || m === undefined ? "—" : m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(2) + " km");
export const mins = (s) => Math.round((s || 0) / 60);
export const ms = (iso) => new Date(iso).getTime();
export const dirName = (deg) => {
  if (deg === null || deg === undefined) return "";
  const i = Math.round((((Number(deg) % 360) + 360) % 360) / 45) % 8;
  return DIRECTIONS[i];
};

/** A Date -> datetime-local value with seconds ("2026-11-28T17:30:05"), on the station's clock (as the recorder
    shows it and lib/format.js localInputToIso reads it back), whatever zone this browser is set to. */
export const toLocalInputSec = (d) => dateToLocalInput(d, true);

/** "17:30–18:40" (with the day when it is not today). */
export function fmtWindow(a, b, withSeconds) {
  if (!a || !b) return "";
  const f = withSeconds ? fmtTimeSec : fmtTime;
  const today = new Date().toDateString();
  const day = (iso) => (new Date(iso).toDateString() === today ? "" : fmtDateTime(iso).replace(/\s*\d{1,2}:\d{2}$/, "") + " ");
  return `${day(a)}${f(a)}–${new Date(a).toDateString() === new Date(b).toDateString() ? "" : day(b)}${f(b)}`;
}

/** The timeline of a window: reviewed stretches over unreviewed time, sightings as ticks. */
export function timelineBar(start, end, reviewed, ticks) {
  const a = ms(start);
  const b = ms(end);
  const span = Math.max(1, b - a);
  const bar = el("div", { class: "vt-bar", role: "img" });
  let covered = 0;
  const merged = mergeIntervals((reviewed || []).map(([s, e]) => [Math.max(a, ms(s)), Math.min(b, ms(e))]).filter(([s, e]) => e > s));
  for (const [s, e] of merged) {
    covered += e - s;
    bar.append(el("span", { class: "vt-reviewed", style: `left:${(100 * (s - a) / span).toFixed(2)}%;width:${Math.max(0.4, 100 * (e - s) / span).toFixed(2)}%` }));
  }
  for (const tk of ticks || []) {
    const x = ms(tk.time);
    if (x < a || x > b) continue;
    bar.append(el("span", { class: "vt-tick vt-tick-" + (tk.status || "pending"), title: fmtTimeSec(tk.time), style: `left:${(100 * (x - a) / span).toFixed(2)}%` }));
  }
  const share = covered / span;
  bar.setAttribute("aria-label", t("video.reviewed_of", { done: mins(covered / 1000), total: mins(span / 1000), pct: Math.round(100 * share) }));
  return el("div", { class: "vt" }, bar,
    el("div", { class: "vt-scale small" }, el("span", {}, fmtTime(start)),
      el("span", { class: "vt-share" + (share >= 0.999 ? " vt-complete" : "") },
        t("video.reviewed_of", { done: mins(covered / 1000), total: mins(span / 1000), pct: Math.round(100 * share) })),
      el("span", {}, fmtTime(end))));
}

export function mergeIntervals(list) {
  const sorted = list.slice().sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const [s, e] of sorted) {
    if (out.length && s <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The first unreviewed stretch of a window ([startMs, endMs]) or null. */
export function firstGap(start, end, reviewed) {
  const a = ms(start);
  const b = ms(end);
  let cur = a;
  for (const [s, e] of mergeIntervals((reviewed || []).map(([x, y]) => [ms(x), ms(y)]))) {
    if (s > cur) break;
    cur = Math.max(cur, e);
  }
  return cur < b - 1000 ? [cur, b] : null;
}

/* ---- small dialog helper ------------------------------------------------------------------------------- */

export function dialog(id, title, body, submitLabel, submitClass) {
  return dialogShell(id, title, body, submitLabel, submitClass, "vdialog");
}

export function resetForm(form) {
  form.reset();
  showFieldErrors(form, {});
  clear(form.querySelector(".form-errors"));
}

export const field = (name, label, input, extra) => el("div", { class: "field", "data-field": name }, el("label", { for: input.id }, label), input, extra || null);

export function segmented(name, values, labelOf, opts) {
  opts = opts || {};
  return el("div", { class: "segmented " + (opts.cls || ""), role: "radiogroup" }, values.map((v) => el("label", { class: "seg seg-" + v },
    el("input", { type: "radio", name, value: v, checked: opts.checked === v }), el("span", {}, labelOf(v)))));
}

/** The eight directions as a compass (big targets) with "not known" in the middle. */
export function compass(name) {
  const cell = (v) => el("label", { class: "seg compass-" + (v || "none") },
    el("input", { type: "radio", name, value: v || "", checked: !v }),
    el("span", { title: v ? tEnum("dir", v) : t("clue.direction_none") }, v ? tEnum("dir_short", v) : "?"));
  return el("div", { class: "compass", role: "radiogroup" },
    ["NW", "N", "NE", "W", null, "E", "SW", "S", "SE"].map(cell));
}

/** A camera's clock offset as text ("5 s fast"), flagged when it is days off. */
export function offsetText(s) {
  if (!s) return t("camera.offset_none");
  const text = s > 0 ? t("camera.offset_fast", { s: Math.abs(s) }) : t("camera.offset_slow", { s: Math.abs(s) });
  return Math.abs(s) > 86400 ? `⚠ ${text} (${t("camfile.clock_far", { days: Math.round(Math.abs(s) / 86400) })})` : text;
}
