/* search-coord: the outbox's rules about its items: which search an item belongs to, which search this page is
   about, a closed search's refusal, and whether the session (after a 401 or a stale CSRF token) is still this
   user's. */
import { api } from "../lib/api.js";
import { config } from "../lib/page.js";

const SEARCH_RE = /\/searches\/(\d+)(?:\/|$)/;

/** The search an item belongs to (items kept before they were tagged carry it in their URL). */
export function searchIdOf(item) {
  if (item.searchId) return item.searchId;
  const m = SEARCH_RE.exec(item.url || (item.clueUrl || ""));
  return m ? parseInt(m[1], 10) : null;
}
/** The search this page is about (its title is kept with each item, to name it in the list of refused items). */
export function pageSearch() {
  const node = document.querySelector("[data-search-id]");
  if (!node) return null;
  return { id: parseInt(node.dataset.searchId, 10), title: node.dataset.searchTitle || "" };
}
export const isClosed = (err) => err.status === 409 && /search is closed/.test((err.data && err.data.message) || "");

/** Ask the server who is logged in; true (and the new CSRF token kept) when it is still user `owner`. */
export async function sessionStillMine(owner) {
  try {
    const s = await api("GET", "/api/v1/session", null, { quiet: true });
    if (s && s.user && s.user.id === owner && s.csrf_token) {
      config.csrfToken = s.csrf_token;
      return true;
    }
  } catch (e) { /* offline or refused: treated as a login problem */ }
  return false;
}

/** The kinds whose items do not depend on each other: each goes when it can (the server orders fixes by time and
    takes every item by its client id). Other kinds keep their order per URL (e.g. one assignment's status changes). */
const INDEPENDENT = new Set(["track", "clue", "photo", "ack", "sighting", "area", "found"]);

/**
 * The items that may be sent now, in creation order: not refused, not waiting out their own backoff (`backoff`:
 * key -> {next}), and not held back by an earlier item they depend on (a photo by its clue, an ordered item by an
 * earlier one of the same URL). An item that keeps failing never holds back the independent items behind it.
 */
export function sendable(items, backoff, now) {
  const out = [];
  const pending = new Set(); // what earlier items still waiting stand for
  for (const i of items) {
    if (i.state === "failed") continue;
    const key = INDEPENDENT.has(i.kind) ? null : (i.method || "POST") + " " + i.url;
    const blocked = (key && pending.has(key)) || (i.kind === "photo" && !i.clueId && pending.has("clue " + i.clueClientId));
    if (key) pending.add(key);
    if (i.kind === "clue") pending.add("clue " + i.clientId);
    const wait = backoff.get(i.key);
    if (!blocked && !(wait && wait.next > now)) out.push(i);
  }
  return out;
}

/** Where a user who must choose a new password goes (and comes back to this page afterwards). */
export const passwordPage = () => "/password?next=" + encodeURIComponent(location.pathname + location.search);

/** Refuse `item` for good (kept as "failed" with the server's reason until the user discards it); when the search
    is closed, whatever else waits for it would be refused the same way: said at once. `box` is the outbox. */
export async function refuseForGood(box, item, err, message) {
  const status = err.status || 0;
  await box.mark(item, { state: "failed", error: message, status, errData: err.data || {} });
  if (isClosed(err)) {
    for (const other of box.items.filter((i) => i !== item && i.state !== "failed" && searchIdOf(i) === searchIdOf(item))) {
      await box.mark(other, { state: "failed", error: item.error, status, errData: item.errData });
      box.settle(other.key, "failed");
    }
  }
  box.changed(true);
  box.settle(item.key, "failed");
  for (const fn of box.listeners) { try { fn(box.summary(), { refused: item }); } catch (e) { /* ignore */ } }
}
