/* search-coord: the live state of one search — a snapshot from the API, then events from Socket.IO /live,
   each applied once and in sequence order; a gap triggers a fresh snapshot. Shared by the console and the field page. */
import { api } from "./api.js";
import { checkEventType } from "./catalogue.js";
import { debug } from "./debug.js";
import { toast } from "./dom.js";
import { t } from "./i18n.js";

/* ---- the reducers: how each event type changes the live state (one small function per type) ---------------- */

const upsert = (list, item) => {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item; else list.push(item);
};
const searchedAreas = (st) => st.searched_areas || (st.searched_areas = []);
const trackOf = (st, uid) => st.tracks[uid] || (st.tracks[uid] = []);

/** Event type -> (state, payload, event) => void. Types without one change nothing shown by these pages. */
const REDUCERS = {
  "search.opened": (st, p) => { if (p.search) st.search = p.search; },
  "search.status_changed": (st, p, ev) => {
    st.search.status = p.to;
    if (p.to === "closed") st.search.closed_at = ev.at;
  },
  "search.found": (st, p) => { st.search.status = "found"; st.search.found = p.found; },
  "member.added": (st, p) => { if (p.user) upsert(st.members, p.user); },
  "member.removed": (st, p) => {
    st.members = st.members.filter((u) => u.id !== p.user_id);
    for (const team of st.teams) team.member_ids = team.member_ids.filter((id) => id !== p.user_id);
  },
  "team.created": (st, p) => { if (p.team) upsert(st.teams, p.team); },
  "assignment.created": (st, p) => { if (p.assignment) upsert(st.assignments, p.assignment); },
  "track.points": (st, p, ev, changed) => {
    const list = trackOf(st, String(p.user_id));
    changed.add(String(p.user_id)); // the map appends to this officer's lines only
    for (const pt of p.points || []) list.push([pt[0], pt[1], pt[2], pt[4] === undefined ? 0 : pt[4], pt[3]]); // event: [lon, lat, t, acc, key]
    list.sort((a, b) => (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)); // stable; nearly linear on a list already in order
    if (p.rekeyed && p.rekeyed.length) { // an older batch joined (or split) pieces this map already has
      const key = new Map(p.rekeyed);
      // new fix arrays throughout, so the map sees the drawn fixes changed and redraws this officer's lines whole
      st.tracks[String(p.user_id)] = list.map((f) => (key.has(f[2]) ? [f[0], f[1], f[2], key.get(f[2]), f[4]] : f.slice()));
    }
    if ("clock_offset_s" in p) { // the phone's clock as the server measured it on this batch
      const clocks = (st.clocks || []).filter((c) => !(c.user_id === p.user_id && c.device === (p.device || "")));
      if (p.clock_offset_s) clocks.push({ user_id: p.user_id, device: p.device || "", offset_s: p.clock_offset_s });
      st.clocks = clocks;
    }
  },
  positions: (st, p, ev, changed) => { // made here from a coalesced `positions` message: each officer's latest fix
    for (const [uid, pt] of Object.entries(p.positions || {})) {
      const list = trackOf(st, uid);
      changed.add(String(uid));
      if (!list.length || list[list.length - 1][2] < pt[2]) list.push([pt[0], pt[1], pt[2], pt[3] === undefined ? 0 : pt[3]]);
    }
  },
  "track.coalesced": () => {}, // stands for a batch summed up in the next "positions"
  "track.retracted": (st, p, ev, changed) => { // the user's fixes from..to (of one device, or all) are no longer drawn
    const list = st.tracks[String(p.user_id)];
    changed.add(String(p.user_id));
    const ofDevice = (key) => p.device == null || key == null || String(key).startsWith(p.device + ":");
    if (list) st.tracks[String(p.user_id)] = list.filter((pt) => !(pt[2] >= p.from && pt[2] <= p.to && ofDevice(pt[3])));
  },
  "clue.reported": (st, p) => { if (p.clue) upsert(st.clues, p.clue); },
  "clue.retracted": (st, p) => { st.clues = (st.clues || []).filter((c) => c.id !== p.clue_id); },
  "area.searched": (st, p) => { if (p.area) upsert(searchedAreas(st), p.area); },
  // retracted by a dispatcher (entered by mistake): no map shows it any more
  "area.retracted": (st, p) => { st.searched_areas = (st.searched_areas || []).filter((a) => a.id !== p.area_id); },
  "video.sighting_decided": (st, p) => { if (p.trail) st.trail = p.trail; }, // the confirmed trail, drawn on every map
};
REDUCERS["search.updated"] = REDUCERS["search.opened"];
REDUCERS["team.updated"] = REDUCERS["team.created"];
REDUCERS["assignment.updated"] = REDUCERS["assignment.created"];
REDUCERS["assignment.status_changed"] = REDUCERS["assignment.created"];
REDUCERS["clue.updated"] = REDUCERS["clue.reported"]; // e.g. the photo that followed the clue
REDUCERS["video.reviewed"] = REDUCERS["area.searched"]; // a reviewed exit camera counts as a search of its view
REDUCERS["video.clock_corrected"] = REDUCERS["video.sighting_decided"];

/** Timings for the browser benchmark (bench/console_browser.py): SC.debug.perf[name] holds the last samples (ms). */
export function perfSample(name, ms) {
  const perf = debug.perf || (debug.perf = {});
  const list = perf[name] || (perf[name] = []);
  if (list.length >= 20000) list.splice(0, 10000);
  list.push(ms);
}

class LiveSearch {
  /** opts.view "field" (the phone page): other units' positions come coalesced, at a lower rate. */
  constructor(searchId, opts = {}) {
    this.searchId = searchId;
    this.view = opts.view || "console";
    this.state = null;
    this.appliedSeq = 0;
    this.pending = new Map(); // seq -> event, waiting for the ones before it
    this.listeners = [];
    this.socket = null;
    this.resyncing = null;
    this.connected = false;
    this.online = new Set(); // user ids connected to this search now (join ack + `presence` messages)
    this.unacknowledged = []; // broadcasts this user has not acknowledged (from the latest join ack)
    this.changedTracks = new Set(); // uids whose fixes changed since the map last took them (takeChangedTracks)
    this.fullTracks = new Set(); // uids whose every stored fix is in the state (the snapshot's tracks are simplified)
    this.trackEdits = new Map(); // uid -> seq of the last event that rewrote fixes already held (retraction, rekey)
    this.epoch = 0; // counts snapshots: a full track read for an older one is not merged into a newer one
    this.catchingUp = false; // applying the events a (re)join brought: maps draw them once, in the next frame
  }

  /** Whether the state holds every stored fix of `uid` (a map loads the rest with loadFullTrack when it needs it). */
  isFull(uid) { return this.fullTracks.has(String(uid)); }

  /** Load `uid`'s full track (GET .../tracks/<uid>, page by page) into the state in place of the simplified one,
      keeping the fixes that came live meanwhile. Resolves true when merged (the map redraws that officer), false
      when a newer snapshot or a rewrite of those fixes came in while it was read (the next call reads it again). */
  async loadFullTrack(uid) {
    uid = String(uid);
    if (this.fullTracks.has(uid)) return true;
    const epoch = this.epoch;
    const fixes = [];
    let after = "";
    let first = null;
    let seen = 0;
    do {
      const page = await api("GET", `/api/v1/searches/${this.searchId}/tracks/${uid}?limit=20000`
        + (after ? "&after=" + encodeURIComponent(after) : ""), null, { quiet: true });
      if (first === null) first = page.last_seq;
      seen = Math.max(seen, page.last_seq);
      for (const p of page.fixes) fixes.push([p[0], p[1], p[2], p[3] === undefined ? 0 : p[3], p[4]]);
      after = page.next;
    } while (after);
    // merged once the live state has applied every event the pages were read after (a few hundred ms at most)
    for (let waited = 0; this.appliedSeq < seen && this.epoch === epoch && waited < 10000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (this.epoch !== epoch || this.appliedSeq < seen || (this.trackEdits.get(uid) || 0) > first) return false;
    const have = new Set(fixes.map((f) => f[2] + "|" + f[3]));
    const live = (this.state.tracks[uid] || []).filter((f) => !have.has(f[2] + "|" + f[3])); // came after the read
    const merged = fixes.concat(live);
    if (live.length) merged.sort((a, b) => (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    this.state.tracks[uid] = merged;
    this.fullTracks.add(uid);
    this.changedTracks.add(uid);
    return true;
  }

  /** The officers whose tracks changed since the last call (the map redraws only theirs). */
  takeChangedTracks() {
    const uids = this.changedTracks;
    this.changedTracks = new Set();
    return uids;
  }

  /** fn(kind, event): kind is "reset" (new snapshot, event null), "event" (one event applied), "connection",
      "presence" ({user_id, online} or null after a join) or "unacknowledged" (the list from the join ack). While
      the events a (re)join brought are applied, `catchingUp` is true (a map may draw them once, afterwards). */
  on(fn) { this.listeners.push(fn); }

  emit(kind, ev) {
    for (const fn of this.listeners) {
      try { fn(kind, ev); } catch (e) { console.error("live listener failed", e); }
    }
  }

  async start() {
    await this.loadState();
    this.connect();
  }

  async loadState() {
    const st = await api("GET", `/api/v1/searches/${this.searchId}/state?tracks=display`);
    this.setState(st);
  }

  setState(st) {
    const tracks = {};
    // a fix is kept as [lon, lat, isoTime, key, acc]: key joins fixes into lines (null: too coarse to join)
    for (const [uid, pts] of Object.entries(st.tracks || {})) tracks[String(uid)] = pts.map((p) => [p[0], p[1], p[2], p[3] === undefined ? 0 : p[3], p[4]]);
    st.tracks = tracks;
    const detail = st.tracks_detail || {};
    // a track the snapshot sent whole (or one without detail: a full snapshot) needs nothing more
    this.fullTracks = new Set(Object.keys(tracks).filter((uid) => !detail[uid] || detail[uid].sent >= detail[uid].fixes));
    this.trackEdits = new Map();
    this.epoch += 1;
    this.state = st;
    this.appliedSeq = st.last_seq || 0;
    this.publish();
    this.emit("reset", null);
    this.drain();
  }

  publish() {
    this.state.appliedSeq = this.appliedSeq;
    debug.state = this.state;
    document.body.dataset.appliedSeq = String(this.appliedSeq);
  }

  connect() {
    if (typeof io !== "function") {
      toast(t("live.no_socket"), "error");
      return;
    }
    const socket = (this.socket = io("/live", { transports: ["websocket", "polling"] }));
    socket.on("connect", () => { this.setConnected(true); this.join(); });
    socket.on("disconnect", () => this.setConnected(false));
    socket.on("connect_error", () => this.setConnected(false));
    socket.on("event", (ev) => this.receive(ev));
    socket.on("presence", (msg) => this.presence(msg));
    socket.on("positions", (msg) => this.positions(msg));
    socket.on("error", (err) => toast(t("live.error") + (err && err.message ? " — " + err.message : ""), "error"));
  }

  setConnected(on) {
    if (this.connected === on) return;
    this.connected = on;
    document.body.dataset.live = on ? "on" : "off";
    this.emit("connection", null);
  }

  join() {
    this.socket.emit("join", { search_id: this.searchId, after: this.appliedSeq, view: this.view }, (ack) => {
      if (!ack || !ack.ok) {
        toast(t("live.join_failed") + (ack && ack.message ? " — " + ack.message : ""), "error");
        return;
      }
      this.online = new Set((ack.online || []).map(Number));
      this.emit("presence", null);
      this.unacknowledged = ack.unacknowledged || [];
      this.emit("unacknowledged", this.unacknowledged);
      const t0 = performance.now();
      this.catchingUp = true; // the events missed while away: applied at once, drawn once
      try {
        for (const ev of ack.events || []) this.receive(ev);
      } finally {
        this.catchingUp = false;
      }
      // how long the missed events took to apply (the map draws them at the next frame): bench/console_browser.py
      if ((ack.events || []).length) debug.catchUp = { events: ack.events.length, ms: performance.now() - t0 };
      if ((ack.last_seq || 0) > this.appliedSeq && !this.pending.size) this.resync();
    });
  }

  presence(msg) {
    if (!msg || msg.search_id !== this.searchId) return;
    if (msg.online) this.online.add(Number(msg.user_id));
    else this.online.delete(Number(msg.user_id));
    this.emit("presence", msg);
  }

  /** Coalesced track events (phones): each sequence number it stands for counts as applied, in order; the
      latest position of each officer is appended to their track. */
  positions(msg) {
    if (!msg || msg.search_id !== this.searchId || !Array.isArray(msg.seqs) || !msg.seqs.length) return;
    const seqs = [...msg.seqs].sort((a, b) => a - b);
    const last = seqs[seqs.length - 1];
    for (const seq of seqs) {
      this.receive({ search_id: this.searchId, seq, type: seq === last ? "positions" : "track.coalesced",
        payload: seq === last ? { positions: msg.positions || {} } : {} });
    }
  }

  receive(ev) {
    if (!ev || ev.search_id !== this.searchId || typeof ev.seq !== "number") return;
    if (ev.seq <= this.appliedSeq) return;
    this.pending.set(ev.seq, ev);
    if (this.resyncing) return;
    this.drain();
    if (this.pending.size) this.resync();
  }

  /** Apply the waiting events that follow on directly. */
  drain() {
    while (this.pending.has(this.appliedSeq + 1)) {
      const ev = this.pending.get(this.appliedSeq + 1);
      this.pending.delete(ev.seq);
      this.apply(ev);
    }
    for (const seq of Array.from(this.pending.keys())) if (seq <= this.appliedSeq) this.pending.delete(seq);
  }

  /** A gap: fetch a fresh snapshot, then apply what came after it. */
  resync() {
    if (this.resyncing) return this.resyncing;
    this.resyncing = (async () => {
      try {
        const st = await api("GET", `/api/v1/searches/${this.searchId}/state?tracks=display`, null, { quiet: true });
        this.setState(st);
      } catch (e) {
        toast(t("live.resync_failed"), "error");
      } finally {
        this.resyncing = null;
      }
      if (this.pending.size) setTimeout(() => { if (this.pending.size) this.resync(); }, 1000);
    })();
    return this.resyncing;
  }

  apply(ev) {
    const t0 = performance.now();
    const st = this.state;
    const reduce = REDUCERS[ev.type];
    if (reduce) reduce(st, ev.payload || {}, ev, this.changedTracks);
    const p = ev.payload || {};
    if (ev.type === "track.retracted" || (ev.type === "track.points" && p.rekeyed && p.rekeyed.length)) {
      this.trackEdits.set(String(p.user_id), ev.seq); // a full track read before this must be read again
    }
    else checkEventType(ev.type); // changes nothing shown here (the search model, segments...); an unknown type is logged once
    this.appliedSeq = ev.seq;
    st.last_seq = Math.max(st.last_seq || 0, ev.seq);
    if (ev.type.startsWith("search.")) st.search.last_seq = ev.seq;
    if (ev.type === "track.coalesced") return;  // stands for a batch summed up in the next "positions"
    this.publish();
    this.emit("event", ev);
    perfSample("apply", performance.now() - t0); // reducer + what the listeners draw at once
  }
}

export { LiveSearch };