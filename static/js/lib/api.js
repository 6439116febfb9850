/* search-coord: calls to the JSON API (CSRF token, device id, errors as toasts), ids, and the enum lists (meta). */
import { toast } from "./dom.js";
import { hasKey, t } from "./i18n.js";
import { config } from "./page.js";
import { fieldErrors, serverText } from "./server_text.js";

/** A readable message for an API error (translated when we know the code). */
export function errorMessage(err) {
  if (!err) return t("error.unknown");
  if (err.network) return t("error.network");
  const data = err.data || {};
  const code = data.error;
  let head = t("error.http", { status: err.status || "?" });
  const known = code && hasKey("error." + code) ? t("error." + code) : null;
  if (known) head = known;
  let detail = serverText(data.message || "");
  if (data.errors && typeof data.errors === "object") {
    detail = fieldErrors(data.errors);
  }
  return detail ? head + " — " + detail : head;
}

/* ---- identity: device id, client ids ------------------------------------------------------- */

export function randomId(prefix) {
  const bytes = new Uint8Array(12);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return (prefix ? prefix + "-" : "") + hex;
}

export const deviceId = (function () {
  const key = "sc.deviceId";
  let id = null;
  try { id = localStorage.getItem(key); } catch (e) { /* private mode */ }
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = randomId("dev");
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
export async function api(method, url, body, opts) {
  opts = opts || {};
  const headers = { "X-Device-Id": deviceId, Accept: "application/json" };
  let payload;
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = config.csrfToken || "";
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
    if (!opts.quiet) toast(errorMessage(err), "error");
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
    if (!opts.quiet) toast(errorMessage(err), "error");
    throw err;
  }
  return data;
}

/* ---- meta (enum lists from the server), cached per page --------------------------------------- */

let metaPromise = null;
export function meta() {
  if (!metaPromise) metaPromise = api("GET", "/api/v1/meta").catch((e) => { metaPromise = null; throw e; });
  return metaPromise;
}
