/* search-coord: the one way the front end builds DOM (el: nodes and text, never HTML), toasts, dialogs, form errors. */
import { t } from "./i18n.js";
import { serverText } from "./server_text.js";

/* ---- DOM --------------------------------------------------------------------------------------- */

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

const URL_ATTRS = new Set(["href", "src", "action", "formaction", "poster", "xlink:href"]);
/** A URL that is safe in href/src: relative, http(s), mailto/tel, blob, or a data: image; else null. */
export function safeUrl(value) {
  const url = String(value).trim();
  let parsed;
  try { parsed = new URL(url, window.location.href); } catch (e) { return null; }
  if (["http:", "https:", "mailto:", "tel:", "blob:"].includes(parsed.protocol)) return url;
  if (parsed.protocol === "data:" && /^data:image\/(png|jpeg|gif|webp);/i.test(url)) return url;
  return null;
}

/** The one way the front end builds DOM: el("div", {class: "x", onclick: fn, dataset: {...}}, child, "text", ...).
    Strings are always text (children become text nodes); an "on..." attribute must be a function (never inline
    handler text) and a URL attribute must pass safeUrl (no javascript:). There is no way to pass HTML. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "style") {   // through the CSSOM (which CSP allows), not a style attribute (which it blocks)
      if (typeof v === "object") Object.assign(node.style, v);
      else node.style.cssText = String(v);
    }
    else if (/^on/i.test(k)) {
      if (typeof v === "function") node.addEventListener(k.slice(2), v);
      else throw new TypeError("el: " + k + " must be a function");
    } else if (URL_ATTRS.has(k.toLowerCase())) {
      const url = safeUrl(v);
      if (url !== null) node.setAttribute(k, url);
    } else if (/html$/i.test(k)) throw new TypeError("el: " + k + " is not text");
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Fill a <select> with [value, label] pairs, keeping the current choice when possible. */
export function fillSelect(select, pairs, opts) {
  const keep = select.value;
  clear(select);
  if (opts && opts.blank !== undefined) select.append(el("option", { value: "" }, opts.blank));
  for (const [value, label] of pairs) select.append(el("option", { value }, label));
  if (pairs.some(([v]) => String(v) === keep)) select.value = keep;
  else if (opts && opts.selected !== undefined) select.value = String(opts.selected);
}

/* ---- toasts ---------------------------------------------------------------------------------- */

function toastRegion() {
  let r = document.getElementById("toasts");
  if (!r) {
    r = el("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(r);
  }
  return r;
}

/** Show a message; kind is "error", "ok" or "info". Errors stay until dismissed. */
export function toast(message, kind) {
  kind = kind || "info";
  const close = el("button", { type: "button", class: "toast-close", "aria-label": t("action.dismiss") }, "×");
  const box = el("div", { class: "toast toast-" + kind, role: kind === "error" ? "alert" : null },
    el("span", { class: "toast-text" }, message), close);
  close.addEventListener("click", () => box.remove());
  toastRegion().append(box);
  if (kind !== "error") setTimeout(() => box.remove(), 4000);
  else setTimeout(() => box.remove(), 15000);
  return box;
}

/** Show field errors from a 400 next to inputs that have data-field="<key>"; returns the keys not shown. */
export function showFieldErrors(form, errors) {
  clearErrorsOnInput(form);
  $$(".field-error", form).forEach((n) => n.remove());
  $$("[aria-invalid]", form).forEach((n) => n.removeAttribute("aria-invalid"));
  const unshown = [];
  for (const [key, msg] of Object.entries(errors || {})) {
    const target = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (!target) { unshown.push(key); continue; }
    const input = target.matches("input,select,textarea") ? target : target.querySelector("input,select,textarea");
    if (input) input.setAttribute("aria-invalid", "true");
    const id = "err-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
    const note = el("p", { class: "field-error", id }, serverText(msg, key));
    const holder = target.closest(".field") || target;
    holder.append(note);
    if (input) input.setAttribute("aria-describedby", id);
  }
  const first = form.querySelector("[aria-invalid]");
  if (first) first.focus();
  return unshown;
}

/** Once a field is changed, its error note goes (an "is required" must not stay beside a filled field). */
function clearErrorsOnInput(form) {
  if (form.dataset.clearsErrors) return;
  form.dataset.clearsErrors = "1";
  const clearOne = (e) => {
    const holder = e.target.closest(".field, [data-field]");
    if (!holder) return;
    $$(".field-error", holder).forEach((n) => n.remove());
    $$("[aria-invalid]", holder).forEach((n) => n.removeAttribute("aria-invalid"));
  };
  form.addEventListener("input", clearOne);
  form.addEventListener("change", clearOne);
}

/** A <dialog> helper: open it, resolve when closed (value = the returnValue). */
export function openDialog(dialog) {
  return new Promise((resolve) => {
    const done = () => { dialog.removeEventListener("close", done); resolve(dialog.returnValue); };
    dialog.addEventListener("close", done);
    dialog.returnValue = "";
    if (!dialog.open) dialog.showModal();
  });
}
