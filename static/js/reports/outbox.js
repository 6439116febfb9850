/* search-coord: the outbox. Everything this user creates (track batches, clues, their photos, searched areas,
   assignment status changes, FOUND, broadcast acknowledgements) is first written to IndexedDB (outbox_store.js) with
   its client-made id and search, then sent in creation order; an item is deleted only when the server has
   acknowledged it (any 2xx, a "duplicate" answer too). No answer at all (the network) stops the round, so what waits
   keeps its order; 5xx, 408 and 429 are the item's own trouble: it waits out its own backoff (1 s doubling to 30 s)
   and the independent items behind it go on (outbox_rules.js sendable: a photo waits for its clue, other kinds for
   the earlier items of their URL). Other 4xx are refused for good (outbox_rules.js refuseForGood); 401 or a stale
   CSRF token keeps everything and asks for a login; 403 password_change_required keeps everything and sends the
   user to /password. A clue's photo is its own item after the clue (outbox_photos.js): the clue never waits for it. */
import { errorMessage, randomId } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { pageSearch, passwordPage, refuseForGood, searchIdOf, sendable, sessionStillMine } from "./outbox_rules.js";
import { deliver, useSocket } from "./outbox_send.js";
import { OutboxStores } from "./outbox_store.js";

const MIN_DELAY = 1000;
const MAX_DELAY = 30000;
const MAX_TRACK_POINTS = 500;
const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
export { searchIdOf as outboxSearchIdOf };

/* ---- the outbox ---------------------------------------------------------------------------------- */

class Outbox {
  constructor(owner) {
    this.owner = owner;
    this.items = []; // cached copy of this user's items, in creation order
    this.listeners = [];
    this.waiters = new Map(); // key -> [resolve]
    this.backoff = new Map(); // item key -> {delay, next}: each item waits out its own backoff
    this.timer = null;
    this.running = false;
    this.again = false;
    this.offline = false; // the last attempt failed for a reason worth retrying
    this.authProblem = false; // 401 / session gone: wait for a new login
    this.passwordChange = false; // 403 password_change_required: wait for the new password (/password)
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
      this.store = await OutboxStores.IdbStore.open();
    } catch (e) {
      console.warn("outbox: IndexedDB unavailable, keeping items in memory", e);
      this.store = new OutboxStores.MemoryStore();
    }
    await this.reload();
    this.kick(true);
  }

  on(fn) { this.listeners.push(fn); }

  changed(broadcast) {
    const page = pageSearch();
    const s = this.summary(page ? page.id : null);
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

  /** {waiting, since (ISO of the oldest waiting), failed: [items], offline, authProblem, persistent}, of one
      search's items when searchId is given (what another search's page shows is none of this page's business). */
  summary(searchId) {
    const mine = searchId ? this.items.filter((i) => searchIdOf(i) === searchId) : this.items;
    const waiting = mine.filter((i) => i.state !== "failed");
    return {
      waiting: waiting.length,
      waitingItems: waiting,
      since: waiting.length ? waiting[0].created : null,
      failed: mine.filter((i) => i.state === "failed"),
      offline: this.offline,
      authProblem: this.authProblem,
      passwordChange: this.passwordChange,
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
    if (!clientId || !ID_RE.test(clientId)) clientId = randomId(spec.kind.slice(0, 5));
    if (!spec.noClientId) body.client_id = clientId;
    const page = pageSearch();
    const searchId = spec.searchId || searchIdOf({ url: spec.url, clueUrl: spec.clueUrl });
    const item = {
      searchId, searchTitle: spec.searchTitle || (page && page.id === searchId ? page.title : ""),
      clueClientId: spec.clueClientId || null, clueUrl: spec.clueUrl || null, clueId: null,
      owner: this.owner, kind: spec.kind, method: spec.method || "POST", url: spec.url, body,
      clientId, label: spec.label || "", created: new Date().toISOString(), tries: 0, state: "waiting",
      error: spec.note || null, photo: spec.photo || null, photoId: null, sealed: !!spec.sealed,
    };
    if (spec.note) Object.assign(item, { state: "failed", errData: spec.noteData || {}, status: 0 }); // a note: shown with the refused items until discarded, never sent
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

  /** Say in the outbox, once, what the server refused of an item it otherwise took (e.g. some fixes of a batch). */
  async addNote(about, kind, text, data) {
    return this.add({ kind, url: about.url, searchId: searchIdOf(about), searchTitle: about.searchTitle, note: text,
      noteData: data || {}, noClientId: true });
  }

  /** Discard every refused item (and note) of a search. */
  async discardFailed(searchId) {
    await this.ready;
    for (const item of this.items.slice()) {
      if (item.state === "failed" && (!searchId || searchIdOf(item) === searchId)) {
        await this.store.remove(item.key);
        this.items = this.items.filter((i) => i.key !== item.key);
        this.settle(item.key, "discarded");
      }
    }
    this.changed(true);
  }

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
    if (reset) { this.backoff.clear(); this.offlineUntil = 0; this.offline = this.offline && !navigator.onLine; }
    if (this.running) { this.again = true; return; }
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
      } while (this.again && !this.authProblem && !this.passwordChange);
    } finally {
      this.running = false;
    }
  }

  async sendAll() {
    let stop = null;
    const tried = new Set();
    const unlocked = async () => {
      if (Date.now() < (this.offlineUntil || 0)) { stop = "offline"; return; } // the connection is still down
      for (;;) {
        const item = sendable(this.items, this.backoff, Date.now()).find((i) => !tried.has(i.key));
        if (!item) break;
        tried.add(item.key);
        const r = await this.sendOne(item);
        if (r === "auth") { stop = r; return; }
        if (r === "offline") {
          this.offlineDelay = Math.min(MAX_DELAY, 2 * (this.offlineDelay || MIN_DELAY / 2));
          this.offlineUntil = Date.now() + this.offlineDelay;
          stop = r;
          return;
        }
        this.offlineDelay = 0;
        if (r === "retry") {
          const delay = Math.min(MAX_DELAY, 2 * ((this.backoff.get(item.key) || {}).delay || MIN_DELAY / 2));
          this.backoff.set(item.key, { delay, next: Date.now() + delay });
        } else this.backoff.delete(item.key);
      }
      if (!this.items.some((i) => i.state !== "failed")) { this.offline = false; this.backoff.clear(); this.changed(false); }
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
    const waits = this.items.filter((i) => i.state !== "failed" && this.backoff.has(i.key)).map((i) => this.backoff.get(i.key).next);
    if (stop === "offline") this.schedule(Math.max(100, this.offlineUntil - Date.now()));
    else if (!stop && waits.length) this.schedule(Math.max(100, Math.min(...waits) - Date.now()));
    else if (stop === "auth") {
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
      if (item.kind === "photo") return await this.sendPhoto(item);
      const res = await deliver(item, (fields) => this.mark(item, fields)); // a track batch over the open socket
      await this.afterSent(item, res);
      await this.store.remove(item.key);
      this.items = this.items.filter((i) => i.key !== item.key);
      this.sentOk(item, res);
      result = "sent";
    } catch (err) {
      result = await this.classify(item, err);
    } finally {
      this.sendingKey = null;
    }
    return result;
  }

  sentOk(item, res) {
    this.offline = false;
    this.authProblem = false;
    this.passwordChange = false;
    this.lastError = null;
    this.lastSentAt = new Date();
    this.changed(true);
    this.settle(item.key, "sent");
    for (const fn of this.listeners) { try { fn(this.summary(), { sent: item, response: res }); } catch (e) { /* ignore */ } }
  }

  /** What an accepted item leaves behind: the fixes the server refused one by one (said once, dropped), the clue's
      id for the photo that follows it. */
  async afterSent(item, res) {
    if (item.kind === "track" && res && Array.isArray(res.rejected) && res.rejected.length) {
      const reasons = Array.from(new Set(res.rejected.map((r) => (r && r.reason) || "?")));
      await this.addNote(item, "fixes_refused", reasons.join("; "), { n: res.rejected.length, reasons });
    }
    if (item.kind === "clue" && res && res.id) {
      for (const p of this.items.filter((i) => i.kind === "photo" && i.clueClientId === item.clientId)) {
        await this.mark(p, { clueId: res.id });
      }
    }
  }

  async classify(item, err) {
    const status = err.status || 0;
    const code = err.data && err.data.error;
    if (err.network || !status || status >= 500 || status === 429 || status === 408) {
      this.offline = true;
      this.lastError = errorMessage(err);
      this.changed(false);
      this.settle(item.key, "waiting");
      // no answer at all: nothing behind it can go either, and what waits keeps its order (issue 4); an answer
      // that says "later" is this item's own trouble: it waits out its backoff and the rest go on
      return err.network || !status ? "offline" : "retry";
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
    if (status === 403 && code === "password_change_required") {
      // an administrator asked for a new password: nothing is refused, it all goes once the password is changed
      if (!this.passwordChange) {
        toast(t("outbox.password_change"), "error");
        setTimeout(() => { if (!/^\/password/.test(location.pathname)) location.assign(passwordPage()); }, 2500);
      }
      this.passwordChange = true;
      this.changed(false);
      this.settle(item.key, "waiting");
      return "auth";
    }
    await refuseForGood(this, item, err, errorMessage(err));
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
    const mine = await sessionStillMine(this.owner);
    if (mine) this.authProblem = false;
    return mine;
  }
}

export { Outbox, useSocket as outboxUseSocket };
/** This user's outbox (none when signed out). */
export const outbox = user && user.id ? new Outbox(user.id) : null;
