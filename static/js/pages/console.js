/* search-coord: the dispatcher's command post — the map, the live state and the panels (console/*), wired here:
   each panel gets the console's context `c` ({searchId, live, map, layers, st, meta, userName, teamLabel, showTab,
   clueDialog, foundDialog, openBroadcast}) and redraws on the live events that concern it. */
import { meta as loadMeta } from "../lib/api.js";
import { boot } from "../lib/boot.js";
import { debug } from "../lib/debug.js";
import { installLightbox } from "../lib/lightbox.js";
import { $, el, fillSelect, toast } from "../lib/dom.js";
import { eventSentence } from "../lib/events.js";
import { lang, t, tEnum } from "../lib/i18n.js";
import { LiveSearch } from "../lib/live.js";
import { isDispatcher, user } from "../lib/page.js";
import { teamLabel, userName } from "../lib/people.js";
import { makeMap, trackPieces } from "../map/base.js";
import { SearchLayers } from "../map/layers.js";
import { repairText } from "../map/where_text.js";
import { clueReporter, foundReporter } from "../reports/dialogs.js";
import { outbox } from "../reports/outbox.js";
import { outboxView } from "../reports/outbox_view.js";
import { videoPanel } from "../video/panel.js";
import { consoleAlerts } from "../console/alerts.js";
import { assignmentsPanel } from "../console/assignments.js";
import { broadcastsPanel } from "../console/broadcasts.js";
import { consoleTabs, renderLegend, renderLive } from "../console/chrome.js";
import { cluesPanel } from "../console/clues.js";
import { editForm } from "../console/edit_form.js";
import { joinPanel } from "../console/join.js";
import { searchHead } from "../console/head.js";
import { membersPanel } from "../console/members.js";
import { teamsPanel } from "../console/teams.js";
import { timelinePanel } from "../console/timeline.js";
import { startWhere } from "../console/where_panel.js";
import { streetsPanel } from "../streets/console.js";
import { startTrackImport } from "../console/track_import.js";
import { urgencyStrip } from "../console/urgency.js";

boot();
installLightbox();

const searchId = parseInt($(".console").dataset.searchId, 10);
const live = new LiveSearch(searchId);
const map = makeMap($("#map"), { zoom: 15 });
if (lang === "zh-CN" && map.pm) map.pm.setLang("zh");
// tracks come simplified in the snapshot; an officer's full track is loaded zoomed in or on a click (map/tracks_canvas.js)
const layers = new SearchLayers(map, { loadDetail: (uid) => live.loadFullTrack(uid), isFull: (uid) => live.isFull(uid),
  tracksAboveShapes: true });
const st = () => live.state;
const lkp = () => (st() && st().search.lkp ? st().search.lkp.coordinates : null);
const c = {
  searchId, live, map, layers, st, meta: null,
  userName: (uid) => userName(st(), uid),
  teamLabel: (tid) => teamLabel(st(), tid),
  clueDialog: clueReporter({ searchId, map, lkp, allowTime: true }),
  foundDialog: foundReporter({ searchId, map, lkp, allowTime: true }),
  showTab: consoleTabs((name) => { if (name === "members" && st()) members.render(); }),
  openBroadcast: () => broadcasts.open(),
};
const edit = editForm(c);
const head = searchHead(c, edit);
const members = membersPanel(c);
const teams = teamsPanel(c);
const assignments = assignmentsPanel(c);
const clues = cluesPanel(c);
const broadcasts = broadcastsPanel(c);
const timeline = timelinePanel(c);
const urgency = urgencyStrip({ box: $("#urgency-strip"), searchId, canEdit: true });
const alerts = consoleAlerts(c);
const joins = joinPanel(c);
let fitted = false;

function renderAll() {
  head.render();
  head.renderSubject();
  members.render();
  teams.render();
  assignments.render();
  clues.render();
  layers.renderAll(st());
}

let where = null; //  map/where.js, once the live state is in (console/where_panel.js)
let video = null; //  video/panel.js: cameras, proposals, tasks, sightings, trail, blind spot
function startPanels() {
  if (!where) where = startWhere(c);
  if (!c.streets) c.streets = streetsPanel(c);   // issue 14: street layer, network reach, blocks, street assignments
  if (!video) video = videoPanel({ map, searchId, panel: $("#video-panel"), state: st, canDecide: isDispatcher });
}

/* Work that can wait (the lists, the head, labels, map layers drawn again whole) is done once in the next animation
   frame, however many events asked for it meanwhile: a catch-up of hundreds of events, or a burst of them, draws
   each once. later(f, ...): f runs in the next frame (once, whatever the number of calls). */
const waiting = new Set();
let laterFrame = 0;
function later(...fns) {
  for (const f of fns) waiting.add(f);
  if (laterFrame) return;
  laterFrame = requestAnimationFrame(() => {
    laterFrame = 0;
    const todo = [...waiting];
    waiting.clear();
    for (const f of todo) {
      try { f(); } catch (e) { console.error("console redraw failed", e); }
    }
  });
}
const draw = {   // what `later` runs: the same function each time, so that it runs once a frame
  head: () => { head.render(); head.renderSubject(); },
  teams: () => teams.render(),
  assignments: () => assignments.render(),
  clues: () => clues.render(),
  assignmentShapes: () => layers.renderAssignments(st()),
  clueMarkers: () => { layers.renderClues(st()); alerts.cluesOnTop(); },
  searched: () => layers.renderSearched(st()),
  lkp: () => { layers.renderLkp(st()); layers.renderFound(st()); },
  trackLabels: () => layers.renderTracks(st()),   // names and teams in the position labels
  // the tracks a catch-up's events changed (hundreds of events while away), drawn once
  changedTracks: () => layers.renderTracks(st(), live.takeChangedTracks()),
};

/** What each kind of event redraws, by the first part of its type. */
const ON_EVENT = {
  // only the officers whose fixes arrived are redrawn (appended to); the list waits for the next frame
  track: () => {
    if (live.catchingUp) later(draw.changedTracks); else draw.changedTracks();
    if (!$("#panel-members").hidden) members.renderSoon();
  },
  clue: () => later(draw.clues, draw.clueMarkers),
  assignment: () => later(draw.assignments, draw.teams, draw.assignmentShapes),
  broadcast: (ev) => {
    broadcasts.load();
    if (ev.type === "broadcast.sent" && ev.actor && ev.actor.id !== (user && user.id)) {
      toast(eventSentence(ev, st()), ev.payload.broadcast && ev.payload.broadcast.kind === "found" ? "ok" : "info");
    }
  },
  team: (ev) => {
    if (ev.type.startsWith("member.")) broadcasts.load();
    members.renderSoon();
    later(draw.teams, draw.assignments, draw.trackLabels);
  },
  search: (ev) => {
    later(draw.head, draw.lkp);
    if (ev.type === "search.found") toast(t("found.banner_title"), "ok");
  },
};
ON_EVENT.member = ON_EVENT.team;

live.on((kind, ev) => {
  if (kind === "event" && video) {
    try { video.onEvent(ev); } catch (e) { console.error("video review update failed", e); }
  }
  if (kind === "reset" && video) video.load();
  if (kind === "connection") {
    renderLive(live);
    if (st()) members.render();
    if (live.connected && outbox) outbox.kick(true); // back online: try the outbox now
    return;
  }
  if (kind === "presence") { if (st()) members.renderSoon(); return; }
  if (kind === "unacknowledged") return;
  if (kind === "event") {   // the urgency strip and the alerts (issue 15) see every event
    try { urgency.onEvent(ev); alerts.onEvent(ev); joins.onEvent(ev); } catch (e) { console.error("urgency/alerts update failed", e); }
  }
  if (kind === "event" && where) {
    try { where.onEvent(ev); } catch (e) { console.error("where-to-look update failed", e); }
  }
  if (kind === "reset") {
    live.takeChangedTracks(); // all of them are drawn now
    renderAll();
    if (!fitted) { layers.fit(st()); fitted = true; debug.fitted = true; }
    layers.tracks.wantDetail(); // zoomed in: the full tracks in view
    timeline.load();
    broadcasts.load();
    urgency.load();
    joins.load();
    alerts.cluesOnTop();
    return;
  }
  timeline.add(ev);
  if (ev.type === "area.searched" || ev.type === "video.reviewed") later(draw.searched);
  const redraw = ON_EVENT[ev.type.split(".")[0]];
  if (redraw) redraw(ev);
});

renderLegend();
renderLive(live);
outboxView($("#outbox-box"), outbox, { compact: true });
setInterval(() => {
  layers.refreshStale();
  if (st() && !$("#panel-members").hidden) members.render();
}, 15000);
loadMeta().then((m) => {
  c.meta = m;
  fillSelect($("#e-risk"), m.risk_levels.map((v) => [v, tEnum("risk_level", v)]));
  const box = $("#e-reasons");
  for (const v of m.risk_reasons) box.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "risk_reasons", value: v }), el("span", {}, tEnum("reason", v))));
  edit.optionsReady();
  fillSelect($("#t-kind"), m.team_kinds.map((v) => [v, tEnum("team_kind", v)]));
  fillSelect($("#a-kind"), m.assignment_kinds.map((v) => [v, tEnum("akind", v)]));
  if (st()) { head.renderSubject(); assignments.render(); }
}).catch(() => {});
members.loadOfficers();
live.start().then(startPanels).catch(() => { /* shown by api */ });
startTrackImport(live);
Object.assign(debug, { live, map, layers, outbox, repairText, trackPieces, members });
