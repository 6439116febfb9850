/* search-coord: sharing the phone's position. Fixes from watchPosition are queued (also in localStorage, so a
   reload loses nothing) and sent every SC_CONFIG.trackSendIntervalS seconds as one batch with a client_id; a batch
   that failed is retried with the same client_id, so the server applies it once. */
"use strict";

(function () {
  const SC = (window.SC = window.SC || {});
  const MAX_BATCH = 500;

  class Tracker {
    constructor(searchId, userId, onChange) {
      this.searchId = searchId;
      this.key = `sc.track.${searchId}.${userId}`;
      this.shareKey = `sc.sharing.${searchId}.${userId}`;
      this.onChange = onChange || (() => {});
      this.queue = [];
      this.inflight = null;
      this.watchId = null;
      this.sending = false;
      this.last = null; // the latest fix {t, lon, lat, acc}
      this.lastSentAt = null;
      this.offline = false;
      this.error = null;
      this.wakeLock = null;
      this.load();
      const every = Math.max(0.5, Number((SC.config || {}).trackSendIntervalS) || 1) * 1000;
      this.timer = setInterval(() => this.flush(), every);
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible" && this.sharing) this.keepAwake();
      });
      window.addEventListener("online", () => this.flush());
    }

    get sharing() { return this.watchId !== null; }
    get waiting() { return this.queue.length + (this.inflight ? this.inflight.points.length : 0); }
    get wasSharing() { try { return localStorage.getItem(this.shareKey) === "1"; } catch (e) { return false; } }

    load() {
      try {
        const saved = JSON.parse(localStorage.getItem(this.key) || "null");
        if (saved) {
          this.queue = Array.isArray(saved.queue) ? saved.queue : [];
          this.inflight = saved.inflight && Array.isArray(saved.inflight.points) ? saved.inflight : null;
        }
      } catch (e) { /* a broken entry is dropped */ }
    }

    save() {
      try {
        localStorage.setItem(this.key, JSON.stringify({ queue: this.queue, inflight: this.inflight }));
      } catch (e) { /* storage full: the queue still lives in memory */ }
    }

    start() {
      if (this.sharing) return true;
      if (!("geolocation" in navigator)) {
        this.error = SC.t("track.no_geolocation");
        this.onChange();
        return false;
      }
      this.error = null;
      this.watchId = navigator.geolocation.watchPosition(
        (pos) => this.onFix(pos),
        (err) => this.onError(err),
        { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
      try { localStorage.setItem(this.shareKey, "1"); } catch (e) { /* ignore */ }
      this.keepAwake();
      this.onChange();
      return true;
    }

    stop() {
      if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
      this.watchId = null;
      try { localStorage.removeItem(this.shareKey); } catch (e) { /* ignore */ }
      if (this.wakeLock) { this.wakeLock.release().catch(() => {}); this.wakeLock = null; }
      this.onChange();
      this.flush();
    }

    async keepAwake() {
      if (!("wakeLock" in navigator) || this.wakeLock) return;
      try {
        this.wakeLock = await navigator.wakeLock.request("screen");
        this.wakeLock.addEventListener("release", () => { this.wakeLock = null; });
      } catch (e) { /* not allowed here: fine */ }
    }

    onFix(pos) {
      const c = pos.coords;
      const fix = {
        t: new Date(pos.timestamp || Date.now()).toISOString(),
        lon: Number(c.longitude.toFixed(7)),
        lat: Number(c.latitude.toFixed(7)),
      };
      if (typeof c.accuracy === "number" && isFinite(c.accuracy)) fix.acc = Math.round(c.accuracy * 10) / 10;
      const prev = this.queue.length ? this.queue[this.queue.length - 1] : this.last;
      if (prev && prev.t === fix.t) return; // the same fix again
      this.last = fix;
      this.error = null;
      this.queue.push(fix);
      this.save();
      this.onChange();
    }

    onError(err) {
      if (err.code === 1) {
        this.error = SC.t("track.denied");
        SC.toast(this.error, "error");
        this.stop();
      } else {
        this.error = err.code === 3 ? SC.t("track.timeout") : SC.t("track.unavailable");
      }
      this.onChange();
    }

    async flush() {
      if (this.sending) return;
      if (!this.inflight) {
        if (!this.queue.length) return;
        this.inflight = { client_id: SC.randomId("trk"), points: this.queue.splice(0, MAX_BATCH) };
        this.save();
      }
      this.sending = true;
      const batch = this.inflight;
      try {
        await SC.api("POST", `/api/v1/searches/${this.searchId}/tracks`, batch, { quiet: true });
        this.inflight = null;
        this.lastSentAt = new Date();
        this.offline = false;
        this.save();
      } catch (err) {
        const retry = err.network || !err.status || err.status >= 500 || err.status === 401 || err.status === 429;
        if (retry) {
          if (!this.offline) SC.toast(SC.t("track.offline"), "info");
          this.offline = true;
        } else {
          // refused for good (invalid, closed search, not a member): tell and drop this batch
          SC.toast(SC.t("track.refused") + " — " + SC.errorMessage(err), "error");
          this.inflight = null;
          this.save();
          if (err.status === 409 || err.status === 403) this.stop();
        }
      } finally {
        this.sending = false;
        this.onChange();
      }
    }
  }

  SC.Tracker = Tracker;
})();
