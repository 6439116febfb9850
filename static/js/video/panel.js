/* search-coord: video review (docs/video.md) — cameras and their view cones on the map, the proposed cameras and
   windows, review tasks with a timeline of reviewed time, reviewed stretches (with the overlap warning), sightings
   and their confirmation, the confirmed trail and the blind spot.
   videoPanel({map, searchId, panel, state, canDecide, trailLayer?}) runs the console's Video tab (and the video
   review section of a reviewer's field page) and returns {onEvent, load, trail}. It loads the data and hands its
   parts one context `v` ({map, searchId, base, panel, state, canDecide, data, trail, camById, proposalOf, taskFor,
   userName, teamLabel, focusCamera, upsert, render, loadSoon, open: {sighting, interval, task, assign}}):
   video/cameras.js (the map's cameras), sightings_list.js and tasks_list.js (the panel's lists), task_dialog.js,
   interval_dialog.js, sighting_dialog.js, camera_dialog.js and blind_spot.js. */
import { api, errorMessage } from "../lib/api.js";
import { debug } from "../lib/debug.js";
import { clear, el, toast } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { teamLabel, userName } from "../lib/people.js";
import { blindSpot } from "./blind_spot.js";
import { cameraDialog } from "./camera_dialog.js";
import { cameraLayer } from "./cameras.js";
import { intervalDialog } from "./interval_dialog.js";
import { sightingDialog } from "./sighting_dialog.js";
import { sightingsList } from "./sightings_list.js";
import { taskDialog } from "./task_dialog.js";
import { tasksList } from "./tasks_list.js";
import { TrailLayer } from "./trail.js";

export function videoPanel(opts) {
  const { map, searchId, panel } = opts;
  const state = opts.state || (() => null);
  const canDecide = !!opts.canDecide;
  const v = {
    map, searchId, panel, state, canDecide,
    base: `/api/v1/searches/${searchId}/video`,
    data: null, // GET {base}: cameras, proposals, route_proposals, tasks, intervals, sightings, trail, last_seq
    // the cameras the panel names (proposed, tasked, reviewed, seen) and those drawn on the map (its view)
    camById: (id) => (v.data ? v.data.cameras.find((c) => c.id === id) : null) || (cameras ? cameras.area.camera(id) : null) || null,
    knownCameras() {
      const named = v.data ? v.data.cameras : [];
      const ids = new Set(named.map((c) => c.id));
      return named.concat(cameras ? cameras.area.cameras().filter((c) => !ids.has(c.id)) : []);
    },
    proposalOf: (cid) => (v.data ? v.data.proposals.find((p) => p.camera_id === cid) : null) || null,
    taskFor: (cid) => v.data.tasks.find((x) => x.camera_id === cid && (x.status === "open" || x.status === "in_progress")) || null,
    userName: (uid) => userName(state(), uid),
    teamLabel: (tid) => teamLabel(state(), tid, { none: "" }),
    upsert(list, item) {
      const i = list.findIndex((x) => x.id === item.id);
      if (i >= 0) list[i] = item; else list.push(item);
    },
    render, loadSoon,
  };
  let loading = null;
  let again = false;
  let timer = null;
  const seenPending = new Set();
  let firstLoad = true;
  let cameras = null; // the map's camera layer (below)

  /* panel skeleton: built once, its parts redrawn */
  const parts = {
    pending: el("div", { class: "vp-pending" }),
    trail: el("div", { class: "vp-trail" }),
    tasks: el("ul", { class: "list vp-tasks" }),
    proposals: el("ul", { class: "list vp-proposals" }),
    route: el("ul", { class: "list vp-route" }),
    routeHead: el("div", { class: "vp-route-head", hidden: true }),
    blind: el("div", { class: "vp-blind", hidden: true }),
  };
  v.showCams = el("input", { type: "checkbox", id: "vp-show-cameras", checked: true });
  cameras = cameraLayer(v);
  const sightings = sightingsList(v, parts);
  const blind = blindSpot(v, parts.blind);
  v.trail = opts.trailLayer || new TrailLayer(map); // the field page shares its own
  v.focusCamera = cameras.focus;
  const tasks = tasksList(v, parts);
  const taskDlg = taskDialog(v);
  const intervalDlg = intervalDialog(v);
  const sightingDlg = sightingDialog(v);
  const addCamera = cameraDialog(v);
  v.open = { sighting: sightingDlg.open, interval: intervalDlg.open, task: taskDlg.create, assign: taskDlg.assign };

  const button = (cls, label, onclick) => el("button", { type: "button", class: "btn btn-small " + cls, onclick }, label);
  panel.append(
    el("div", { class: "vp-toolbar" },
      el("label", { class: "check" }, v.showCams, el("span", {}, t("video.show_cameras"))),
      el("div", { class: "btn-row" },
        button("btn-primary vp-log-sighting", t("video.log_sighting"), () => v.open.sighting({})),
        button("vp-record", t("video.record_interval"), () => v.open.interval({})),
        button("vp-blind-btn", t("video.blind_spot"), blind.show),
        canDecide ? button("vp-add-camera", t("video.add_camera"), addCamera.open) : null)),
    parts.blind,
    parts.pending,
    el("h3", { class: "vp-h" }, t("video.trail")), parts.trail,
    el("h3", { class: "vp-h" }, t("video.tasks"), el("span", { class: "tab-count vp-count-tasks" })), parts.tasks,
    parts.routeHead, parts.route,
    el("h3", { class: "vp-h" }, t("video.proposals"), el("span", { class: "tab-count vp-count-proposals" })),
    el("p", { class: "hint" }, t("video.proposals_hint")), parts.proposals);

  /* ---- loading ---------------------------------------------------------------------------------------- */
  async function load() {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      try {
        v.data = await api("GET", v.base, null, { quiet: true });
        render();
      } catch (e) {
        if (!v.data) clear(parts.proposals).append(el("li", { class: "muted" }, errorMessage(e)));
      }
    })();
    await loading;
    loading = null;
    if (again) { again = false; load(); }
    return null;
  }
  /** One fetch for a burst of events: a fetch already planned takes the later events too (load() fetches again
      when one arrives while it runs). */
  function loadSoon(delay) {
    if (timer) return;
    timer = setTimeout(() => { timer = null; load(); }, delay === undefined ? 120 : delay);
  }

  function onEvent(ev) {
    const p = ev.payload || {};
    const data = v.data;
    // a logged or decided sighting is in its event (with the trail): applied here, not fetched again
    const applied = (ev.type === "video.sighting_decided" || ev.type === "video.sighting_logged") && data && p.sighting;
    if ((ev.type === "video.sighting_decided" || ev.type === "video.clock_corrected") && data) {
      // the trail is in the event: draw it at once, then fetch the rest
      if (p.sighting) v.upsert(data.sightings, p.sighting);
      if (p.trail) data.trail = p.trail;
      render();
    } else if (ev.type === "video.sighting_logged" && data && p.sighting) {
      v.upsert(data.sightings, p.sighting);
      render();
    }
    // a camera added: the map reads its view again; the rest of a burst of events is one fetch of the panel
    if (ev.type === "camera.added") cameras.area.refresh();
    if (applied) { /* nothing to fetch */ } else if (ev.type.startsWith("video.") || ev.type.startsWith("camera.")) loadSoon(400);
    else if (ev.type === "model.recomputed" || ev.type === "search.updated" || ev.type === "segments.replaced") loadSoon(600);
    if (ev.type === "video.blind_spot_segments" && blind.shown()) blind.show();
  }

  /* ---- rendering -------------------------------------------------------------------------------------- */
  function render() {
    const data = v.data;
    if (!data) return;
    cameras.render();
    sightings.render();
    tasks.render();
    const pending = data.sightings.filter((s) => s.status === "pending");
    const open = data.tasks.filter((x) => x.status === "open" || x.status === "in_progress").length;
    const count = document.getElementById("count-video");
    if (count) count.textContent = pending.length ? ` ${pending.length}` : (data.tasks.length ? ` ${open}` : "");
    const tab = document.getElementById("tab-video");
    if (tab) tab.classList.toggle("has-open", pending.length > 0);
    // a new sighting by someone else: say so (the dispatcher decides on it)
    for (const s of pending) {
      if (!seenPending.has(s.id)) {
        seenPending.add(s.id);
        if (!firstLoad && canDecide && (!user || s.reported_by !== user.id)) {
          toast(t("video.new_sighting_toast", { code: s.code || "", time: fmtTime(s.time) }), "info");
        }
      }
    }
    firstLoad = false;
    document.body.dataset.videoSeq = String(data.last_seq || 0);
  }

  load();
  debug.video = { get data() { return v.data; }, load, trail: v.trail, cameras: cameras.area.state, map };
  return { onEvent, load, trail: v.trail };
}
