/* search-coord: sharing the phone's position, honestly. Fixes from watchPosition are kept (localStorage) until they
   are formed into a track batch in the outbox (static/js/outbox.js), which sends it with a client_id and retries it
   unchanged until the server has it. Every fix carries a `run` number: whenever tracking pauses (the page is hidden,
   the location permission is refused, no fix for 30 s) the next fix starts a new run, so the maps draw a
   gap there and the server does not count it as searched. While sharing, the screen is kept on with a wake lock. */
import { toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { config } from "../lib/page.js";
import { outbox } from "../reports/outbox.js";

const MAX_BATCH = 500;
const NO_FIX_PAUSE_MS = 30000; // no fix for this long: a pause
const NO_FIX_POKE_MS = 20000; // ... and at this point ask once for a position (a still phone may send none)
const STILL_RADIUS_M = 10; // fixes within this of each other for STILL_MS: the officer is not moving
const STILL_MS = 30000;
const STILL_SEND_MS = 10000; // send every 10 s while not moving
const MIN_MOVE_M = 2; // a fix closer than this to the previous one is skipped ...
const MIN_GAP_MS = 15000; // ... unless this much time has passed
const STAMP_PAST_MS = 120000; // a fix's own time is taken when within 2 min before now ...
const STAMP_AHEAD_MS = 5000; // ... and at most 5 s ahead; otherwise the time the page received it

/**
 * When a fix was taken. Some browsers report position.timestamp in another epoch or unit (counted from 2001, in
 * seconds, in microseconds) or simply far from this phone's clock: then the time the page received it is used.
 * Never NaN. (The server measures this phone's clock against its own from each batch's sent_at.)
 */
function fixTime(stamp, now) {
  const ts = Number(stamp);
  return Number.isFinite(ts) && ts >= now - STAMP_PAST_MS && ts <= now + STAMP_AHEAD_MS ? ts : now;
}
export { fixTime };
/** The same fix handed out again: the same time, or the same position within a second of it. */
function isRepeat(last, fix) {
  if (last.t === fix.t) return true;
  const dt = Math.abs(new Date(fix.t) - new Date(last.t));
  return !(dt > 1000) && last.lon === fix.lon && last.lat === fix.lat; // an unreadable time counts as a repeat
}
/** Distance in metres between two {lon, lat} (equirectangular: fine for a few km). */
function distance(a, b) {
  const r = 6371000;
  const k = Math.PI / 180;
  const x = (b.lon - a.lon) * k * Math.cos(((a.lat + b.lat) / 2) * k);
  const y = (b.lat - a.lat) * k;
  return Math.sqrt(x * x + y * y) * r;
}
export { distance as distanceM };
const store = {
  get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } },
  set(key, v) { try { localStorage.setItem(key, v); } catch (e) { /* full or private mode: memory only */ } },
  remove(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } },
};

class Tracker {
  constructor(searchId, userId, onChange) {
    this.searchId = searchId;
    this.userId = userId;
    this.url = `/api/v1/searches/${searchId}/tracks`;
    this.pendingKey = `sc.trackq.${searchId}.${userId}`;
    this.shareKey = `sc.sharing.${searchId}.${userId}`;
    this.runKey = `sc.run.${searchId}.${userId}`;
    this.lastKey = `sc.lastfix.${searchId}.${userId}`;
    this.onChange = onChange || (() => {});
    this.outbox = outbox;
    this.queue = []; // fixes not yet in the outbox
    this.watchId = null;
    this.last = null; // the latest recorded fix {t, lon, lat, acc, run}
    this.lastFixAt = 0; // wall clock of the latest fix received (recorded or skipped)
    this.poked = false;
    this.paused = null; // {reason, since, message}
    this.lastGap = null; // {from, to} of the latest pause that ended
    this.newRun = true;
    this.run = null;
    this.anchor = null; // {lon, lat, at}: where the officer has been standing since `at`
    this.lastBatchAt = 0;
    this.error = null;
    this.wakeLock = null;
    this.wakeLockState = null; // "on", "unsupported" or "refused"
    this.flushing = false;
    this.loadPending();
    try { this.last = JSON.parse(store.get(this.lastKey) || "null"); } catch (e) { this.last = null; }
    this.migrateOldQueues();
    this.base = Math.max(0.5, Number((config || {}).trackSendIntervalS) || 1) * 1000;
    this.timer = setInterval(() => this.tick(), Math.min(this.base, 1000));
    document.addEventListener("visibilitychange", () => this.onVisibility());
    window.addEventListener("pagehide", () => { this.savePending(); });
    if (this.outbox) this.outbox.on(() => this.onChange());
  }

  get sharing() { return this.watchId !== null; }
  get wasSharing() { return store.get(this.shareKey) === "1"; }
  get stationary() { return !!(this.anchor && Date.now() - this.anchor.at >= STILL_MS); }
  /** Fixes not yet on the server: the ones kept here and the ones in the outbox's track batches. */
  get waiting() {
    let n = this.queue.length;
    if (this.outbox) {
      for (const i of this.outbox.items) if (i.kind === "track" && i.url === this.url && i.state !== "failed") n += i.body.points.length;
    }
    return n;
  }

  loadPending() {
    try {
      const saved = JSON.parse(store.get(this.pendingKey) || "[]");
      if (Array.isArray(saved)) this.queue = saved.filter((p) => p && typeof p.t === "string");
    } catch (e) { /* a broken entry is dropped */ }
  }

  savePending() {
    if (this.queue.length) store.set(this.pendingKey, JSON.stringify(this.queue));
    else store.remove(this.pendingKey);
  }

  /** The queue of the previous tracker.js (localStorage `sc.track.<search>.<user>`) moves into the outbox. */
  async migrateOldQueues() {
    if (!this.outbox) return;
    let keys = [];
    try { keys = Object.keys(localStorage).filter((k) => /^sc\.track\.\d+\.\d+$/.test(k) && k.endsWith("." + this.userId)); } catch (e) { return; }
    if (!keys.length) return;
    await this.outbox.ready;
    for (const key of keys) {
      try {
        const saved = JSON.parse(store.get(key) || "null");
        const sid = key.split(".")[2];
        const url = `/api/v1/searches/${sid}/tracks`;
        if (saved && saved.inflight && Array.isArray(saved.inflight.points) && saved.inflight.points.length) {
          // it may have reached the server already: same client_id and points, never changed (sealed)
          await this.outbox.add({ kind: "track", url, clientId: saved.inflight.client_id, sealed: true,
            body: { client_id: saved.inflight.client_id, points: saved.inflight.points } });
        }
        const queue = saved && Array.isArray(saved.queue) ? saved.queue : [];
        for (let i = 0; i < queue.length; i += MAX_BATCH) await this.outbox.addTrackPoints(url, queue.slice(i, i + MAX_BATCH));
        store.remove(key);
      } catch (e) {
        console.error("tracker: could not move the old queue", key, e);
      }
    }
    this.onChange();
  }

  nextRun() {
    const prev = parseInt(store.get(this.runKey), 10);
    this.run = Number.isFinite(prev) && prev >= 0 ? prev + 1 : 0;
    store.set(this.runKey, String(this.run));
    this.newRun = false;
  }

  start() {
    if (this.sharing) return true;
    if (!("geolocation" in navigator)) {
      this.error = t("track.no_geolocation");
      this.onChange();
      return false;
    }
    this.error = null;
    this.newRun = true;
    this.paused = null;
    this.lastFixAt = Date.now();
    this.poked = false;
    this.watch();
    store.set(this.shareKey, "1");
    this.keepAwake();
    this.onChange();
    return true;
  }

  watch() {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = navigator.geolocation.watchPosition(
      (pos) => this.onFix(pos),
      (err) => this.onError(err),
      { enableHighAccuracy: true, maximumAge: 0, timeout: NO_FIX_PAUSE_MS });
  }

  stop() {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
    this.paused = null;
    this.newRun = true;
    this.anchor = null;
    store.remove(this.shareKey);
    if (this.wakeLock) { this.wakeLock.release().catch(() => {}); this.wakeLock = null; }
    this.wakeLockState = null;
    this.onChange();
    this.flush(true);
  }

  async keepAwake() {
    if (!this.sharing || this.wakeLock) return;
    if (!("wakeLock" in navigator)) { this.wakeLockState = "unsupported"; this.onChange(); return; }
    try {
      const lock = await navigator.wakeLock.request("screen");
      if (!this.sharing) { lock.release().catch(() => {}); return; }
      this.wakeLock = lock;
      this.wakeLockState = "on";
      lock.addEventListener("release", () => {
        if (this.wakeLock === lock) this.wakeLock = null;
        if (this.sharing && document.visibilityState === "visible") this.keepAwake(); // released by the system
      });
    } catch (e) {
      this.wakeLockState = "refused"; // e.g. battery saver, or not a secure page: the officer keeps it on
    }
    this.onChange();
  }

  onVisibility() {
    if (!this.sharing) return;
    if (document.visibilityState === "hidden") {
      // the browser stops (or throttles) positions now: whatever comes after is a new run
      this.pause("hidden");
      this.savePending();
      this.flush(true);
    } else {
      this.keepAwake();
      this.lastFixAt = Date.now();
      this.poked = false;
      this.watch(); // some browsers drop the watch while hidden
      this.onChange();
    }
  }

  pause(reason, message) {
    if (!this.sharing) return;
    if (!this.paused) this.paused = { reason, since: new Date().toISOString(), message: message || null };
    else { this.paused.reason = reason; this.paused.message = message || this.paused.message; }
    this.newRun = true;
    this.anchor = null;
    document.body.dataset.trackPaused = reason;
    this.onChange();
  }

  onFix(pos) {
    if (!this.sharing) return;
    const c = pos.coords;
    const now = Date.now();
    if (!c || !Number.isFinite(c.longitude) || !Number.isFinite(c.latitude)) return;
    // the same fix handed out again (with its own, unusable stamp): not a new position
    if (pos.timestamp && pos.timestamp === this.lastStamp && fixTime(pos.timestamp, now) === now) return;
    this.lastStamp = pos.timestamp;
    const fix = {
      t: new Date(fixTime(pos.timestamp, now)).toISOString(),
      lon: Number(c.longitude.toFixed(7)),
      lat: Number(c.latitude.toFixed(7)),
    };
    if (typeof c.accuracy === "number" && isFinite(c.accuracy)) fix.acc = Math.round(c.accuracy * 10) / 10;
    if (document.visibilityState === "hidden") return; // not to be trusted as continuous: we said we paused
    // the same fix again (a browser may hand out its last fix again, even after a reload): the same time, or the same
    // position within a second. An earlier time is this phone's clock set back (kept in localStorage, the last fix
    // may be a day or a year ahead): recorded all the same, the server orders fixes by time.
    if (this.last && isRepeat(this.last, fix)) return;
    this.lastFixAt = now;
    this.poked = false;
    const resumed = this.paused || this.newRun;
    if (this.paused) {
      this.lastGap = { from: this.paused.since, to: fix.t };
      this.paused = null;
      delete document.body.dataset.trackPaused;
    }
    this.error = null;
    // standing still? (fixes within ~10 m for 30 s)
    if (!this.anchor || this.anchor.at > now || distance(this.anchor, fix) > STILL_RADIUS_M) this.anchor = { lon: fix.lon, lat: fix.lat, at: now };
    const prev = this.last;
    if (!resumed && prev) {
      if (distance(prev, fix) < MIN_MOVE_M && Math.abs(new Date(fix.t) - new Date(prev.t)) < MIN_GAP_MS) {
        this.onChange();
        return; // hardly moved: skip, unless it has been a while
      }
    }
    if (this.newRun) this.nextRun();
    fix.run = this.run;
    this.last = fix;
    this.queue.push(fix);
    this.savePending();
    store.set(this.lastKey, JSON.stringify(fix));
    this.onChange();
  }

  onError(err) {
    if (!this.sharing) return;
    if (err.code === 1) {
      this.error = t("track.denied");
      if (!this.paused) toast(this.error, "error");
      this.pause("denied", this.error);
    } else {
      // "Position unavailable" or a timeout is often momentary (phones report it between two fixes, and so does
      // an emulated position): say so, but only a real silence (NO_FIX_PAUSE_MS without a fix) is a pause.
      this.error = err.code === 3 ? t("track.timeout") : t("track.unavailable");
      this.onChange();
    }
  }

  /** Every second: notice a pause, and form a batch when it is time. */
  tick() {
    const now = Date.now();
    if (this.sharing && !this.paused && document.visibilityState === "visible") {
      const quiet = now - this.lastFixAt;
      if (quiet > NO_FIX_PAUSE_MS) {
        this.pause("nofix", t("track.paused_nofix"));
      } else if (quiet > NO_FIX_POKE_MS && !this.poked) {
        this.poked = true;
        navigator.geolocation.getCurrentPosition((pos) => this.onFix(pos), () => {},
          { enableHighAccuracy: true, maximumAge: 0, timeout: NO_FIX_PAUSE_MS - NO_FIX_POKE_MS });
      }
    }
    if (!this.queue.length) return;
    const every = this.stationary ? Math.max(this.base, STILL_SEND_MS) : this.base;
    // (a clock set back makes the time since the last batch negative: that is a batch due too)
    if (Math.abs(now - this.lastBatchAt) >= every - 50 || this.queue.length >= MAX_BATCH) this.flush();
  }

  /** Form a batch of the kept fixes in the outbox (the outbox sends it). */
  async flush(force) {
    if (this.flushing || !this.queue.length) return;
    if (!this.outbox) return;
    this.flushing = true;
    this.lastBatchAt = Date.now();
    const points = this.queue.slice(0, MAX_BATCH);
    try {
      await this.outbox.addTrackPoints(this.url, points);
      this.queue.splice(0, points.length);
      this.savePending();
    } catch (e) {
      console.error("tracker: could not keep the batch", e);
    } finally {
      this.flushing = false;
      this.onChange();
    }
    if (force && this.queue.length) this.flush(true);
  }
}

export { Tracker };