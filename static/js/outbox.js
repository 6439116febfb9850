/* search-coord: the outbox. Everything this user creates (track batches, clues with their photo, searched areas,
   assignment status changes, FOUND, broadcast acknowledgements) is first written to IndexedDB with its client-made
   id, then sent in creation order; an item is deleted only when the server has acknowledged it (any 2xx, including
   a "duplicate" answer). Network failures and 5xx are retried with backoff (1 s doubling to 30 s), at once on the
   `online` event and when the live socket reconnects; 400/403/404/409/413 are kept as "failed" with their error until
   the user discards them; 401 (or a stale CSRF token) keeps everything and asks the user to log in again. */
"use strict";

(function () {
  const SC = (window.SC = window.SC || {});
  const DB_NAME = "sc-outbox";
  const STORE = "items";
  const MIN_DELAY = 1000;
  const MAX_DELAY = 30000;
  const MAX_TRACK_POINTS = 500;
  const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

  /* ---- storage: IndexedDB, or memory when IndexedDB cannot be opened (then a reload loses the items) ---- */

  function req(r) {
    return new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  class IdbStore {
    static open() {
      return new Promise((resolve, reject) => {
        if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
        const r = indexedDB.open(DB_NAME, 1);
        r.onupgradeneeded = () => {
          const db = r.result;
          if (!db.objectStoreNames.contains(STORE)) {
            const os = db.createObjectStore(STORE, { keyPath: "key", autoIncrement: true });
            os.createIndex("owner", "owner");
          }
        };
        r.onsuccess = () => resolve(new IdbStore(r.result));
        r.onerror = () => reject(r.error);
        r.onblocked = () => reject(new Error("indexedDB blocked"));
      });
    }
    constructor(db) { this.db = db; this.persistent = true; }
    async all(owner) {
      const tx = this.db.transaction(STORE, "readonly");
      const items = await req(tx.objectStore(STORE).index("owner").getAll(owner));
      return items.sort((a, b) => a.key - b.key);
    }
    async add(item) {
      const tx = this.db.transaction(STORE, "readwrite");
      const key = await req(tx.objectStore(STORE).add(item));
      item.key = key;
      return item;
    }
    async put(item) {
      const tx = this.db.transaction(STORE, "readwrite");
      await req(tx.objectStore(STORE).put(item));
      return item;
    }
    async remove(key) {
      const tx = this.db.transaction(STORE, "readwrite");
      await req(tx.objectStore(STORE).delete(key));
    }
    /** Atomically change one item: fn(item) returns the new item, or null to leave it. */
    update(key, fn) {
      return new Promise((resolve, reject) => {
        const tx = this.db.transaction(STORE, "readwrite");
        const os = tx.objectStore(STORE);
        let result = null;
        const g = os.get(key);
        g.onsuccess = () => {
          const cur = g.result;
          const next = cur ? fn(cur) : null;
          if (next) { os.put(next); result = next; }
        };
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    }
  }

  class MemoryStore {
    constructor() { this.items = new Map(); this.next = 1; this.persistent = false; }
    async all(owner) { return Array.from(this.items.values()).filter((i) => i.owner === owner).sort((a, b) => a.key - b.key); }
    async add(item) { item.key = this.next++; this.items.set(item.key, item); return item; }
    async put(item) { this.items.set(item.key, item); return item; }
    async remove(key) { this.items.delete(key); }
    async update(key, fn) {
      const cur = this.items.get(key);
      const next = cur ? fn(cur) : null;
      if (next) this.items.set(key, next);
      return next;
    }
  }

  /* ---- the outbox ---------------------------------------------------------------------------------- */

  class Outbox {
    constructor(owner) {
      this.owner = owner;
      this.items = []; // cached copy of this user's items, in creation order
      this.listeners = [];
      this.waiters = new Map(); // key -> [resolve]
      this.delay = MIN_DELAY;
      this.timer = null;
      this.running = false;
      this.again = false;
      this.offline = false; // the last attempt failed for a reason worth retrying
      this.authProblem = false; // 401 / session gone: wait for a new login
      this.lastError = null;
      this.ready = this.init();
      window.addEventListener("online", () => this.kick(true));
      document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") this.kick(true); });
      try {
        this.channel = new BroadcastChannel("sc-outbox-" + owner);
        this.channel.onmessage = () => this.reload();
      } catch (e) { this.channel = null; }
    }

    async init() {
      try {
        this.store = await IdbStore.open();
      } catch (e) {
        console.warn("outbox: IndexedDB unavailable, keeping items in memory", e);
        this.store = new MemoryStore();
      }
      await this.reload();
      this.kick(true);
    }

    on(fn) { this.listeners.push(fn); }

    changed(broadcast) {
      const s = this.summary();
      document.body.dataset.outboxWaiting = String(s.waiting);
      document.body.dataset.outboxFailed = String(s.failed.length);
      for (const fn of this.listeners) {
        try { fn(s); } catch (e) { console.error("outbox listener failed", e); }
      }
      if (broadcast && this.channel) { try { this.channel.postMessage("changed"); } catch (e) { /* closed */ } }
    }

    async reload() {
      if (!this.store) return;
      try { this.items = await this.store.all(this.owner); } catch (e) { console.error("outbox: read failed", e); }
      this.changed(false);
    }

    /** {waiting, since (ISO of the oldest waiting), failed: [items], offline, authProblem, persistent} */
    summary() {
      const waiting = this.items.filter((i) => i.state !== "failed");
      return {
        waiting: waiting.length,
        waitingItems: waiting,
        since: waiting.length ? waiting[0].created : null,
        failed: this.items.filter((i) => i.state === "failed"),
        offline: this.offline,
        authProblem: this.authProblem,
        persistent: !!(this.store && this.store.persistent),
        lastError: this.lastError,
      };
    }

    /**
     * Keep something to send. spec: {kind, url, body, label?, photo? (Blob), method?}. body.client_id is made when the
     * body has none and spec.noClientId is not set. Resolves with the stored item.
     */
    async add(spec) {
      await this.ready;
      const body = Object.assign({}, spec.body || {});
      let clientId = spec.clientId || body.client_id;
      if (!clientId || !ID_RE.test(clientId)) clientId = SC.randomId(spec.kind.slice(0, 5));
      if (!spec.noClientId) body.client_id = clientId;
      const item = {
        owner: this.owner, kind: spec.kind, method: spec.method || "POST", url: spec.url, body,
        clientId, label: spec.label || "", created: new Date().toISOString(), tries: 0, state: "waiting",
        error: null, photo: spec.photo || null, photoId: null, sealed: !!spec.sealed,
      };
      try {
        await this.store.add(item);
      } catch (e) {
        if (item.photo && e && e.name === "DataCloneError") {
          // this browser cannot keep a Blob in IndexedDB: keep the bytes instead
          item.photo = { buffer: await spec.photo.arrayBuffer(), type: spec.photo.type, name: spec.photo.name || "photo" };
          await this.store.add(item);
        } else throw e;
      }
      if (!this.items.some((x) => x.key === item.key)) this.items.push(item);
      this.changed(true);
      this.kick(false);
      return item;
    }

    /**
     * Add fixes to the newest track batch for `url` if it was never sent and nothing was created after it; otherwise
     * form a new batch. A batch that has been tried once is never changed again.
     */
    async addTrackPoints(url, points, label) {
      await this.ready;
      const last = this.items[this.items.length - 1];
      if (last && last.kind === "track" && last.url === url && last.tries === 0 && !last.sealed && last.state === "waiting"
          && this.sendingKey !== last.key
          && last.body.points.length + points.length <= MAX_TRACK_POINTS) {
        const updated = await this.store.update(last.key, (cur) => {
          if (cur.tries !== 0 || cur.sealed || cur.state !== "waiting") return null;
          cur.body.points = cur.body.points.concat(points);
          return cur;
        });
        if (updated) {
          const i = this.items.findIndex((x) => x.key === updated.key);
          if (i >= 0) this.items[i] = updated;
          this.changed(true);
          this.kick(false);
          return updated;
        }
      }
      return this.add({ kind: "track", url, body: { points }, label });
    }

    /** Put back an item exactly as it was kept elsewhere before (e.g. the old localStorage queue of tracker.js). */
    async addExisting(spec) { return this.add(spec); }

    async discard(key) {
      await this.ready;
      await this.store.remove(key);
      this.items = this.items.filter((i) => i.key !== key);
      this.settle(key, "discarded");
      this.changed(true);
    }

    /**
     * Resolves with "sent", "failed" or "waiting" after the item's next attempt (or after timeoutMs, "waiting").
     */
    outcome(key, timeoutMs) {
      return new Promise((resolve) => {
        const list = this.waiters.get(key) || [];
        let done = false;
        const fn = (v) => { if (!done) { done = true; resolve(v); } };
        list.push(fn);
        this.waiters.set(key, list);
        setTimeout(() => fn("waiting"), timeoutMs || 5000);
      });
    }

    settle(key, result) {
      const list = this.waiters.get(key);
      if (!list) return;
      if (result !== "waiting") this.waiters.delete(key);
      for (const fn of list) fn(result);
    }

    /** Try now (reset=true also resets the backoff, e.g. on `online` or a socket reconnect). */
    kick(reset) {
      if (reset) { this.delay = MIN_DELAY; this.offline = this.offline && !navigator.onLine; }
      if (this.running) { this.again = true; return; }
      if (!reset && this.timer && this.offline) return; // waiting out a backoff: a new item does not shorten it
      clearTimeout(this.timer);
      this.timer = null;
      this.run();
    }

    schedule(ms) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => { this.timer = null; this.run(); }, ms);
    }

    async run() {
      await this.ready;
      if (this.running) { this.again = true; return; }
      this.running = true;
      try {
        do {
          this.again = false;
          await this.sendAll();
        } while (this.again && !this.offline && !this.authProblem);
      } finally {
        this.running = false;
      }
    }

    async sendAll() {
      let stop = null;
      const unlocked = async () => {
        for (;;) {
          const item = this.items.find((i) => i.state !== "failed");
          if (!item) { this.offline = false; this.delay = MIN_DELAY; this.changed(false); return; }
          const r = await this.sendOne(item);
          if (r === "retry" || r === "auth") { stop = r; return; }
        }
      };
      // One tab at a time sends (the others only show the list), when the browser can tell.
      if (navigator.locks && navigator.locks.request) {
        await navigator.locks.request("sc-outbox-" + this.owner, { ifAvailable: true }, async (lock) => {
          if (!lock) { stop = "busy"; return; }
          await this.reload();
          await unlocked();
        });
      } else {
        await unlocked();
      }
      if (stop === "retry") {
        this.schedule(this.delay);
        this.delay = Math.min(MAX_DELAY, this.delay * 2);
      } else if (stop === "auth") {
        this.schedule(MAX_DELAY);
      } else if (stop === "busy") {
        this.schedule(5000);
      }
    }

    async mark(item, fields) {
      Object.assign(item, fields);
      try { await this.store.put(item); } catch (e) { console.error("outbox: write failed", e); }
    }

    /** Send one item; returns "sent", "failed", "retry" or "auth". */
    async sendOne(item) {
      this.sendingKey = item.key;
      await this.mark(item, { tries: (item.tries || 0) + 1, lastTry: new Date().toISOString() });
      let result;
      try {
        if (item.photo && !item.photoId) {
          const fd = new FormData();
          const blob = item.photo instanceof Blob ? item.photo : new Blob([item.photo.buffer], { type: item.photo.type });
          fd.append("photo", blob, (item.photo && item.photo.name) || "photo.jpg");
          const sid = /\/searches\/(\d+)\//.exec(item.url);
          if (sid) fd.append("search_id", sid[1]);
          // the item's own id, so a retry after a lost answer gets the same photo back instead of a second copy
          if (item.body && item.body.client_id) fd.append("client_id", "photo-" + item.body.client_id.slice(0, 58));
          const res = await SC.api("POST", "/api/v1/photos", fd, { quiet: true });
          // keep the photo id at once, so a retry of the clue does not upload the photo again
          await this.mark(item, { photoId: res.id, photo: null });
        }
        const body = Object.assign({}, item.body);
        if (item.photoId) body.photo_id = item.photoId;
        const res = await SC.api(item.method, item.url, body, { quiet: true });
        await this.store.remove(item.key);
        this.items = this.items.filter((i) => i.key !== item.key);
        this.offline = false;
        this.authProblem = false;
        this.lastError = null;
        this.delay = MIN_DELAY;
        this.lastSentAt = new Date();
        this.changed(true);
        this.settle(item.key, "sent");
        for (const fn of this.listeners) { try { fn(this.summary(), { sent: item, response: res }); } catch (e) { /* ignore */ } }
        result = "sent";
      } catch (err) {
        result = await this.classify(item, err);
      } finally {
        this.sendingKey = null;
      }
      return result;
    }

    async classify(item, err) {
      const status = err.status || 0;
      const code = err.data && err.data.error;
      if (err.network || !status || status >= 500 || status === 429 || status === 408) {
        this.offline = true;
        this.lastError = SC.errorMessage(err);
        this.changed(false);
        this.settle(item.key, "waiting");
        return "retry";
      }
      if (status === 401 || code === "csrf") {
        // the session ended, or this page holds an old CSRF token: send nothing until the same user is logged in
        const fresh = await this.refreshSession();
        if (fresh) return this.sendOneAgain(item);
        this.authProblem = true;
        this.changed(false);
        this.settle(item.key, "waiting");
        return "auth";
      }
      await this.mark(item, { state: "failed", error: SC.errorMessage(err), status, errData: err.data || {} });
      this.changed(true);
      this.settle(item.key, "failed");
      return "failed";
    }

    /** After a new CSRF token: one more try (once), then the normal rules. */
    async sendOneAgain(item) {
      if (item.refreshed) { item.refreshed = false; return "auth"; }
      item.refreshed = true;
      const r = await this.sendOne(item);
      item.refreshed = false;
      return r;
    }

    /** Ask the server who is logged in; true (and the new CSRF token kept) when it is still this user. */
    async refreshSession() {
      try {
        const s = await SC.api("GET", "/api/v1/session", null, { quiet: true });
        if (s && s.user && s.user.id === this.owner && s.csrf_token) {
          SC.config.csrfToken = s.csrf_token;
          this.authProblem = false;
          return true;
        }
      } catch (e) { /* offline or refused: treated as a login problem */ }
      return false;
    }
  }

  SC.Outbox = Outbox;
  if (SC.user && SC.user.id) SC.outbox = new Outbox(SC.user.id);

  /* ---- a small view of the outbox: "3 waiting since 21:04", failed items with a discard button ---------- */

  function itemLabel(item) {
    if (item.label) return item.label;
    if (item.kind === "track") return SC.t("outbox.kind.track", { n: (item.body.points || []).length });
    return SC.t("outbox.kind." + item.kind);
  }
  SC.outboxItemLabel = itemLabel;
  const sinceText = (iso) => (Date.now() - new Date(iso).getTime() > 12 * 3600e3 ? SC.fmtDateTime(iso) : SC.fmtTime(iso));

  /** Render the outbox state into `box` (kept up to date). opts.compact: no line when everything is sent. */
  SC.outboxView = function outboxView(box, outbox, opts) {
    opts = opts || {};
    if (!outbox) return;
    const render = (s) => {
      SC.clear(box);
      box.classList.toggle("has-waiting", s.waiting > 0);
      box.classList.toggle("has-failed", s.failed.length > 0);
      if (s.authProblem) {
        box.append(SC.el("p", { class: "outbox-auth", role: "alert" }, SC.t("outbox.login_again"), " ",
          SC.el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), target: "_blank", rel: "noopener" }, SC.t("outbox.login_link"))));
      }
      if (s.waiting) {
        const line = SC.el("p", { class: "outbox-line" + (s.offline ? " warn" : "") },
          SC.el("span", { class: "outbox-count" }, SC.t("outbox.waiting", { n: s.waiting, time: sinceText(s.since) })));
        if (s.offline) line.append(SC.el("span", { class: "outbox-offline" }, SC.t("field.offline")));
        line.append(" ", SC.el("button", { type: "button", class: "btn btn-small outbox-retry", onclick: () => outbox.kick(true) }, SC.t("outbox.retry_now")));
        box.append(line);
      } else if (!opts.compact && !s.failed.length && outbox.lastSentAt) {
        box.append(SC.el("p", { class: "outbox-line ok" }, SC.t("outbox.all_sent")));
      }
      if (s.failed.length) {
        const list = SC.el("ul", { class: "outbox-failed", "aria-label": SC.t("outbox.failed_title") });
        for (const item of s.failed) {
          list.append(SC.el("li", { class: "outbox-failed-item" },
            SC.el("span", { class: "grow" },
              SC.el("strong", {}, itemLabel(item)), " · ", SC.fmtTime(item.created),
              SC.el("span", { class: "block outbox-error" }, item.error || "")),
            SC.el("button", { type: "button", class: "btn btn-small btn-danger", onclick: () => {
              if (window.confirm(SC.t("outbox.confirm_discard"))) outbox.discard(item.key);
            } }, SC.t("outbox.discard"))));
        }
        box.append(SC.el("p", { class: "outbox-failed-title" }, SC.t("outbox.failed_title")), list);
      }
      box.hidden = !box.children.length;
    };
    outbox.on((s) => render(s));
    render(outbox.summary());
  };

  /**
   * Send a report through the outbox and wait a little for the answer: resolves with {result, item} where result
   * is "sent", "failed" (item.error / item.errors say why; the item has been discarded) or "waiting" (kept on
   * this device; it goes out when it can).
   */
  SC.sendReport = async function sendReport(spec, opts) {
    opts = opts || {};
    const ob = SC.outbox;
    if (!ob) {
      try {
        await SC.api(spec.method || "POST", spec.url, spec.body, { quiet: true });
        return { result: "sent" };
      } catch (err) {
        return { result: "failed", error: err };
      }
    }
    const item = await ob.add(spec);
    const result = await ob.outcome(item.key, opts.timeoutMs || (ob.offline ? 300 : 6000));
    if (result === "failed" && opts.discardOnFail !== false) {
      // the outbox may hold a newer copy of the item (it re-reads its store): the server's answer is on that one
      const cur = ob.items.find((i) => i.key === item.key) || item;
      const err = { status: cur.status, data: cur.errData || {}, message: cur.error };
      await ob.discard(item.key);
      return { result, item, error: err };
    }
    return { result, item };
  };
})();
