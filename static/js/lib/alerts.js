/* search-coord: a broadcast's words in the page's language. The server's own alerts (FOUND, a confirmed sighting,
   DISREGARD a retracted one) carry {kind, params} and are worded here from the `alert.<kind>` strings, times in the
   page's time zone; older ones hold an English line and a Chinese line, of which the page's language is shown; a
   dispatcher's own message is shown as typed. */
import { fmtTime } from "./format.js";
import { hasKey, lang, t, tEnum } from "./i18n.js";

const SERVER_KINDS = ["found", "sighting", "disregard"];

/** An alert's sentence from its kind and params (see search_coord/core/alerts.py for each kind's params). */
export function alertText(kind, params) {
  const p = params || {};
  const values = { ...p };
  if ("time" in p) values.time = fmtTime(p.time);
  if ("condition" in p) values.condition = tEnum("condition", p.condition);
  if ("heading" in p) values.heading = p.heading ? t("alert.sighting.heading", { dir: t("alert.dir." + p.heading) }) : "";
  return t("alert." + kind, values);
}

/** The text of broadcast `b` ({kind, text, params}) for this page. */
export function broadcastText(b) {
  if (!b) return "";
  if (b.params && typeof b.params === "object" && hasKey("alert." + b.kind)) return alertText(b.kind, b.params);
  const text = b.text || "";
  if (!SERVER_KINDS.includes(b.kind)) return text;
  const cut = text.indexOf("\n"); // a row from before {kind, params}: "English\nChinese"
  if (cut < 0) return text;
  return lang.startsWith("zh") ? text.slice(cut + 1) : text.slice(0, cut);
}
