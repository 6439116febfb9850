/* search-coord: the outbox as the officer sees it (waiting, refused items with their search and reason, discard),
   and sendReport, the one way a report dialog sends through the outbox. */
import { api, errorMessage } from "../lib/api.js";
import { clear, el } from "../lib/dom.js";
import { fmtDateTime, fmtTime } from "../lib/format.js";
import { lang, t } from "../lib/i18n.js";
import { fieldErrors, serverText } from "../lib/server_text.js";
import { outboxSearchIdOf } from "./outbox.js";
import { outbox } from "./outbox.js";
import "./outbox_photos.js"; // adds the photo items to the Outbox class

/* ---- a small view of the outbox: "3 waiting since 21:04", refused items with their reason and a discard button -- */

function itemLabel(item) {
  if (item.label) return item.label;
  if (item.kind === "track") return t("outbox.kind.track", { n: (item.body.points || []).length });
  return t("outbox.kind." + item.kind);
}
export { itemLabel as outboxItemLabel };
const sinceText = (iso) => (Date.now() - new Date(iso).getTime() > 12 * 3600e3 ? fmtDateTime(iso) : fmtTime(iso));

/** One reason of the server (English) in the page's language, when it is one we know. */
const REASONS = [
  [/search is closed/i, "outbox.reason.closed"],
  [/in the future/i, "outbox.reason.future"],
  [/before/i, "outbox.reason.too_early"],
  [/(null island|lon 0|0, ?0|not a (valid )?position|out of range|longitude|latitude)/i, "outbox.reason.position"],
  [/accuracy/i, "outbox.reason.accuracy"],
];
function reasonText(text) {
  const hit = REASONS.find(([re]) => re.test(text || ""));
  if (!hit || /^en/.test(lang || "en")) return text || ""; // the server's own words are English
  return t(hit[1]) + " (" + text + ")";
}

/** Why the server refused an item, in the page's language. */
function refusal(item) {
  const data = item.errData || {};
  if (item.kind === "fixes_refused") {
    return t("outbox.fixes_refused", { n: data.n || "?", reason: (data.reasons || [item.error]).map(reasonText).join("; ") });
  }
  let why;
  if (item.status === 409 && /search is closed/i.test(data.message || item.error || "")) why = t("outbox.reason.closed");
  else if (item.status === 413) why = t("outbox.reason.too_large");
  else if (item.status === 403) why = t("outbox.reason.forbidden");
  else if (item.status === 404) why = t("outbox.reason.not_found");
  else if (item.status === 400 && data.errors && typeof data.errors === "object") {
    why = fieldErrors(data.errors, (v, k) => { const s = serverText(String(v), k); return s === String(v) ? reasonText(s) : s; });
  } else if (item.status) why = errorMessage({ status: item.status, data });
  else why = item.error || "";
  return item.kind === "photo" ? t("outbox.photo_failed", { reason: why }) : why;
}
export { refusal as outboxRefusal };
function searchName(item) {
  const sid = outboxSearchIdOf(item);
  if (!sid) return "";
  return item.searchTitle ? t("outbox.search_named", { id: sid, title: item.searchTitle }) : t("outbox.search_n", { id: sid });
}

/** Render the outbox state into `box` (kept up to date): only the items of opts.searchId (every search's when it is
    not given). opts.compact: no line when everything is sent. */
export function outboxView(box, outbox, opts) {
  opts = opts || {};
  if (!outbox) return;
  if (!opts.searchId) {
    const node = document.querySelector("[data-search-id]");
    if (node) opts.searchId = parseInt(node.dataset.searchId, 10);
  }
  let shown = null;
  const render = () => {
    const s = outbox.summary(opts.searchId);
    // the outbox changes with every few fixes; redraw only when what is shown changes, so a button is not
    // replaced under the officer's finger (and the tap lost) for nothing
    const sig = JSON.stringify([s.authProblem, s.passwordChange, s.waiting, s.since && sinceText(s.since), s.offline,
      !opts.compact && !s.failed.length && !!outbox.lastSentAt,
      s.failed.map((i) => [i.key, i.kind, i.status, i.error, i.errData, i.label, i.searchTitle, i.created,
        ((i.body && i.body.points) || []).length])]);
    if (sig === shown) return;
    shown = sig;
    clear(box);
    box.classList.toggle("has-waiting", s.waiting > 0);
    box.classList.toggle("has-failed", s.failed.length > 0);
    box.dataset.waiting = String(s.waiting);
    box.dataset.failed = String(s.failed.length);
    if (s.authProblem) {
      box.append(el("p", { class: "outbox-auth", role: "alert" }, t("outbox.login_again"), " ",
        el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), target: "_blank", rel: "noopener" }, t("outbox.login_link"))));
    }
    if (s.passwordChange) {
      box.append(el("p", { class: "outbox-auth outbox-password", role: "alert" }, t("outbox.password_change"), " ",
        el("a", { href: "/password?next=" + encodeURIComponent(location.pathname) }, t("outbox.password_link"))));
    }
    if (s.waiting) {
      const line = el("p", { class: "outbox-line" + (s.offline ? " warn" : "") },
        el("span", { class: "outbox-count" }, t("outbox.waiting", { n: s.waiting, time: sinceText(s.since) })));
      if (s.offline) line.append(el("span", { class: "outbox-offline" }, t("field.offline")));
      line.append(" ", el("button", { type: "button", class: "btn btn-small outbox-retry", onclick: () => outbox.kick(true) }, t("outbox.retry_now")));
      box.append(line);
    } else if (!opts.compact && !s.failed.length && outbox.lastSentAt) {
      box.append(el("p", { class: "outbox-line ok" }, t("outbox.all_sent")));
    }
    if (s.failed.length) {
      const list = el("ul", { class: "outbox-failed", "aria-label": t("outbox.failed_title") });
      for (const item of s.failed) {
        const note = item.kind === "fixes_refused";
        list.append(el("li", { class: "outbox-failed-item kind-" + item.kind, "data-kind": item.kind },
          el("span", { class: "grow" },
            el("strong", {}, note ? t("outbox.kind.fixes_refused")
              : item.kind === "photo" ? t("outbox.kind.photo") + " · " + itemLabel(item) : itemLabel(item)), " · ", fmtTime(item.created),
            el("span", { class: "block small outbox-search" }, searchName(item)),
            el("span", { class: "block outbox-error" }, refusal(item))),
          el("button", { type: "button", class: "btn btn-small " + (note ? "btn-ghost" : "btn-danger"), onclick: () => {
            if (note || window.confirm(t("outbox.confirm_discard"))) outbox.discard(item.key);
          } }, note ? t("action.dismiss") : t("outbox.discard"))));
      }
      const all = el("button", { type: "button", class: "btn btn-small btn-danger outbox-discard-all", onclick: () => {
        if (window.confirm(t("outbox.confirm_discard_all", { n: s.failed.length }))) outbox.discardFailed(opts.searchId);
      } }, t("outbox.discard_all"));
      box.append(el("div", { class: "row-between outbox-failed-head" },
        el("p", { class: "outbox-failed-title" }, t("outbox.failed_title")), s.failed.length > 1 ? all : null), list);
    }
    box.hidden = !box.children.length;
  };
  outbox.on(render);
  render();
}

/**
 * Send a report through the outbox and wait a little for the answer: resolves with {result, item} where result
 * is "sent", "failed" (item.error / item.errors say why; the item has been discarded) or "waiting" (kept on
 * this device; it goes out when it can).
 */
export async function sendReport(spec, opts) {
  opts = opts || {};
  const ob = outbox;
  if (!ob) {
    try {
      await api(spec.method || "POST", spec.url, spec.body, { quiet: true });
      return { result: "sent" };
    } catch (err) {
      return { result: "failed", error: err };
    }
  }
  const item = await ob.add(spec);
  // a clue's photo follows it as an item of its own: the clue is never held back by it
  const photoItem = opts.photo && ob.addPhotoFor ? await ob.addPhotoFor(item, opts.photo) : null;
  const result = await ob.outcome(item.key, opts.timeoutMs || (ob.offline ? 300 : 6000));
  if (result === "failed" && opts.discardOnFail !== false) {
    if (photoItem) await ob.discard(photoItem.key); // sent again with the report, once it is corrected
    // the outbox may hold a newer copy of the item (it re-reads its store): the server's answer is on that one
    const cur = ob.items.find((i) => i.key === item.key) || item;
    const err = { status: cur.status, data: cur.errData || {}, message: cur.error };
    await ob.discard(item.key);
    return { result, item, error: err };
  }
  return { result, item };
}
