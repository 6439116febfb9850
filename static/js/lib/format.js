/* search-coord: times, durations, coordinates and percentages as text in the page's language. */
import { lang, t } from "./i18n.js";
import { config } from "./page.js";

/* ---- time: always in the station's time zone (config.timeZone), whatever zone the device is set to ---------- */

/** The station's IANA time zone (the server's TIMEZONE setting); the browser's own when the page has none. */
export const stationZone = (() => {
  try { return new Intl.DateTimeFormat("en", { timeZone: config.timeZone }).resolvedOptions().timeZone; } catch (e) { return undefined; }
})();
const tz = stationZone ? { timeZone: stationZone } : {};
const timeFmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...tz });
const timeSecFmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", ...tz });
const dateTimeFmt = new Intl.DateTimeFormat(lang, {
  month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...tz,
});
const partsFmt = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
  minute: "2-digit", second: "2-digit", hourCycle: "h23", ...tz });

/** The station's wall clock at `d` (a Date): {y, mo, d, h, mi, s} (month 1-12). */
export function wallClock(d) {
  const p = {};
  for (const x of partsFmt.formatToParts(d)) p[x.type] = Number(x.value);
  return { y: p.year, mo: p.month, d: p.day, h: p.hour % 24, mi: p.minute, s: p.second };
}
/** Minutes east of UTC in the station's zone at instant `ms`. */
export function zoneOffsetMin(ms) {
  const w = wallClock(new Date(ms));
  return Math.round((Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000) / 60000);
}
/** The instant (ms) of a wall-clock time in the station's zone (month 1-12). */
export function wallToMs(y, mo, d, h, mi) {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let ms = guess - zoneOffsetMin(guess) * 60000;
  ms = guess - zoneOffsetMin(ms) * 60000; // once more across a change of offset
  return ms;
}
/** "UTC+8": which zone the times are in, said where it matters (forms, the clock). */
export function zoneLabel() {
  const off = zoneOffsetMin(Date.now());
  const h = Math.floor(Math.abs(off) / 60);
  const m = Math.abs(off) % 60;
  return `UTC${off < 0 ? "−" : "+"}${h}${m ? ":" + String(m).padStart(2, "0") : ""}`;
}

export const fmtTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : "");
export const fmtTimeSec = (iso) => (iso ? timeSecFmt.format(new Date(iso)) : "");
export const fmtDateTime = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : "");

/** "2 h 05 min" style duration since `iso`. */
export function fmtSince(iso, now) {
  if (!iso) return "";
  let mins = Math.max(0, Math.floor(((now || Date.now()) - new Date(iso).getTime()) / 60000));
  const days = Math.floor(mins / 1440);
  mins -= days * 1440;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  if (days) return t("duration.dhm", { d: days, h, m });
  if (h) return t("duration.hm", { h, m: String(m).padStart(2, "0") });
  return t("duration.m", { m });
}

/** A datetime-local value ("2026-11-28T17:30"), read as the station's wall clock -> ISO with its offset
    ("...+08:00"); null when it is not a time. */
export function localInputToIso(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || "");
  if (!m) return null;
  const ms = wallToMs(+m[1], +m[2], +m[3], +m[4], +m[5]);
  if (isNaN(ms)) return null;
  const off = zoneOffsetMin(ms);
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  const pad = (n) => String(n).padStart(2, "0");
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] || "00"}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A Date -> datetime-local input value on the station's wall clock (``seconds``: with them, "...T17:30:05"). */
export function dateToLocalInput(d, seconds) {
  const pad = (n) => String(n).padStart(2, "0");
  const w = wallClock(d);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}` + (seconds ? `:${pad(w.s)}` : "");
}

export const fmtCoord = (lon, lat) => `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`;

/** "just now", "3 min ago", "2 h 05 min ago". */
export function fmtAgo(iso, now) {
  if (!iso) return "";
  const mins = Math.floor(Math.max(0, (now || Date.now()) - new Date(iso).getTime()) / 60000);
  if (mins < 1) return t("age.now");
  if (mins < 60) return t("age.m", { m: mins });
  return t("age.hm", { h: Math.floor(mins / 60), m: String(mins % 60).padStart(2, "0") });
}

/** A probability as a percentage: "12.5 %", "0.25 %", "< 0.01 %", "—" when not known; unit "%" writes it close up. */
export function pct(x, unit) {
  const u = unit === undefined ? " %" : unit;
  if (x === null || x === undefined) return "—";
  if (x > 0 && x < 0.0001) return "< 0.01" + u;
  return (100 * x).toFixed(x < 0.01 ? 2 : 1) + u;
}
