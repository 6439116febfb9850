/* search-coord: times, durations, coordinates and percentages as text in the page's language. */
import { lang, t } from "./i18n.js";

/* ---- time --------------------------------------------------------------------------------------- */

const timeFmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const timeSecFmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const dateTimeFmt = new Intl.DateTimeFormat(lang, {
  month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

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

/** A datetime-local value ("2026-11-28T17:30") -> ISO with the browser's offset ("...+08:00"). */
export function localInputToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  if (isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  const pad = (n) => String(n).padStart(2, "0");
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A Date -> datetime-local input value in local time. */
export function dateToLocalInput(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
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
