/* search-coord: the field page with no network. The live state is kept on the phone (static/js/offline/store.js,
   IndexedDB) as it changes; when the page opens and the server cannot be reached, it shows what was kept, with a
   banner "Offline since 21:04 — showing what this phone last knew", and follows on from the kept sequence number
   as soon as the connection is back (Socket.IO join with `after`), when the banner goes. A 403 or 404 for the
   search's state means this officer is no longer on it (removed, or the search is gone): said, never retried.
   offlineField({live, searchId, me, title, onRemoved}) -> {start(), fromDevice, removed}. */
import { api } from "../lib/api.js";
import { $, el } from "../lib/dom.js";
import { fmtSince, fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { loadState, saveState } from "../offline/store.js";

const SAVE_DELAY_MS = 1500;
const TRACK_SAVE_DELAY_MS = 20000; // other units' positions alone: kept at most this often (a long night's state is MBs)
const BANNER_GRACE_MS = 4000; // a connection back within this is no news

export function offlineField({ live, searchId, me, title, onRemoved }) {
  const sinceKey = `sc.offlineSince.${me}`;
  const ctl = { fromDevice: false, removed: false, savedAt: null, saved: null, start };
  let saveTimer = null;
  let everConnected = false;
  let lostAt = null;
  // broadcasts this phone has not acknowledged: the join's list and those that came since (field/alert.js shows
  // them again after an offline reload; what was acknowledged here it leaves out itself)
  const broadcasts = new Map();
  const keepBroadcasts = (list) => { for (const b of list || []) if (b && b.id) broadcasts.set(b.id, b); };

  const banner = el("div", { id: "offline-banner", class: "offline-banner", role: "status", hidden: true });
  $(".field-page").prepend(banner);

  function offlineSince() {
    try { return localStorage.getItem(sinceKey); } catch (e) { return null; }
  }
  function setOfflineSince(iso) {
    try { if (iso) localStorage.setItem(sinceKey, iso); else localStorage.removeItem(sinceKey); } catch (e) { /* ignore */ }
  }

  function save() {
    clearTimeout(saveTimer);
    saveTimer = null;
    if (!live.state || ctl.removed) return;
    // kept only when it came from the server (what the phone kept is saved again only after something new came)
    const record = { state: live.state, unacknowledged: Array.from(broadcasts.values()).slice(-50), title,
      savedAt: new Date().toISOString() };
    saveState(me, searchId, record)
      .then(() => { ctl.saved = { at: record.savedAt, seq: record.state.appliedSeq, broadcasts: record.unacknowledged.length }; })
      .catch((e) => console.warn("offline state not kept", e));
  }
  let saveDue = 0;
  const saveSoon = (delay = SAVE_DELAY_MS) => {
    const due = Date.now() + delay;
    if (saveTimer && saveDue <= due) return;
    clearTimeout(saveTimer);
    saveDue = due;
    saveTimer = setTimeout(save, delay);
  };

  function renderBanner() {
    const connected = live.connected;
    const since = offlineSince();
    const show = !ctl.removed && !connected && (ctl.fromDevice || (lostAt && Date.now() - lostAt >= BANNER_GRACE_MS) || (!everConnected && !navigator.onLine));
    banner.hidden = !show;
    document.body.dataset.offline = show ? "1" : "";
    if (!show) return;
    const when = since || ctl.savedAt;
    banner.replaceChildren(
      el("strong", { class: "block" }, when ? t("offline.banner", { time: fmtTime(when) }) : t("offline.banner_no_time")),
      ctl.savedAt ? el("span", { class: "small" }, t("offline.saved_ago", { ago: fmtSince(ctl.savedAt, Date.now()) })) : null,
      el("span", { class: "small block" }, t("offline.queued_hint")));
  }

  live.on((kind, ev) => {
    if (kind === "connection") {
      if (live.connected) {
        everConnected = true;
        lostAt = null;
        setOfflineSince(null);
        if (ctl.fromDevice && live.state) { ctl.fromDevice = false; saveSoon(); }
      } else {
        lostAt = Date.now();
        if (!offlineSince()) setOfflineSince(new Date().toISOString());
        setTimeout(renderBanner, BANNER_GRACE_MS + 50);
      }
      renderBanner();
      return;
    }
    if (kind === "unacknowledged") { broadcasts.clear(); keepBroadcasts(live.unacknowledged); }
    if (kind === "event" && ev && ev.type === "broadcast.sent") {
      keepBroadcasts([ev.payload.broadcast]);
      if (live.connected) { save(); return; } // an alert is kept at once, not after the usual delay
    }
    if (kind === "reset" || kind === "event" || kind === "unacknowledged") {
      const tracksOnly = kind === "event" && (ev.type.startsWith("track.") || ev.type === "positions");
      if (!ctl.fromDevice || live.connected) saveSoon(tracksOnly ? TRACK_SAVE_DELAY_MS : SAVE_DELAY_MS);
    }
  });
  window.addEventListener("pagehide", () => { if (saveTimer) save(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden" && saveTimer) save(); });
  window.addEventListener("offline", () => { if (!offlineSince()) setOfflineSince(new Date().toISOString()); setTimeout(renderBanner, BANNER_GRACE_MS + 50); });
  setInterval(renderBanner, 30000);

  async function fromPhone() {
    const kept = await loadState(me, searchId).catch(() => null);
    if (!kept || !kept.state) return false;
    ctl.fromDevice = true;
    ctl.savedAt = kept.savedAt;
    if (!offlineSince()) setOfflineSince(kept.savedAt);
    live.setState(kept.state);
    live.unacknowledged = kept.unacknowledged || [];
    keepBroadcasts(live.unacknowledged);
    live.emit("unacknowledged", live.unacknowledged);
    renderBanner();
    return true;
  }

  /** Load the state (from the server, else from the phone), then follow the live stream. */
  async function start() {
    for (let wait = 2000; ; wait = Math.min(30000, wait * 2)) {
      try {
        // the compact snapshot (tracks simplified to 2 m, every officer's last fix kept): what the phone draws and
        // keeps (its own line, the others' positions) at a fraction of the bytes of every fix of a long night
        const st = await api("GET", `/api/v1/searches/${searchId}/state?tracks=display`, null, { quiet: true });
        ctl.fromDevice = false;
        live.setState(st);
        break;
      } catch (e) {
        if (e.status === 403 || e.status === 404) {
          ctl.removed = true;
          renderBanner();
          if (onRemoved) onRemoved(e.status);
          return ctl;
        }
        if (await fromPhone()) break;
        // nothing kept for this search on this phone: try again (the page shows its shell meanwhile)
        renderBanner();
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    live.connect();
    renderBanner();
    return ctl;
  }

  return ctl;
}
