/* search-coord: the page's strings (English or Chinese, from the sc-i18n data block) and its language. */
import { pageData } from "./page.js";

const I18N = pageData("sc-i18n");
export const lang = document.documentElement.lang || "en";
/** Whether the page's strings have `key`. */
export const hasKey = (key) => Object.prototype.hasOwnProperty.call(I18N, key);
/* ---- i18n ------------------------------------------------------------------------------------ */

/** Translate `key`; `{name}` placeholders are filled from `values`. Falls back to the key itself. */
export function t(key, values) {
  let text = Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : key;
  if (values) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (values[name] === undefined || values[name] === null ? "" : String(values[name])));
  }
  return text;
}
/** Translate an enum value, e.g. tEnum("category", "dementia") -> I18N["category.dementia"]. */
/** A broadcast's text for this page's language: the server writes its own alerts (FOUND, a confirmed or a
    retracted sighting) as an English line and a Chinese line, so that every unit can read them; show the line of
    the page's language. */
export function broadcastText(b) {
  const text = (b && b.text) || "";
  if (!b || !["found", "sighting", "disregard"].includes(b.kind)) return text;
  const cut = text.indexOf("\n");
  if (cut < 0) return text;
  return lang.startsWith("zh") ? text.slice(cut + 1) : text.slice(0, cut);
}

export function tEnum(group, value) {
  if (value === null || value === undefined || value === "") return "";
  const key = group + "." + value;
  return Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : String(value);
}

