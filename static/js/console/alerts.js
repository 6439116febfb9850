/* search-coord: alerts the dispatcher must not miss — a new clue, a pending sighting, FOUND, an officer's help
   request, a unit gone silent: a tone (lib/sound.js, can be muted), a desktop notification when the tab is hidden,
   and a highlighted chip in the alert bar that stays until someone opens it (the chip then shows the thing: the
   clue on the map, the video tab, the officer's position). A clue's marker is kept above the last known point's.
   consoleAlerts(c) -> {onEvent(ev), check()}; c is the console's context (pages/console.js). */
import { $, clear, el } from "../lib/dom.js";
import { debug } from "../lib/debug.js";
import { eventSentence } from "../lib/events.js";
import { fmtAgo, fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { isMuted, playTone, setMuted, unlockAudio } from "../lib/sound.js";

/** A unit whose last fix is older than this, having sent one within WAS_TRACKING_MIN, has gone silent. */
const SILENT_MIN = 10;
const WAS_TRACKING_MIN = 60;

export function consoleAlerts(c) {
  const bar = $("#alert-bar");
  const list = $("#alert-list");
  const open = new Map();   // key -> {kind, text, at, go}
  const silentSeen = new Set();
  let helpLayer = null;

  function name(uid) { return c.userName(uid); }

  function notifyDesktop(kind, text) {
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
    try { new Notification(t("alert.kind." + kind), { body: text, tag: "sc-" + kind + "-" + Date.now() }); } catch (e) { /* ignore */ }
  }

  /* the open alerts are kept on this device (a reload or a second tab of the desk keeps them until opened) */
  const storeKey = `sc.alerts.${c.searchId}`;
  const save = () => { try { localStorage.setItem(storeKey, JSON.stringify([...open.entries()])); } catch (e) { /* full or private */ } };
  try { for (const [k, a] of JSON.parse(localStorage.getItem(storeKey) || "[]")) open.set(k, a); } catch (e) { /* unreadable: none */ }

  function raise(key, kind, text, target) {
    if (open.has(key)) return;
    open.set(key, { kind, text, at: new Date().toISOString(), target: target || null });
    playTone(kind);
    notifyDesktop(kind, text);
    render();
    debug.alerts.raised.push({ key, kind, at: Date.now() });
  }

  /** Opening an alert shows what it is about: the clue on the map, the video tab, the find, the officer. */
  function goTo(kind, x) {
    if (kind === "clue") {
      c.showTab("clues");
      const m = c.layers.clueMarkers[x.clue_id];
      if (m) { c.map.setView(m.getLatLng(), 18); m.openPopup(); }
    } else if (kind === "sighting") c.showTab("video");
    else if (kind === "found" && x && x.location) c.map.setView([x.location.coordinates[1], x.location.coordinates[0]], 18);
    else if (kind === "help") showHelp(x);
    else if (kind === "silent") {
      c.showTab("members");
      const m = c.layers.positionMarkers[String(x.user_id)];
      if (m) c.map.setView(m.getLatLng(), 17);
    }
  }

  function dismiss(key) {
    const a = open.get(key);
    open.delete(key);
    render();
    if (a) goTo(a.kind, a.target || {});
  }

  function render() {
    clear(list);
    for (const [key, a] of [...open.entries()].reverse()) {
      list.append(el("li", { class: "alert-chip alert-" + a.kind, dataset: { key, kind: a.kind } },
        el("button", { type: "button", class: "alert-open", onclick: () => dismiss(key) },
          el("strong", {}, t("alert.kind." + a.kind)), " ", el("span", {}, a.text), " ",
          el("span", { class: "small" }, fmtTime(a.at)))));
    }
    bar.classList.toggle("has-alerts", open.size > 0);
    document.title = (open.size ? `(${open.size}) ` : "") + document.title.replace(/^\(\d+\) /, "");
    debug.alerts.open = [...open.keys()];
    save();
  }

  /** Clue markers above the last known point's, so a clue reported at the LKP is never hidden under it. */
  function cluesOnTop() {
    for (const m of Object.values(c.layers.clueMarkers || {})) if (m.setZIndexOffset) m.setZIndexOffset(2000);
  }

  function showHelp(p) {
    if (helpLayer) helpLayer.remove();
    if (!p.location) { c.showTab("members"); return; }
    const ll = [p.location.coordinates[1], p.location.coordinates[0]];
    helpLayer = L.circleMarker(ll, { radius: 14, color: "#c92a2a", weight: 4, fillOpacity: 0.35, className: "sc-help-marker" })
      .bindTooltip(t("alert.help_from", { name: name(p.user_id) }), { permanent: true, direction: "top" }).addTo(c.map);
    c.map.setView(ll, 17);
  }

  function onEvent(ev) {
    const p = ev.payload || {};
    const mine = ev.actor && user && ev.actor.id === user.id;
    if (ev.type === "clue.reported" || ev.type === "clue.updated") cluesOnTop();
    if (ev.type === "clue.reported" && !mine) {
      raise("clue-" + p.clue.id, "clue", eventSentence(ev, c.st()) + " — " + name(p.clue.reported_by), { clue_id: p.clue.id });
    } else if (ev.type === "video.sighting_logged" && !mine) {
      raise("sighting-" + p.sighting.id, "sighting", eventSentence(ev, c.st()), {});
    } else if (ev.type === "video.sighting_decided") {
      open.delete("sighting-" + (p.sighting && p.sighting.id));   // decided by someone: nothing pending
      render();
    } else if (ev.type === "search.found") {
      raise("found", "found", eventSentence(ev, c.st()) + " — " + name(p.found.reported_by), { location: p.found.location });
    } else if (ev.type === "help.requested") {
      raise("help-" + ev.seq, "help", t("alert.help_from", { name: name(p.user_id) })
        + (p.location ? "" : " · " + t("alert.help_no_fix")), { user_id: p.user_id, location: p.location });
      if (p.location) showHelp(p);
    }
  }

  /** Units gone silent: an officer whose last fix is SILENT_MIN old after tracking within the last hour. */
  function check() {
    const st = c.st();
    if (!st || st.search.status !== "open" || st.search.found) return;
    const now = Date.now();
    for (const u of st.members) {
      if (u.role !== "officer") continue;
      const pts = st.tracks[String(u.id)] || [];
      if (!pts.length) continue;
      const last = pts[pts.length - 1][2];
      const age = (now - new Date(last).getTime()) / 60000;
      const key = `silent-${u.id}-${last}`;
      if (age >= SILENT_MIN && age <= WAS_TRACKING_MIN && !silentSeen.has(key)) {
        silentSeen.add(key);
        raise(key, "silent", t("alert.silent", { name: u.display_name, age: fmtAgo(last) }), { user_id: u.id });
      }
    }
  }

  /* the bar's controls: mute, desktop notifications */
  const muteBtn = $("#alert-mute");
  const drawMute = () => {
    muteBtn.textContent = isMuted() ? "♪✕ " + t("alert.unmute") : "♪ " + t("alert.mute");
    muteBtn.setAttribute("aria-pressed", isMuted() ? "true" : "false");
  };
  muteBtn.addEventListener("click", () => { setMuted(!isMuted()); unlockAudio(); drawMute(); });
  drawMute();
  const notifyBtn = $("#alert-notify");
  const drawNotify = () => {
    const has = "Notification" in window;
    notifyBtn.hidden = !has || Notification.permission === "granted";
    if (has && Notification.permission === "denied") notifyBtn.textContent = t("alert.notify_denied");
  };
  notifyBtn.addEventListener("click", () => {
    unlockAudio();
    if ("Notification" in window) Notification.requestPermission().then(drawNotify).catch(() => {});
  });
  drawNotify();
  document.addEventListener("pointerdown", unlockAudio, { once: true });   // browsers start audio on a gesture
  setInterval(check, 30000);

  debug.alerts = { raised: [], open: [...open.keys()], check };
  render();   // the alerts kept from before a reload, silently
  return { onEvent, check, cluesOnTop };
}
