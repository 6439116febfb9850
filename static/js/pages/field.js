/* search-coord: the officer's field page — subject, my team's assignments, the live map, location sharing,
   clue/sighting and FOUND reports. */
import { broadcastAlerts } from "../field/alert.js";
import { Tracker } from "../field/tracker.js";
import { meta as loadMeta } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { eventSentence } from "../lib/events.js";
import { fmtDateTime, fmtSince, fmtTime, fmtTimeSec } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { LiveSearch } from "../lib/live.js";
import { isDispatcher, user } from "../lib/page.js";
import { teamLabel as teamLabelOf, teamTitle, userName as userNameOf } from "../lib/people.js";
import { makeMap } from "../map/base.js";
import { SearchLayers } from "../map/layers.js";
import { assignmentActions, clueReporter, foundReporter } from "../reports/dialogs.js";
import { outboxSearchIdOf } from "../reports/outbox.js";
import { outboxView } from "../reports/outbox_view.js";
import { videoPanel } from "../video/panel.js";
import { TrailLayer } from "../video/trail.js";
import { outbox, outboxUseSocket } from "../reports/outbox.js";
import { debug } from "../lib/debug.js";
import { fixTime } from "../field/tracker.js";
import { trackPieces } from "../map/base.js";
import { boot } from "../lib/boot.js";
import { offlineField } from "../field/offline.js";
import { unitsList } from "../field/units.js";
import { ownTrack } from "../field/own_track.js";
import { startServiceWorker } from "../offline/register.js";
import { TileCache } from "../offline/tiles.js";
import { config } from "../lib/page.js";
import { dimTiles, tilesDimmed } from "../map/base.js";
import { installLightbox } from "../lib/lightbox.js";
import { phoneNight } from "../reports/need_help.js";
import { streetsOnPhone } from "../streets/field.js";

boot();
installLightbox();

const page = $(".field-page").dataset;
const searchId = parseInt(page.searchId, 10);
const me = user ? user.id : null;
const live = new LiveSearch(searchId, { view: "field" });
outboxUseSocket(() => live.socket); // track batches go over the open socket (reports/outbox_send.js)
const map = makeMap($("#map"), { zoom: 15, tileCors: !!page.tileCors });
dimTiles(map, tilesDimmed());
const zooms = (page.tileCacheZooms || "13,17").split(",").map(Number);
const tiles = new TileCache({ template: config.tileUrl, budgetMb: Number(page.tileCacheMb), searchId,
  radiusM: Number(page.tileCacheRadiusM), minZoom: zooms[0], maxZoom: zooms[1] });
let meta = null;
let fitted = false;

const myTeamIds = (state) => (state.teams || [])
  .filter((tm) => !tm.disbanded && (tm.leader_id === me || tm.member_ids.includes(me))).map((tm) => tm.id);
const layers = new SearchLayers(map, { highlightTeamIds: myTeamIds });
streetsOnPhone({ live, map, searchId, teamIds: myTeamIds });   // issue 14: my street blocks, live
const trail = new TrailLayer(map); // confirmed sightings (video review)
const renderTrail = () => { if (trail && st()) trail.render(st().trail); };
const st = () => live.state;
const userName = (uid) => userNameOf(st(), uid);

/* ---- my position --------------------------------------------------------------------------------- */
const meMarker = L.circleMarker([0, 0], { radius: 9, color: "#fff", weight: 3, fillColor: "#1c7ed6", fillOpacity: 1, className: "sc-me" });
const meAccuracy = L.circle([0, 0], { radius: 1, color: "#4dabf7", weight: 1, fillOpacity: 0.12, interactive: false });
let centeredOnMe = false;

const tracker = new Tracker(searchId, me, renderShare);
// My own track is drawn from my own fixes at once (field/own_track.js); other units' come coalesced from the server.
const addOwnFix = ownTrack({ live, layers, me });
const myPosition = () => (tracker.last ? [tracker.last.lon, tracker.last.lat] : null);
const lkp = () => (st() && st().search.lkp ? st().search.lkp.coordinates : null);
const clueDialog = clueReporter({ searchId, map, getPosition: myPosition, lkp: null });
const foundDialog = foundReporter({ searchId, map, getPosition: myPosition, lkp: null });

function renderShare() {
  const btn = $("#share-btn");
  btn.setAttribute("aria-pressed", tracker.sharing ? "true" : "false");
  btn.classList.toggle("on", tracker.sharing);
  btn.classList.toggle("paused", !!(tracker.sharing && tracker.paused));
  $("#share-label").textContent = tracker.sharing ? t("field.share_stop") : t("field.share_start");
  const parts = [];
  if (tracker.sharing) parts.push(tracker.paused ? t("track.paused_short") : t("field.sharing_on"));
  if (tracker.last) {
    parts.push(t("field.last_fix", { time: fmtTimeSec(tracker.last.t), acc: tracker.last.acc !== undefined ? Math.round(tracker.last.acc) : "?" }));
  }
  if (tracker.sharing && !tracker.paused && tracker.stationary) parts.push(t("track.still"));
  if (tracker.sharing && (tracker.wakeLockState === "refused" || tracker.wakeLockState === "unsupported")) parts.push(t("track.no_wake_lock"));
  if (!tracker.sharing && tracker.error) parts.push(tracker.error);
  const status = $("#share-status");
  status.textContent = parts.join(" · ") || t("field.share_off_hint");
  status.classList.toggle("warn", !!(tracker.error && !tracker.sharing));
  document.body.dataset.waiting = String(tracker.waiting);

  // a pause is said plainly: the map will show a gap here
  const box = $("#track-paused");
  if (tracker.sharing && tracker.paused) {
    box.hidden = false;
    $("#track-paused-why").textContent = [tracker.paused.message || t("track.paused_" + tracker.paused.reason),
      t("track.paused_since", { time: fmtTime(tracker.paused.since) })].filter(Boolean).join(" · ");
  } else {
    box.hidden = true;
  }
  if (tracker.last) {
    const ll = [tracker.last.lat, tracker.last.lon];
    addOwnFix(tracker.last);
    meMarker.setLatLng(ll);
    meAccuracy.setLatLng(ll).setRadius(tracker.last.acc || 1);
    if (!map.hasLayer(meMarker)) { meAccuracy.addTo(map); meMarker.addTo(map).bindTooltip(t("field.me"), { direction: "top" }); }
    if (!centeredOnMe) { map.setView(ll, Math.max(map.getZoom(), 16)); centeredOnMe = true; }
  }
}

$("#share-btn").addEventListener("click", () => {
  if (tracker.sharing) tracker.stop();
  else tracker.start();
});
$("#center-me").addEventListener("click", () => {
  if (tracker.last) map.setView([tracker.last.lat, tracker.last.lon], Math.max(map.getZoom(), 17));
  else toast(t("field.no_position"), "info");
});
$("#fit-all").addEventListener("click", () => layers.fit(st()));
$("#clue-btn").addEventListener("click", () => clueDialog.open());
$("#found-btn").addEventListener("click", () => foundDialog.open());

/* ---- subject & status --------------------------------------------------------------------------------- */
// A closed, found or suspended search, or one this officer was removed from: this phone stops sharing its position
// for it (and says so). The server may say it first, refusing something of this search because it is closed (the
// live event may not have come yet), or refusing the state itself (403/404: no longer on it).
let refusedClosed = false;
let removed = false;
const ended = () => {
  const s = st() && st().search;
  if (removed) return "removed";
  if (!s) return refusedClosed ? "closed" : null;
  if (s.status === "closed" || refusedClosed) return "closed";
  if (s.found || s.status === "found") return "found";
  return s.status === "suspended" ? "suspended" : null;
};
if (outbox) {
  outbox.on((_s, what) => {
    const item = what && what.refused;
    if (!item || refusedClosed || outboxSearchIdOf(item) !== searchId) return;
    if ((item.status === 403 || item.status === 404) && !(item.errData && item.errData.error === "password_change_required")) {
      removed = true;
      if (tracker.sharing) tracker.stop();
      renderEnded();
    }
    if (item.status === 409 && /search is closed/i.test((item.errData && item.errData.message) || "")) {
      refusedClosed = true;
      if (tracker.sharing) tracker.stop();
      if (st()) renderSubject();
    }
  });
}
/** Removed from the search (or it is gone): only the banner, the outbox and what the phone knew stay. */
function renderEnded() {
  document.body.dataset.searchEnded = "removed";
  for (const id of ["#share-btn", "#clue-btn", "#found-btn"]) $(id).disabled = true;
  const banner = $("#status-banner");
  banner.hidden = false;
  banner.className = "status-banner st-closed";
  clear(banner).append(el("strong", {}, t("phone.removed_banner")));
}
function renderSubject() {
  if (removed) { renderEnded(); return; }
  const s = st().search;
  const subj = s.subject || {};
  $("#subj-name").textContent = subj.name || s.title;
  const line = [];
  if (subj.age !== null && subj.age !== undefined) line.push(t("subject.age_n", { n: subj.age }));
  if (subj.sex && subj.sex !== "unknown") line.push(tEnum("sex", subj.sex));
  if (subj.category) line.push(tEnum("category", subj.category));
  line.push(t("field.missing_for", { dur: fmtSince(s.missing_since || s.lkp_time, s.found ? new Date(s.found.time).getTime() : Date.now()) }));
  $("#subj-line").textContent = line.join(" · ");
  $("#subj-clothing").textContent = subj.clothing ? t("subject.clothing") + ": " + subj.clothing : "";
  const body = clear($("#subject-body"));
  if (subj.photo_id) body.append(el("img", { class: "subject-photo", src: `/api/v1/photos/${subj.photo_id}`, alt: t("subject.photo_of", { name: subj.name }) }));
  if (subj.photo_id) pwa.keep([`/api/v1/photos/${subj.photo_id}`]); // for the next offline reload
  const dl = el("dl", { class: "facts" });
  const add = (label, value) => { if (value) dl.append(el("dt", {}, label), el("dd", {}, value)); };
  add(t("subject.clothing"), subj.clothing);
  add(t("subject.description"), subj.description);
  add(t("subject.medical"), subj.medical);
  add(t("field.last_seen"), fmtDateTime(s.lkp_time) + (s.lkp_address ? " — " + s.lkp_address : ""));
  add(t("search.risk"), tEnum("risk_level", s.risk) + ((s.risk_reasons || []).length ? " — " + s.risk_reasons.map((r) => tEnum("reason", r)).join(t("list.sep")) : ""));
  add(t("search.notes"), s.notes);
  body.append(dl);

  const banner = $("#status-banner");
  banner.className = "status-banner";
  const over = ended();
  if (over && tracker.sharing) tracker.stop(); // nothing more to share for this search
  $("#share-btn").disabled = !!over;
  document.body.dataset.searchEnded = over || "";
  if (s.found) {
    banner.hidden = false;
    banner.classList.add("found");
    clear(banner).append(el("strong", { class: "block" }, t(over === "closed" ? "phone.found_closed_banner" : "phone.found_banner")),
      t("found.banner_text", { condition: tEnum("condition", s.found.condition), time: fmtTime(s.found.time), name: userName(s.found.reported_by) }));
  } else if (over === "closed") {
    banner.hidden = false;
    banner.classList.add("st-closed");
    clear(banner).append(el("strong", {}, t("phone.closed_banner")));
  } else if (s.status !== "open") {
    banner.hidden = false;
    banner.classList.add("st-" + s.status);
    clear(banner).append(el("strong", {}, t(s.status === "suspended" ? "phone.suspended_banner" : "field.status_" + s.status)));
  } else {
    banner.hidden = true;
  }
  $("#found-btn").hidden = !!s.found || over === "closed";
  $("#clue-btn").classList.toggle("span-all", $("#found-btn").hidden);
  $("#clue-btn").disabled = over === "closed";
  document.body.classList.toggle("is-found", !!s.found);
}
setInterval(() => { if (st()) renderSubject(); }, 30000);
setInterval(() => layers.refreshStale(), 15000);

/* ---- my team & assignments ---------------------------------------------------------------------------- */
function assignmentItem(a, mine) {
  return el("li", { class: "list-item column assignment status-" + a.status + (mine ? " mine" : "") },
    el("div", { class: "row-between" },
      el("button", { type: "button", class: "link-button strong left", onclick: () => focusAssignment(a.id) }, a.title),
      el("span", { class: "badge status-" + a.status }, tEnum("astatus", a.status))),
    el("div", { class: "small" }, tEnum("akind", a.kind) + (mine ? "" : " · " + teamLabel(a.team_id))),
    a.instructions ? el("p", { class: "instructions" }, a.instructions) : null,
    a.places && a.places.length ? el("ol", { class: "places" }, a.places.map((p) => el("li", {}, p))) : null,
    a.debrief ? el("div", { class: "small" }, el("em", {}, t("assignment.debrief") + ": "), a.debrief) : null,
    mine && meta ? assignmentActions(searchId, a, meta.assignment_transitions, { only: ["in_progress", "done", "aborted"], big: true, markSearched: true }) : null);
}
const teamLabel = (tid) => teamLabelOf(st(), tid, { short: true });
function focusAssignment(id) {
  const layer = layers.assignmentLayers[id];
  if (!layer) return;
  const b = layer.getBounds();
  if (b.isValid()) map.fitBounds(b, { padding: [30, 30], maxZoom: 18 });
  map.getContainer().scrollIntoView({ behavior: "smooth", block: "center" });
}

function renderTeam() {
  const mine = new Set(myTeamIds(st()));
  const box = clear($("#my-team"));
  const teams = st().teams.filter((tm) => mine.has(tm.id));
  if (!teams.length) box.append(el("p", { class: "muted" }, t("field.no_team")));
  for (const tm of teams) {
    box.append(el("div", { class: "team-card" },
      el("strong", {}, teamTitle(tm)), " ",
      el("span", { class: "badge" }, tEnum("team_kind", tm.kind)),
      el("div", { class: "small" }, t("teams.leader") + ": " + (tm.leader_id ? userName(tm.leader_id) : "—")),
      el("div", { class: "small" }, t("teams.members") + ": " + tm.member_ids.map(userName).join(t("list.sep")))));
  }
  const list = clear($("#my-assignments"));
  const order = { in_progress: 0, assigned: 1, planned: 2, done: 3, aborted: 4 };
  const sorted = st().assignments.slice().sort((a, b) => order[a.status] - order[b.status] || a.id - b.id);
  const minea = sorted.filter((a) => a.team_id !== null && mine.has(a.team_id));
  for (const a of minea) list.append(assignmentItem(a, true));
  if (teams.length && !minea.length) list.append(el("li", { class: "muted" }, t("field.no_assignment")));
  const others = clear($("#other-assignments"));
  for (const a of sorted.filter((x) => !(x.team_id !== null && mine.has(x.team_id)))) others.append(assignmentItem(a, false));
  if (!others.children.length) others.append(el("li", { class: "muted" }, t("assignment.none")));
}

function renderClues() {
  const list = clear($("#clue-list"));
  const clues = st().clues.slice().sort((a, b) => (a.time < b.time ? 1 : -1));
  for (const c of clues) {
    list.append(el("li", { class: "list-item clue-item kind-" + c.kind },
      el("span", { class: "sc-icon sc-icon-" + c.kind + " inline-icon", "aria-hidden": "true" }, el("span", {}, t("map." + c.kind + "_short"))),
      el("button", { type: "button", class: "link-button grow left", onclick: () => {
        const m = layers.clueMarkers[c.id];
        if (m) { map.setView(m.getLatLng(), 18); m.openPopup(); map.getContainer().scrollIntoView({ behavior: "smooth", block: "center" }); }
      } },
      el("strong", {}, tEnum("clue_kind", c.kind)), " · ", fmtTime(c.time), " — ", c.text,
      el("span", { class: "small muted block" }, t("clue.reported_by", { name: userName(c.reported_by) })))));
  }
  if (!clues.length) list.append(el("li", { class: "muted" }, t("clue.none")));
}

function renderLive() {
  const box = $("#live-indicator");
  box.className = "live-indicator " + (live.connected ? "on" : "off");
  box.textContent = live.connected ? t("live.connected") : t("live.disconnected");
}

/* ---- video review: the officers of a video review team get the review tools (static/js/video.js) ------------ */
let video = null;
function startVideo() {
  if (video || !videoPanel || !st()) return;
  const reviewer = st().teams.some((tm) => !tm.disbanded && tm.kind === "video_review" && (tm.leader_id === me || tm.member_ids.includes(me)));
  if (!reviewer) return;
  $("#video-section").hidden = false;
  video = videoPanel({ map, searchId, panel: $("#video-panel"), state: st, canDecide: isDispatcher, trailLayer: trail });
}

live.on((kind, ev) => {
  if (kind === "event" && video) {
    try { video.onEvent(ev); } catch (e) { console.error("video review update failed", e); }
  }
  if (kind === "reset" || (kind === "event" && ev.type.startsWith("team."))) {
    if (video) { if (kind === "reset") video.load(); } else startVideo();
  }
  if (kind === "connection") {
    renderLive();
    if (live.connected && outbox) outbox.kick(true); // reconnected: try the outbox now
    return;
  }
  if (kind === "presence" || kind === "unacknowledged") return;
  if (kind === "reset") {
    renderSubject(); renderTeam(); renderClues(); units.render(); refreshTiles();
    layers.renderAll(st());
    renderTrail();
    if (!fitted && !tracker.last) { layers.fit(st()); fitted = true; }
    return;
  }
  const group = ev.type.split(".")[0];
  if (ev.type === "member.removed" && ev.payload.user_id === me) {
    removed = true;
    if (tracker.sharing) tracker.stop();
    renderEnded();
  }
  if (group === "track" || ev.type === "positions") units.render();
  if (["assignment", "area", "clue", "search"].includes(group) || ev.type === "video.sighting_decided") refreshTiles();
  if (group === "track") { layers.renderTracks(st()); return; }
  if (group === "broadcast") return; // the alert (below) handles these
  if (group === "area" || ev.type === "video.reviewed") layers.renderSearched(st());
  if (group === "area") return;
  if (group === "video" || group === "camera") {
    if (ev.type === "video.sighting_decided" || ev.type === "video.clock_corrected") renderTrail();
    return;
  }
  if (group === "clue") {
    renderClues(); layers.renderClues(st());
    if (ev.actor && ev.actor.id !== me) toast(eventSentence(ev, st()), "info");
    return;
  }
  if (group === "search") {
    renderSubject(); layers.renderLkp(st()); layers.renderFound(st());
    if (ev.type === "search.found") toast(t("found.banner_title"), "ok");
    return;
  }
  renderTeam();
  layers.renderAssignments(st());
  layers.renderTracks(st());
  if (group === "assignment" && ev.actor && ev.actor.id !== me) {
    const a = ev.payload.assignment;
    if (a && myTeamIds(st()).includes(a.team_id)) toast(eventSentence(ev, st()), "info");
  }
});

/* ---- broadcasts from the command post: a full-screen alert until acknowledged (field/alert.js) ----------- */
broadcastAlerts({ searchId, me, map, trail, live });
phoneNight({ searchId, live, getFix: () => tracker.last }); // the urgency strip and "need help" (issue 15)

outboxView($("#outbox-box"), outbox);

/* the subject card remembers whether it was folded */
const foldKey = `sc.subjectOpen.${searchId}`;
try { if (localStorage.getItem(foldKey) === "0") $("#subject-card").open = false; } catch (e) { /* ignore */ }
$("#subject-card").addEventListener("toggle", (e) => {
  try { localStorage.setItem(foldKey, e.target.open ? "1" : "0"); } catch (err) { /* ignore */ }
});

/* ---- the other units' last positions, the tiles kept for no network, night ---------------------------------- */
const units = unitsList({ box: $("#units-list"), map, state: st, me, myPosition });
let tileTimer = null;
function refreshTiles() {
  clearTimeout(tileTimer);
  tileTimer = setTimeout(() => {
    const over = ended();
    if (over && over !== "suspended") tiles.forget().catch(() => {}); // a suspended search may resume
    else if (st() && !over) tiles.update(st());
  }, 1500);
}
window.addEventListener("online", refreshTiles);
$("#dim-map").addEventListener("click", () => {
  const on = !$("#map").classList.contains("map-dimmed");
  dimTiles(map, on);
  $("#dim-map").setAttribute("aria-pressed", on ? "true" : "false");
});
$("#dim-map").setAttribute("aria-pressed", tilesDimmed() ? "true" : "false");

renderShare();
renderLive();
loadMeta().then((m) => { meta = m; if (st()) renderTeam(); }).catch(() => {});
const offline = offlineField({ live, searchId, me, title: page.searchTitle, onRemoved: () => {
  removed = true;
  if (tracker.sharing) tracker.stop();
  renderEnded();
} });
offline.start().catch((e) => console.error("field: start failed", e));
if (tracker.wasSharing) tracker.start(); // stopped again at once when the snapshot says the search has ended
const pwa = startServiceWorker({ outbox, searchId });
Object.assign(debug, { live, tracker, map, outbox, fixTime, trackPieces, offline, tiles, pwa });
