/* search-coord: the replay — a time slider that walks a search from its event log: the state at a time is built by
   applying every event logged until then through the live state's own reducers (lib/live.js, read-only use), and
   drawn by the map's own layers (map/layers.js): tracks grow, areas turn searched, sightings and the trail appear,
   the last known point moves; play at x10 / x60 / x600; the log (log_record.js) scrolls with it.
   replay(searchId, els) -> Promise<{seek(ms), stateAt: () => state, seq: () => number}> */
import { api, errorMessage } from "../lib/api.js";
import { $, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { LiveSearch } from "../lib/live.js";
import { makeMap, tip } from "../map/base.js";
import { SearchLayers } from "../map/layers.js";
import { deviceNamer, recordFilters, recordItem, segmentNames, stamp } from "./log_record.js";

const PAGE = 5000;
const TICK_MS = 200;

/** Every event of the search, in order (paged after=...). */
async function wholeLog(searchId) {
  const out = [];
  let after = 0;
  for (;;) {
    const res = await api("GET", `/api/v1/searches/${searchId}/events?after=${after}&limit=${PAGE}`, null, { quiet: true });
    out.push(...res.events);
    if (!res.has_more || !res.events.length) return out;
    after = res.events[res.events.length - 1].seq;
  }
}

/** The state before the first event: the search as it was opened (from its search.opened event) and nothing else. */
function emptyState(events) {
  const opened = events.find((ev) => ev.type === "search.opened");
  const search = opened ? JSON.parse(JSON.stringify(opened.payload.search)) : { lkp: null, status: "open" };
  return { search, members: [], teams: [], assignments: [], clues: [], tracks: {}, searched_areas: [], trail: null,
    clocks: [], last_seq: 0 };
}

/** The confirmed trail and its sightings as a Leaflet group (the console draws it in video/trail.js). */
function drawTrail(group, trail) {
  group.clearLayers();
  if (!trail) return;
  const pts = (trail.points || []).map((p) => [p.location.coordinates[1], p.location.coordinates[0]]);
  if (pts.length > 1) L.polyline(pts, { color: "#7c3aed", weight: 3, dashArray: "6 4", className: "sc-trail" }).addTo(group);
  for (const [i, p] of (trail.points || []).entries()) {
    L.circleMarker(pts[i], { radius: 7, color: "#fff", weight: 2, fillColor: "#7c3aed", fillOpacity: 1, className: "sc-replay-sighting" })
      .bindTooltip(tip(`${p.code} ${stamp(p.time)}`)).addTo(group);
  }
}

export async function replay(searchId) {
  const map = makeMap($("#map"), { zoom: 15 });
  const layers = new SearchLayers(map, {});
  const trailGroup = L.featureGroup().addTo(map);
  const slider = $("#replay-slider");
  const clock = $("#replay-clock");
  const count = $("#replay-count");
  const playBtn = $("#replay-play");
  const speed = $("#replay-speed");
  const list = $("#replay-log");
  const showTracks = $("#replay-show-tracks");
  clock.textContent = t("replay.loading");

  const segs = segmentNames(searchId, api);
  // the log, the segments' names, and the people and teams by name as the search stands now (read at once)
  const [events, , now] = await Promise.all([wholeLog(searchId), segs.load(),
    api("GET", `/api/v1/searches/${searchId}/state?tracks=display`, null, { quiet: true })]);
  // the log's order is its sequence; two writers may stamp times a few ms out of it: each event's time is taken
  // as at least the one before it's, so the events up to a time are always a prefix of the log
  const times = [];
  for (const ev of events) times.push(Math.max(Date.parse(ev.at), times.length ? times[times.length - 1] : -Infinity));
  const start = times.length ? times[0] : Date.now();
  const end = times.length ? times[times.length - 1] : start;
  slider.min = String(start);
  slider.max = String(end);
  slider.step = "any";

  const live = new LiveSearch(searchId);   // never connected: only its reducers are used, one event at a time
  let applied = 0;                          // how many of `events` are in live.state
  const reset = () => { live.setState(emptyState(events)); applied = 0; };
  reset();

  // the log: the lines the filters let through built once (again when they change), those after the time hidden
  const ctx = { deviceName: deviceNamer(), segName: segs.get };
  for (const ev of events) ctx.deviceName((ev.actor || {}).id, ev.device, "");   // phones numbered from the start
  const filters = recordFilters(() => { buildLog(); showLog(); });
  $("#replay-filters").append(filters.node);
  const names = now;
  let shown = [];           // [event index, <li>] of the lines the filters let through, in order
  function buildLog() {
    shown = [];
    for (let i = 0; i < events.length; i += 1) {
      const ev = events[i];
      if ((showTracks.checked || ev.type !== "track.points") && filters.matches(ev)) shown.push([i, recordItem(ev, names, ctx)]);
    }
    list.replaceChildren(...shown.map(([, li]) => li));
  }

  function showLog() {
    let last = null;
    for (const [i, li] of shown) {
      li.hidden = i >= applied;
      li.classList.remove("rp-current");
      if (i < applied) last = li;
    }
    if (last) {   // the log's own box scrolls to the line (never the page: the slider stays in view)
      last.classList.add("rp-current");
      const box = list.parentElement;
      const top = last.offsetTop - box.offsetTop;
      if (top < box.scrollTop || top + last.offsetHeight > box.scrollTop + box.clientHeight) {
        box.scrollTop = Math.max(0, top - box.clientHeight / 2);
      }
    }
  }

  /** The state at `ms`: every event logged at or before it applied, in order (from scratch when going back). */
  function seek(ms) {
    let target = 0;
    while (target < events.length && times[target] <= ms) target += 1;
    if (target < applied) reset();
    for (; applied < target; applied += 1) live.apply(events[applied]);
    slider.value = String(ms);
    clock.textContent = stamp(new Date(ms).toISOString());
    count.textContent = t("replay.events", { n: applied, total: events.length });
    layers.renderAll(live.state);
    drawTrail(trailGroup, live.state.trail);
    showLog();
    return applied;
  }

  filters.refresh(names);
  buildLog();

  let timer = 0;
  function stop() {
    clearInterval(timer);
    timer = 0;
    playBtn.textContent = t("replay.play");
    playBtn.setAttribute("aria-pressed", "false");
  }
  playBtn.addEventListener("click", () => {
    if (timer) { stop(); return; }
    if (Number(slider.value) >= end) seek(start);
    playBtn.textContent = t("replay.pause");
    playBtn.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const next = Number(slider.value) + TICK_MS * Number(speed.value);
      seek(Math.min(next, end));
      if (next >= end) stop();
    }, TICK_MS);
  });
  slider.addEventListener("input", () => seek(Number(slider.value)));
  showTracks.addEventListener("change", () => { buildLog(); showLog(); });

  seek(start);
  const whole = L.latLngBounds([]);   // the view: everything the search ever drew
  for (const pts of Object.values(names.tracks || {})) for (const p of pts) whole.extend([p[1], p[0]]);
  if (whole.isValid()) map.fitBounds(whole, { padding: [30, 30], maxZoom: 17 }); else layers.fit(live.state);
  return { seek, state: () => live.state, seq: () => (applied ? events[applied - 1].seq : 0), start, end };
}

/** The page's wiring: the replay, its test hooks (window.SC.debug.replay), errors as a toast. */
export function replayPage(searchId, debug) {
  replay(searchId).then((r) => { debug.replay = r; document.body.dataset.replayReady = "1"; })
    .catch((e) => toast(errorMessage(e), "error"));
}
