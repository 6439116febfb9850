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
/* A broadcast's text in the page's language (server alerts {kind, params}): lib/alerts.js broadcastText. */

/** Translate an enum value, e.g. tEnum("category", "dementia") -> I18N["category.dementia"]. */
export function tEnum(group, value) {
  if (value === null || value === undefined || value === "") return "";
  const key = group + "." + value;
  return Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : String(value);
}

