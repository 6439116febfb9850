/* search-coord: shared helpers for every page (i18n, API calls, toasts, time formatting, small DOM helpers). */
"use strict";

(function () {
  const SC = (window.SC = window.SC || {});
  /** The page's data blocks (<script type="application/json">): read as JSON, never run. */
  function pageData(id) {
    const node = document.getElementById(id);
    if (!node) return {};
    try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
  }
  const CONFIG = (window.SC_CONFIG = pageData("sc-config"));
  const I18N = pageData("sc-i18n");
  SC.config = CONFIG;
  SC.lang = document.documentElement.lang || "en";

  /* ---- i18n ------------------------------------------------------------------------------------ */

  /** Translate `key`; `{name}` placeholders are filled from `values`. Falls back to the key itself. */
  SC.t = function t(key, values) {
    let text = Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (values[name] === undefined || values[name] === null ? "" : String(values[name])));
    }
    return text;
  };
  /** Translate an enum value, e.g. tEnum("category", "dementia") -> I18N["category.dementia"]. */
  /** A broadcast's text for this page's language: the server writes its own alerts (FOUND, a confirmed or a
      retracted sighting) as an English line and a Chinese line, so that every unit can read them; show the line of
      the page's language. */
  SC.broadcastText = function broadcastText(b) {
    const text = (b && b.text) || "";
    if (!b || !["found", "sighting", "disregard"].includes(b.kind)) return text;
    const cut = text.indexOf("\n");
    if (cut < 0) return text;
    return SC.lang.startsWith("zh") ? text.slice(cut + 1) : text.slice(0, cut);
  };

  SC.tEnum = function tEnum(group, value) {
    if (value === null || value === undefined || value === "") return "";
    const key = group + "." + value;
    return Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : String(value);
  };

  /* ---- DOM --------------------------------------------------------------------------------------- */

  SC.$ = (sel, root) => (root || document).querySelector(sel);
  SC.$$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "poster", "xlink:href"]);
  /** A URL that is safe in href/src: relative, http(s), mailto/tel, blob, or a data: image; else null. */
  SC.safeUrl = function safeUrl(value) {
    const url = String(value).trim();
    let parsed;
    try { parsed = new URL(url, window.location.href); } catch (e) { return null; }
    if (["http:", "https:", "mailto:", "tel:", "blob:"].includes(parsed.protocol)) return url;
    if (parsed.protocol === "data:" && /^data:image\/(png|jpeg|gif|webp);/i.test(url)) return url;
    return null;
  };

  /** The one way the front end builds DOM: el("div", {class: "x", onclick: fn, dataset: {...}}, child, "text", ...).
      Strings are always text (children become text nodes); an "on..." attribute must be a function (never inline
      handler text) and a URL attribute must pass SC.safeUrl (no javascript:). There is no way to pass HTML. */
  SC.el = function el(tag, attrs, ...children) {
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
        else throw new TypeError("SC.el: " + k + " must be a function");
      } else if (URL_ATTRS.has(k.toLowerCase())) {
        const url = SC.safeUrl(v);
        if (url !== null) node.setAttribute(k, url);
      } else if (/html$/i.test(k)) throw new TypeError("SC.el: " + k + " is not text");
      else if (v === true) node.setAttribute(k, "");
      else node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };

  SC.clear = function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  /** Fill a <select> with [value, label] pairs, keeping the current choice when possible. */
  SC.fillSelect = function fillSelect(select, pairs, opts) {
    const keep = select.value;
    SC.clear(select);
    if (opts && opts.blank !== undefined) select.append(SC.el("option", { value: "" }, opts.blank));
    for (const [value, label] of pairs) select.append(SC.el("option", { value }, label));
    if (pairs.some(([v]) => String(v) === keep)) select.value = keep;
    else if (opts && opts.selected !== undefined) select.value = String(opts.selected);
  };

  /* ---- toasts ---------------------------------------------------------------------------------- */

  function toastRegion() {
    let r = document.getElementById("toasts");
    if (!r) {
      r = SC.el("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
      document.body.append(r);
    }
    return r;
  }

  /** Show a message; kind is "error", "ok" or "info". Errors stay until dismissed. */
  SC.toast = function toast(message, kind) {
    kind = kind || "info";
    const close = SC.el("button", { type: "button", class: "toast-close", "aria-label": SC.t("action.dismiss") }, "×");
    const box = SC.el("div", { class: "toast toast-" + kind, role: kind === "error" ? "alert" : null },
      SC.el("span", { class: "toast-text" }, message), close);
    close.addEventListener("click", () => box.remove());
    toastRegion().append(box);
    if (kind !== "error") setTimeout(() => box.remove(), 4000);
    else setTimeout(() => box.remove(), 15000);
    return box;
  };

  /** A readable message for an API error (translated when we know the code). */
  SC.errorMessage = function errorMessage(err) {
    if (!err) return SC.t("error.unknown");
    if (err.network) return SC.t("error.network");
    const data = err.data || {};
    const code = data.error;
    let head = SC.t("error.http", { status: err.status || "?" });
    const known = code && Object.prototype.hasOwnProperty.call(I18N, "error." + code) ? SC.t("error." + code) : null;
    if (known) head = known;
    let detail = data.message || "";
    if (data.errors && typeof data.errors === "object") {
      detail = Object.entries(data.errors).map(([k, v]) => k + ": " + v).join("; ");
    }
    return detail ? head + " — " + detail : head;
  };

  /* ---- identity: device id, client ids ------------------------------------------------------- */

  SC.randomId = function randomId(prefix) {
    const bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return (prefix ? prefix + "-" : "") + hex;
  };

  SC.deviceId = (function () {
    const key = "sc.deviceId";
    let id = null;
    try { id = localStorage.getItem(key); } catch (e) { /* private mode */ }
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      id = SC.randomId("dev");
      try { localStorage.setItem(key, id); } catch (e) { /* ignore */ }
    }
    return id;
  })();

  /* ---- API --------------------------------------------------------------------------------------- */

  /**
   * Call the JSON API. `body` may be an object (sent as JSON) or FormData. Resolves with the parsed JSON
   * (null for 204); rejects with an Error carrying {status, data, network}. Errors are shown as a toast unless
   * opts.quiet is set.
   */
  SC.api = async function api(method, url, body, opts) {
    opts = opts || {};
    const headers = { "X-Device-Id": SC.deviceId, Accept: "application/json" };
    let payload;
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = CONFIG.csrfToken || "";
    if (body instanceof FormData) payload = body;
    else if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else if (method !== "GET" && method !== "HEAD") {
      headers["Content-Type"] = "application/json";
    }
    let resp;
    try {
      resp = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    } catch (e) {
      const err = new Error("network");
      err.network = true;
      if (!opts.quiet) SC.toast(SC.errorMessage(err), "error");
      throw err;
    }
    let data = null;
    const text = resp.status === 204 ? "" : await resp.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { error: "bad_response", message: text.slice(0, 200) }; }
    }
    if (!resp.ok) {
      const err = new Error((data && data.message) || "HTTP " + resp.status);
      err.status = resp.status;
      err.data = data || {};
      if (!opts.quiet) SC.toast(SC.errorMessage(err), "error");
      throw err;
    }
    return data;
  };

  /** Show field errors from a 400 next to inputs that have data-field="<key>"; returns the keys not shown. */
  SC.showFieldErrors = function showFieldErrors(form, errors) {
    SC.$$(".field-error", form).forEach((n) => n.remove());
    SC.$$("[aria-invalid]", form).forEach((n) => n.removeAttribute("aria-invalid"));
    const unshown = [];
    for (const [key, msg] of Object.entries(errors || {})) {
      const target = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
      if (!target) { unshown.push(key); continue; }
      const input = target.matches("input,select,textarea") ? target : target.querySelector("input,select,textarea");
      if (input) input.setAttribute("aria-invalid", "true");
      const id = "err-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
      const note = SC.el("p", { class: "field-error", id }, msg);
      const holder = target.closest(".field") || target;
      holder.append(note);
      if (input) input.setAttribute("aria-describedby", id);
    }
    const first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
    return unshown;
  };

  /* ---- time --------------------------------------------------------------------------------------- */

  const timeFmt = new Intl.DateTimeFormat(SC.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const timeSecFmt = new Intl.DateTimeFormat(SC.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const dateTimeFmt = new Intl.DateTimeFormat(SC.lang, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });

  SC.fmtTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : "");
  SC.fmtTimeSec = (iso) => (iso ? timeSecFmt.format(new Date(iso)) : "");
  SC.fmtDateTime = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : "");

  /** "2 h 05 min" style duration since `iso`. */
  SC.fmtSince = function fmtSince(iso, now) {
    if (!iso) return "";
    let mins = Math.max(0, Math.floor(((now || Date.now()) - new Date(iso).getTime()) / 60000));
    const days = Math.floor(mins / 1440);
    mins -= days * 1440;
    const h = Math.floor(mins / 60);
    const m = mins % 60;
    if (days) return SC.t("duration.dhm", { d: days, h, m });
    if (h) return SC.t("duration.hm", { h, m: String(m).padStart(2, "0") });
    return SC.t("duration.m", { m });
  };

  /** A datetime-local value ("2026-11-28T17:30") -> ISO with the browser's offset ("...+08:00"). */
  SC.localInputToIso = function localInputToIso(value) {
    if (!value) return null;
    const d = new Date(value);
    if (isNaN(d.getTime())) return null;
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? "+" : "-";
    const abs = Math.abs(off);
    const pad = (n) => String(n).padStart(2, "0");
    const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return `${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  };

  /** A Date -> datetime-local input value in local time. */
  SC.dateToLocalInput = function dateToLocalInput(d) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  SC.fmtCoord = (lon, lat) => `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`;

  /* ---- meta (enum lists from the server), cached per page --------------------------------------- */

  let metaPromise = null;
  SC.meta = function meta() {
    if (!metaPromise) metaPromise = SC.api("GET", "/api/v1/meta").catch((e) => { metaPromise = null; throw e; });
    return metaPromise;
  };

  SC.user = CONFIG.user || null;
  SC.isDispatcher = !!(SC.user && (SC.user.role === "dispatcher" || SC.user.role === "admin"));

  /** A <dialog> helper: open it, resolve when closed (value = the returnValue). */
  SC.openDialog = function openDialog(dialog) {
    return new Promise((resolve) => {
      const done = () => { dialog.removeEventListener("close", done); resolve(dialog.returnValue); };
      dialog.addEventListener("close", done);
      dialog.returnValue = "";
      if (!dialog.open) dialog.showModal();
    });
  };

  /* <time class="js-time" datetime="..."> the server wrote: shown in the browser's time zone */
  for (const node of SC.$$("time.js-time")) node.textContent = SC.fmtDateTime(node.getAttribute("datetime"));

  /* close buttons inside dialogs: <button data-close> */
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-close]");
    if (btn) {
      const d = btn.closest("dialog");
      if (d) d.close("cancel");
    }
  });
})();
