/* search-coord: video review (docs/video.md) — cameras and their view cones on the map, the proposed cameras and
   windows, review tasks with a timeline of reviewed time, reviewed stretches (with the overlap warning), sightings
   and their confirmation, the confirmed trail and the blind spot.
   TrailLayer draws a trail on any map (the console and the phones);
   videoPanel({map, searchId, panel, state, canDecide, trailLayer?}) runs the console's Video tab (and the video
   review section of a reviewer's field page) and returns {onEvent, load}. */
import { api, errorMessage, randomId } from "../lib/api.js";
import { debug } from "../lib/debug.js";
import { clear, el, fillSelect, toast } from "../lib/dom.js";
import { fmtCoord, fmtDateTime, fmtTime, fmtTimeSec, localInputToIso } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { labelIcon, nodeIcon, pickPoint, pointLatLng, tip } from "../map/base.js";
import { askText } from "../reports/dialogs.js";
import { sendReport } from "../reports/outbox_view.js";
import { DIR_DEG, CAMERA_KINDS, FOOTAGE, TASK_STATUSES, CONFIDENCES, pct, km, mins, ms, dirName, toLocalInputSec, fmtWindow, timelineBar, firstGap, dialog, showErrors, resetForm, field, segmented, compass } from "./common.js";
import { TrailLayer, trailLegText } from "./trail.js";


/* ---- the console panel ---------------------------------------------------------------------------------------- */

export function videoPanel(opts) {
  const { map, searchId, panel } = opts;
  const state = opts.state || (() => null);
  const canDecide = !!opts.canDecide;
  const base = `/api/v1/searches/${searchId}/video`;
  let data = null;
  let loading = null;
  let again = false;
  let timer = null;
  let blind = null;
  const seenPending = new Set();
  let firstLoad = true;

  /* map layers */
  const camGroup = L.featureGroup().addTo(map);
  const pendingGroup = L.featureGroup().addTo(map);
  const blindGroup = L.featureGroup().addTo(map);
  const trail = opts.trailLayer || new TrailLayer(map); // the field page shares its own
  const camLayers = {}; // camera id -> marker

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
  const showCams = el("input", { type: "checkbox", id: "vp-show-cameras", checked: true });
  showCams.addEventListener("change", () => {
    if (showCams.checked) camGroup.addTo(map); else camGroup.remove();
  });
  panel.append(
    el("div", { class: "vp-toolbar" },
      el("label", { class: "check" }, showCams, el("span", {}, t("video.show_cameras"))),
      el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-small btn-primary vp-log-sighting", onclick: () => openSighting({}) }, t("video.log_sighting")),
        el("button", { type: "button", class: "btn btn-small vp-record", onclick: () => openInterval({}) }, t("video.record_interval")),
        el("button", { type: "button", class: "btn btn-small vp-blind-btn", onclick: showBlindSpot }, t("video.blind_spot")),
        canDecide ? el("button", { type: "button", class: "btn btn-small vp-add-camera", onclick: addCamera }, t("video.add_camera")) : null)),
    parts.blind,
    parts.pending,
    el("h3", { class: "vp-h" }, t("video.trail")), parts.trail,
    el("h3", { class: "vp-h" }, t("video.tasks"), el("span", { class: "tab-count vp-count-tasks" })), parts.tasks,
    parts.routeHead, parts.route,
    el("h3", { class: "vp-h" }, t("video.proposals"), el("span", { class: "tab-count vp-count-proposals" })),
    el("p", { class: "hint" }, t("video.proposals_hint")), parts.proposals);

  const camById = (id) => (data ? data.cameras.find((c) => c.id === id) : null) || null;
  const proposalOf = (cid) => (data ? data.proposals.find((p) => p.camera_id === cid) : null) || null;
  const members = () => (state() ? state().members : []);
  const userName = (uid) => {
    if (uid === null || uid === undefined) return "";
    const m = members().find((u) => u.id === uid);
    return m ? m.display_name : t("map.user_n", { id: uid });
  };
  const videoTeams = () => (state() ? state().teams.filter((tm) => !tm.disbanded && tm.kind === "video_review") : []);
  const teamLabel = (tid) => {
    const tm = state() && state().teams.find((x) => x.id === tid);
    return tm ? (tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name) : "";
  };

  /* ---- loading ---------------------------------------------------------------------------------------- */
  async function load() {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      try {
        data = await api("GET", base, null, { quiet: true });
        render();
      } catch (e) {
        if (!data) clear(parts.proposals).append(el("li", { class: "muted" }, errorMessage(e)));
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
    // a logged or decided sighting is in its event (with the trail): applied here, not fetched again
    const applied = (ev.type === "video.sighting_decided" || ev.type === "video.sighting_logged") && data && p.sighting;
    if ((ev.type === "video.sighting_decided" || ev.type === "video.clock_corrected") && data) {
      // the trail is in the event: draw it at once, then fetch the rest
      if (p.sighting) upsert(data.sightings, p.sighting);
      if (p.trail) data.trail = p.trail;
      render();
    } else if (ev.type === "video.sighting_logged" && data && p.sighting) {
      upsert(data.sightings, p.sighting);
      render();
    }
    if (applied) { /* nothing to fetch */ } else if (ev.type.startsWith("video.") || ev.type.startsWith("camera.")) loadSoon(80);
    else if (ev.type === "model.recomputed" || ev.type === "search.updated" || ev.type === "segments.replaced") loadSoon(600);
    if (ev.type === "video.blind_spot_segments" && blind) showBlindSpot();
  }

  function upsert(list, item) {
    const i = list.findIndex((x) => x.id === item.id);
    if (i >= 0) list[i] = item; else list.push(item);
  }

  /* ---- rendering -------------------------------------------------------------------------------------- */
  function render() {
    if (!data) return;
    renderCameras();
    renderPending();
    renderTrail();
    renderTasks();
    renderProposals();
    const pending = data.sightings.filter((s) => s.status === "pending");
    const count = document.getElementById("count-video");
    if (count) count.textContent = pending.length ? ` ${pending.length}` : (data.tasks.length ? ` ${data.tasks.filter((x) => x.status === "open" || x.status === "in_progress").length}` : "");
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

  function camStatus(c) {
    const sightings = data.sightings.filter((s) => s.camera_id === c.id);
    if (sightings.some((s) => s.status === "confirmed")) return "seen";
    if (sightings.some((s) => s.status === "pending")) return "pending";
    const task = data.tasks.find((x) => x.camera_id === c.id && x.status !== "cancelled");
    if (task && task.window_s && task.reviewed_s >= task.window_s - 1) return "clear";
    const p = proposalOf(c.id); // reviewed without a task: clear once its whole window has been
    if (!task && p && p.window_s && p.reviewed_s >= p.window_s - 1) return "clear";
    if (data.intervals.some((i) => i.camera_id === c.id)) return "partly";
    if (task) return "tasked";
    return "idle";
  }

  let openCamId = null; // a camera's details stay open across redraws (live updates redraw the layer)
  function renderCameras() {
    const reopen = openCamId;
    camGroup.clearLayers();
    for (const k of Object.keys(camLayers)) delete camLayers[k];
    for (const c of data.cameras) {
      const status = camStatus(c);
      const ll = pointLatLng(c.location);
      if (!ll) continue;
      const marker = L.marker(ll, {
        icon: nodeIcon({ className: "sc-cam sc-cam-" + status + (c.active === false ? " sc-cam-inactive" : ""),
          // the badge stands up and to the right of the camera (the cone's apex marks the spot), so a camera at
          // the last known point or on the trail stays clickable
          iconSize: null, iconAnchor: [-8, 38] }, tip(c.code)),
        title: `${c.code} · ${c.name}`, zIndexOffset: 650, keyboard: true,
      });
      marker.bindPopup(() => cameraPopup(c), { minWidth: 260, maxWidth: 340 });
      if (c.cone) {
        const cone = L.geoJSON(c.cone, { style: { className: "sc-cone sc-cone-" + status, weight: 1.5, fillOpacity: 0.22 } });
        cone.on("click", () => marker.openPopup());
        camGroup.addLayer(cone);
      }
      marker.on("popupopen", () => { openCamId = c.id; });
      marker.on("popupclose", () => { if (openCamId === c.id && camGroup.hasLayer(marker)) openCamId = null; });
      camGroup.addLayer(marker);
      camLayers[c.id] = marker;
    }
    openCamId = null;
    if (reopen !== null && camLayers[reopen] && showCams.checked && !document.querySelector("dialog[open]")) {
      camLayers[reopen].openPopup();
    }
  }

  function cameraPopup(c) {
    const p = proposalOf(c.id);
    const dl = el("dl", { class: "facts cam-facts" });
    const add = (label, value) => { if (value !== null && value !== undefined && value !== "") dl.append(el("dt", {}, label), el("dd", {}, value)); };
    add(t("camera.kind"), tEnum("camera_kind", c.kind));
    add(t("camera.owner"), [c.owner, c.contact].filter(Boolean).join(" · "));
    add(t("camera.view"), c.direction_deg === null || c.direction_deg === undefined ? t("camera.direction_unknown")
      : t("camera.view_is", { dir: tEnum("dir", dirName(c.direction_deg)), deg: Math.round(c.direction_deg), fov: c.fov_deg || "?", range: c.range_m || "?" }));
    add(t("camera.distance"), c.distance_m !== undefined ? km(c.distance_m) : null);
    add(t("camera.retention"), c.retention_days ? t("camera.retention_days", { n: c.retention_days }) : t("retention.unknown"));
    add(t("camera.clock_offset"), offsetText(c.clock_offset_s) + (c.offset_measured_at ? " · " + t("camera.measured_at", { time: fmtDateTime(c.offset_measured_at) }) : ""));
    if (c.covers_exit) add(t("camera.covers_exit"), t("camera.covers_exit_yes"));
    add(t("camera.notes"), c.notes);
    const reviewed = data.intervals.filter((i) => i.camera_id === c.id).map((i) => [i.start, i.end]);
    const ticks = data.sightings.filter((s) => s.camera_id === c.id && (s.status === "pending" || s.status === "confirmed"));
    return el("div", { class: "map-popup cam-popup" },
      el("strong", { class: "cam-title" }, `${c.code} · ${c.name}`),
      c.active === false ? el("span", { class: "badge" }, t("camera.inactive")) : null,
      dl,
      p ? el("div", { class: "small" }, t("video.window") + ": " + fmtWindow(p.start, p.end)) : null,
      p ? timelineBar(p.start, p.end, reviewed, ticks) : null,
      el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-small btn-primary", onclick: () => { map.closePopup(); openSighting({ camera_id: c.id }); } }, t("video.log_sighting")),
        el("button", { type: "button", class: "btn btn-small", onclick: () => { map.closePopup(); openInterval({ camera_id: c.id, task: taskFor(c.id) }); } }, t("video.record_interval")),
        canDecide && !taskFor(c.id) ? el("button", { type: "button", class: "btn btn-small", onclick: () => { map.closePopup(); openTask(c, p); } }, t("video.create_task")) : null));
  }

  function offsetText(s) {
    if (!s) return t("camera.offset_none");
    const text = s > 0 ? t("camera.offset_fast", { s: Math.abs(s) }) : t("camera.offset_slow", { s: Math.abs(s) });
    return Math.abs(s) > 86400 ? `⚠ ${text} (${t("camfile.clock_far", { days: Math.round(Math.abs(s) / 86400) })})` : text;
  }

  const taskFor = (cid) => data.tasks.find((x) => x.camera_id === cid && (x.status === "open" || x.status === "in_progress")) || null;

  function focusCamera(cid) {
    const m = camLayers[cid];
    if (!m) return;
    if (!showCams.checked) { showCams.checked = true; camGroup.addTo(map); }
    map.setView(m.getLatLng(), Math.max(map.getZoom(), 17));
    m.openPopup();
  }

  /* pending sightings: the dispatcher confirms or rejects */
  function renderPending() {
    pendingGroup.clearLayers();
    const box = clear(parts.pending);
    const pending = data.sightings.filter((s) => s.status === "pending").sort((a, b) => (a.time < b.time ? -1 : 1));
    const recent = data.sightings.filter((s) => s.status !== "pending").sort((a, b) => ((a.decided_at || "") < (b.decided_at || "") ? 1 : -1));
    if (pending.length) {
      box.append(el("h3", { class: "vp-h vp-h-pending" }, t("video.pending_title", { n: pending.length })));
      box.append(el("ul", { class: "list vs-pending-list" }, pending.map(sightingItem)));
    }
    for (const s of pending) {
      const ll = pointLatLng(s.location);
      if (ll) {
        pendingGroup.addLayer(L.marker(ll, { icon: labelIcon("sc-icon-pending-sighting", "?", 30), zIndexOffset: 700, title: t("video.pending_one") })
          .bindTooltip(tip(`${fmtTime(s.time)} ${s.code || ""}`), { direction: "top" }));
      }
    }
    if (recent.length) {
      const open = box.dataset.decidedOpen === "1";
      const det = el("details", { class: "vs-decided", open },
        el("summary", {}, t("video.decided_title", { n: data.sightings.length - pending.length })),
        el("ul", { class: "list" }, recent.map(sightingItem)));
      det.addEventListener("toggle", () => { box.dataset.decidedOpen = det.open ? "1" : "0"; });
      box.append(det);
    }
  }

  function sightingItem(s) {
    const pending = s.status === "pending";
    const dir = s.direction || dirName(s.direction_deg);
    return el("li", { class: "list-item column vs-item vs-" + s.status, dataset: { sightingId: s.id } },
      el("div", { class: "row-between" },
        el("button", { type: "button", class: "link-button strong left", onclick: () => focusCamera(s.camera_id) },
          t("video.sighting_line", { time: fmtTimeSec(s.time), code: s.code || "", name: s.camera_name || "" })),
        el("span", { class: "badge vs-badge-" + s.status }, tEnum("sighting_status", s.status))),
      el("div", { class: "small" },
        t("video.recorder_time", { time: fmtTimeSec(s.recorder_time) }), " · ",
        dir ? t("trail.heading", { dir: tEnum("dir", dir) }) : t("trail.heading_unknown"), " · ",
        el("span", { class: "conf conf-" + s.confidence }, tEnum("confidence", s.confidence))),
      pending && s.implied && s.implied.flag ? el("div", { class: "retention-flag vs-implied vs-implied-" + s.implied.flag },
        "⚠ " + t("video.implied_" + s.implied.flag, { leg: trailLegText(Object.assign({}, s.implied, { flag: null })) })) : null,
      pending && s.implied_next && s.implied_next.flag ? el("div", { class: "retention-flag vs-implied vs-implied-" + s.implied_next.flag },
        "⚠ " + t("video.implied_next_" + s.implied_next.flag, { leg: trailLegText(Object.assign({}, s.implied_next, { flag: null })) })) : null,
      s.notes ? el("div", { class: "small" }, s.notes) : null,
      s.photo_id ? el("a", { href: `/api/v1/photos/${s.photo_id}`, target: "_blank", rel: "noopener" },
        el("img", { class: "vs-photo", src: `/api/v1/photos/${s.photo_id}`, alt: t("video.still") })) : null,
      el("div", { class: "small muted" }, t("video.logged_by", { name: userName(s.reported_by), time: fmtTime(s.reported_at) }),
        s.decided_by ? " · " + t("video.decided_by", { name: userName(s.decided_by), time: fmtTime(s.decided_at) }) : "",
        s.decision_note ? " — " + s.decision_note : ""),
      pending && canDecide ? el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-found btn-large vs-confirm", onclick: (e) => decide(s, "confirm", e.currentTarget) }, t("video.confirm")),
        el("button", { type: "button", class: "btn btn-danger btn-large vs-reject", onclick: (e) => decide(s, "reject", e.currentTarget) }, t("video.reject"))) : null,
      s.status === "confirmed" && canDecide ? el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-small btn-ghost vs-retract", onclick: (e) => decide(s, "retract", e.currentTarget) }, t("video.retract"))) : null);
  }

  async function decide(s, decision, btn) {
    const body = { decision, tz_offset_min: -new Date().getTimezoneOffset() }; // the alert reads in local time
    if (decision === "reject" || decision === "retract") {
      const note = await askText(t("video." + decision + "_title", { code: s.code || "" }), t("video." + decision + "_note"),
        { submitLabel: t("video." + decision), submitClass: "btn-danger" });
      if (note === null) return;
      if (note) body.note = note;
    }
    const row = btn.closest(".btn-row");
    row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const res = await api("POST", `${base}/sightings/${s.id}/decision`, body);
      if (res && res.id) upsert(data.sightings, res);
      const done = decision === "retract" && res && !res.alerted ? "video.retracted_quiet"
        : { confirm: res && res.lkp_moved ? "video.confirmed" : "video.confirmed_trail", reject: "video.rejected", retract: "video.retracted" }[decision];
      toast(t(done), "ok");
      render();   // the rest follows from the live events (the decision, a moved LKP), each fetched once
    } catch (e) {
      row.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  }

  function renderTrail() {
    trail.render(data.trail);
    const box = clear(parts.trail);
    const pts = (data.trail && data.trail.points) || [];
    if (!pts.length) { box.append(el("p", { class: "muted" }, t("video.no_trail"))); return; }
    const list = el("ol", { class: "vp-trail-list" });
    const legs = data.trail.legs || [];
    pts.forEach((p, i) => {
      const dir = dirName(p.direction_deg);
      list.append(el("li", { class: "vp-trail-point" },
        el("button", { type: "button", class: "link-button strong", onclick: () => focusCamera(p.camera_id) }, `${fmtTime(p.time)} · ${p.code || ""}`),
        dir ? " → " + tEnum("dir", dir) : "", " ", el("span", { class: "small muted" }, tEnum("confidence", p.confidence))));
      if (legs[i] && i + 1 < pts.length) {
        list.append(el("li", { class: "vp-leg" + (legs[i].flag ? " vp-leg-flag vp-leg-" + legs[i].flag : "") }, trailLegText(legs[i])));
      }
    });
    box.append(list, el("button", { type: "button", class: "btn btn-small", onclick: () => {
      const b = trail.bounds();
      if (b.isValid()) map.fitBounds(b.pad(0.3), { maxZoom: 17 });
    } }, t("video.show_trail")));
  }

  function renderTasks() {
    const list = clear(parts.tasks);
    const order = { in_progress: 0, open: 1, done: 2, cancelled: 3 };
    // a reviewer sees their own tasks (named for them, or for their team as a whole) first
    const me = user ? user.id : null;
    const myTeams = new Set(((state() && state().teams) || []).filter((tm) => tm.leader_id === me
      || (tm.member_ids || []).includes(me)).map((tm) => tm.id));
    const mine = (tk) => (!canDecide && (tk.reviewer_id === me || (!tk.reviewer_id && myTeams.has(tk.team_id))) ? 0 : 1);
    const tasks = data.tasks.slice().sort((a, b) => (mine(a) - mine(b)) || (order[a.status] - order[b.status]) || (a.id - b.id));
    panel.querySelector(".vp-count-tasks").textContent = tasks.length ? ` ${tasks.length}` : "";
    for (const tk of tasks) list.append(taskItem(tk));
    if (!tasks.length) list.append(el("li", { class: "muted" }, t("video.no_tasks")));
  }

  function taskItem(tk) {
    const cam = camById(tk.camera_id) || { id: tk.camera_id, code: tk.code, name: "" };
    const who = [tk.team_id ? teamLabel(tk.team_id) : "", tk.reviewer_id ? userName(tk.reviewer_id) : ""].filter(Boolean).join(" · ");
    const statusSel = el("select", { class: "vt-status", "aria-label": t("video.task_status") },
      TASK_STATUSES.map((s) => el("option", { value: s, selected: s === tk.status }, tEnum("task_status", s))));
    statusSel.addEventListener("change", () => patchTask(tk, { status: statusSel.value }));
    const footage = el("div", { class: "segmented footage", role: "radiogroup", "aria-label": t("video.footage") },
      FOOTAGE.map((f) => el("label", { class: "seg seg-footage-" + f },
        el("input", { type: "radio", name: "footage-" + tk.id, value: f, checked: tk.footage === f }),
        el("span", {}, tEnum("footage", f)))));
    footage.addEventListener("change", (e) => patchTask(tk, { footage: e.target.value }));
    const ticks = data.sightings.filter((s) => s.camera_id === tk.camera_id && (s.status === "pending" || s.status === "confirmed"));
    const closed = tk.status === "done" || tk.status === "cancelled";
    return el("li", { class: "list-item column vt-item vt-" + tk.status + " footage-" + tk.footage, dataset: { taskId: tk.id, cameraId: tk.camera_id } },
      el("div", { class: "row-between" },
        el("button", { type: "button", class: "link-button strong left", onclick: () => focusCamera(tk.camera_id) }, `${tk.code || cam.code} · ${tk.camera_name || cam.name || ""}`),
        statusSel),
      el("div", { class: "small" }, el("strong", {}, fmtWindow(tk.start, tk.end)), " ",
        el("span", { class: "muted" }, t("video.recorder_window", { w: fmtWindow(tk.recorder_start, tk.recorder_end, true) }))),
      el("div", { class: "small" + (who ? "" : " muted") }, who || t("video.unassigned")),
      // footage about to be overwritten matters until it has been received
      !closed && tk.footage !== "received" && tk.retention && (tk.retention.status === "expiring" || tk.retention.status === "expired")
        ? retentionBadge(tk.retention) : null,
      tk.notes ? el("div", { class: "small muted" }, tk.notes) : null,
      timelineBar(tk.start, tk.end, tk.reviewed, ticks),
      el("div", { class: "footage-row" }, el("span", { class: "small strong footage-label" }, t("video.footage")), footage),
      closed ? null : el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-small btn-primary vt-record", onclick: () => openInterval({ camera_id: tk.camera_id, task: tk }) }, t("video.record_interval")),
        el("button", { type: "button", class: "btn btn-small vt-sighting", onclick: () => openSighting({ camera_id: tk.camera_id, task: tk }) }, t("video.log_sighting")),
        canDecide ? el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => assignTask(tk) }, t("video.reassign")) : null));
  }

  async function patchTask(tk, body) {
    try {
      const res = await api("PATCH", `${base}/tasks/${tk.id}`, body);
      if (res && res.id) { upsert(data.tasks, res); render(); }
      toast(t("video.task_saved"), "ok");
    } catch (e) { render(); /* shown; put the controls back */ }
  }

  function proposalItem(p) {
    const r = p.retention || { status: "unknown" };
    const task = p.task_id ? data.tasks.find((x) => x.id === p.task_id) : null;
    const route = p.kind === "route";
    return el("li", { class: "list-item column vp-prop retention-" + r.status + (route ? " vp-prop-route" : ""), dataset: { cameraId: p.camera_id } },
      el("div", { class: "row-between" },
        el("span", {},
          el("span", { class: "vp-rank" }, String(p.rank)), " ",
          el("button", { type: "button", class: "link-button strong", onclick: () => focusCamera(p.camera_id) }, `${p.code} · ${p.name}`)),
        route ? el("span", { class: "vp-detour", title: t("video.detour_title") }, t("video.detour", { d: km(p.detour_m) }))
          : el("span", { class: "vp-prob", title: t("video.probability") }, pct(p.probability))),
      route && p.leg ? el("div", { class: "small vp-leg-label" }, t("video.route_leg", {
        from: fmtTime(p.leg.from.time) + " " + (p.leg.from.code || t("video.route_start")),
        to: fmtTime(p.leg.to.time) + " " + (p.leg.to.code || ""),
      })) : null,
      el("div", { class: "small" }, km(p.distance_m), " · ", el("strong", {}, fmtWindow(p.start, p.end)), " ",
        el("span", { class: "muted" }, t("video.recorder_window", { w: fmtWindow(p.recorder_start, p.recorder_end, true) }))),
      retentionBadge(r),
      p.window_s ? el("div", { class: "small muted" }, t("video.reviewed_of", { done: mins(p.reviewed_s), total: mins(p.window_s), pct: Math.round(100 * (p.reviewed_s || 0) / p.window_s) })) : null,
      el("div", { class: "btn-row" },
        task ? el("span", { class: "badge vt-badge" }, t("video.has_task", { status: tEnum("task_status", task.status) }))
          : canDecide ? el("button", { type: "button", class: "btn btn-small btn-primary vp-create-task", onclick: () => openTask(camById(p.camera_id) || { id: p.camera_id, code: p.code, name: p.name }, p) }, t("video.create_task")) : null));
  }

  function renderProposals() {
    const list = clear(parts.proposals);
    const props = data.proposals.slice().sort((a, b) => a.rank - b.rank);
    panel.querySelector(".vp-count-proposals").textContent = props.length ? ` ${props.length}` : "";
    for (const p of props) list.append(proposalItem(p));
    if (!props.length) list.append(el("li", { class: "muted" }, t("video.no_proposals")));
    // cameras on the way between known points: how the route is found
    const route = (data.route_proposals || []).slice().sort((a, b) => a.rank - b.rank);
    const rl = clear(parts.route);
    const head = clear(parts.routeHead);
    head.hidden = !route.length;
    if (route.length) {
      head.append(el("h3", { class: "vp-h" }, t("video.route_proposals"), el("span", { class: "tab-count" }, ` ${route.length}`)),
        el("p", { class: "hint" }, t("video.route_hint")));
      for (const p of route) rl.append(proposalItem(p));
    }
  }

  function retentionBadge(r) {
    if (!r || r.status === "ok") {
      return r && r.expires_at ? el("div", { class: "small muted" }, t("retention.ok", { time: fmtDateTime(r.expires_at) })) : null;
    }
    if (r.status === "unknown") return el("div", { class: "small muted" }, t("retention.unknown"));
    return el("div", { class: "retention-flag retention-flag-" + r.status, role: r.status === "expiring" ? "alert" : null },
      "⚠ " + t("retention." + r.status, { time: r.expires_at ? fmtDateTime(r.expires_at) : "?" }));
  }

  /* ---- create / reassign a review task --------------------------------------------------------------------- */
  const taskDlg = (() => {
    const id = "vtask-dialog";
    const teamSel = el("select", { id: id + "-team", name: "team_id" });
    const revSel = el("select", { id: id + "-reviewer", name: "reviewer_id" });
    const body = el("div", {},
      el("p", { class: "vtask-camera strong" }),
      el("div", { class: "row" },
        field("start", t("video.start_true"), el("input", { id: id + "-start", name: "start", type: "datetime-local", step: 1 })),
        field("end", t("video.end_true"), el("input", { id: id + "-end", name: "end", type: "datetime-local", step: 1 }))),
      el("p", { class: "hint vtask-recorder" }),
      el("div", { class: "row" }, field("team_id", t("video.team"), teamSel), field("reviewer_id", t("video.reviewer"), revSel)),
      field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000 })));
    const dlg = dialog(id, t("video.task_title"), body, t("video.create_task"));
    const form = dlg.querySelector("form");
    const fillReviewers = () => {
      const team = videoTeams().find((tm) => String(tm.id) === teamSel.value) || null;
      let people;
      if (team) people = [team.leader_id, ...team.member_ids].filter((x, i, a) => x && a.indexOf(x) === i);
      else {
        const vt = new Set(videoTeams().flatMap((tm) => [tm.leader_id, ...tm.member_ids]));
        people = members().filter((u) => u.role === "officer").map((u) => u.id).sort((a, b) => (vt.has(b) ? 1 : 0) - (vt.has(a) ? 1 : 0));
      }
      fillSelect(revSel, people.map((uid) => [uid, userName(uid)]), { blank: t("video.any_reviewer") });
    };
    teamSel.addEventListener("change", fillReviewers);
    return { dlg, form, teamSel, revSel, fillReviewers, ctx: null };
  })();

  function openTask(cam, proposal) {
    const d = taskDlg;
    resetForm(d.form);
    d.ctx = { mode: "create", cam, task: null };
    d.dlg.querySelector("h2").textContent = t("video.task_title");
    d.form.querySelector("button[type=submit]").textContent = t("video.create_task");
    d.form.querySelector(".vtask-camera").textContent = `${cam.code} · ${cam.name || ""}`;
    const now = new Date();
    const start = proposal ? new Date(proposal.start) : new Date(now.getTime() - 3600e3);
    const end = proposal ? new Date(proposal.end) : now;
    d.form.elements.start.value = toLocalInputSec(start);
    d.form.elements.end.value = toLocalInputSec(end);
    d.form.elements.start.closest(".row").hidden = false;
    d.form.querySelector(".vtask-recorder").textContent = proposal ? t("video.recorder_window", { w: fmtWindow(proposal.recorder_start, proposal.recorder_end, true) }) : "";
    const teams = videoTeams();
    fillSelect(d.teamSel, teams.map((tm) => [tm.id, teamLabel(tm.id)]), { blank: t("video.no_team") });
    if (teams.length) d.teamSel.value = String(teams[0].id);
    d.fillReviewers();
    d.dlg.showModal();
  }

  function assignTask(tk) {
    const d = taskDlg;
    resetForm(d.form);
    d.ctx = { mode: "assign", task: tk };
    d.dlg.querySelector("h2").textContent = t("video.reassign_title", { code: tk.code || "" });
    d.form.querySelector("button[type=submit]").textContent = t("action.save");
    d.form.querySelector(".vtask-camera").textContent = `${tk.code || ""} · ${fmtWindow(tk.start, tk.end)}`;
    d.form.elements.start.closest(".row").hidden = true;
    d.form.querySelector(".vtask-recorder").textContent = "";
    fillSelect(d.teamSel, videoTeams().map((tm) => [tm.id, teamLabel(tm.id)]), { blank: t("video.no_team") });
    d.teamSel.value = tk.team_id ? String(tk.team_id) : "";
    d.fillReviewers();
    d.revSel.value = tk.reviewer_id ? String(tk.reviewer_id) : "";
    d.form.elements.notes.value = tk.notes || "";
    d.dlg.showModal();
  }

  taskDlg.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = taskDlg;
    const f = d.form.elements;
    const body = {};
    body.team_id = f.team_id.value ? parseInt(f.team_id.value, 10) : null;
    body.reviewer_id = f.reviewer_id.value ? parseInt(f.reviewer_id.value, 10) : null;
    const notes = f.notes.value.trim();
    const submit = d.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      if (d.ctx.mode === "create") {
        body.camera_id = d.ctx.cam.id;
        body.start = localInputToIso(f.start.value);
        body.end = localInputToIso(f.end.value);
        if (body.team_id === null) delete body.team_id;
        if (body.reviewer_id === null) delete body.reviewer_id;
        if (notes) body.notes = notes;
        await api("POST", `${base}/tasks`, body, { quiet: true });
        toast(t("video.task_created"), "ok");
      } else {
        body.notes = notes || null;
        await api("PATCH", `${base}/tasks/${d.ctx.task.id}`, body, { quiet: true });
        toast(t("video.task_saved"), "ok");
      }
      d.dlg.close("ok");
      loadSoon(0);
    } catch (err) {
      showErrors(d.form, err);
    } finally {
      submit.disabled = false;
    }
  });

  /* ---- record a reviewed stretch (nothing seen); the overlap warning ------------------------------------------- */
  const intDlg = (() => {
    const id = "vint-dialog";
    const camSel = el("select", { id: id + "-camera", name: "camera_id", required: true });
    const body = el("div", {},
      field("camera_id", t("video.camera"), camSel),
      el("p", { class: "hint vint-task" }),
      el("fieldset", { class: "field", "data-field": "clock" }, el("legend", {}, t("video.clock")),
        segmented("clock", ["recorder", "true"], (v) => t("video.clock_" + v), { checked: "recorder" })),
      el("div", { class: "row" },
        field("start", t("video.from"), el("input", { id: id + "-start", name: "start", type: "datetime-local", step: 1, required: true })),
        field("end", t("video.to"), el("input", { id: id + "-end", name: "end", type: "datetime-local", step: 1, required: true }))),
      el("p", { class: "hint vint-clock-hint" }),
      el("div", { class: "field vint-pod", "data-field": "pod", hidden: true },
        el("label", { for: id + "-pod" }, t("video.pod_exit")),
        el("input", { id: id + "-pod", name: "pod", type: "number", min: 1, max: 99, step: 5, value: 80, inputmode: "numeric" })),
      field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000, placeholder: t("video.nothing_seen") })),
      el("div", { class: "overlap-warning", role: "alert", hidden: true }));
    const dlg = dialog(id, t("video.interval_title"), body, t("video.record"));
    const form = dlg.querySelector("form");
    const warn = form.querySelector(".overlap-warning");
    const anyway = el("button", { type: "button", class: "btn btn-danger btn-large vint-anyway" }, t("video.record_anyway"));
    return { dlg, form, camSel, warn, anyway, ctx: null, clientId: null };
  })();

  function cameraPairs() {
    return data.cameras.slice().sort((a, b) => String(a.code).localeCompare(String(b.code), undefined, { numeric: true }))
      .map((c) => [c.id, `${c.code} · ${c.name}`]);
  }

  function offsetOf(cid) { const c = camById(cid); return c ? (c.clock_offset_s || 0) : 0; }

  function updateIntervalHints() {
    const d = intDlg;
    const cid = parseInt(d.camSel.value, 10);
    const c = camById(cid);
    d.form.querySelector(".vint-pod").hidden = !(c && c.covers_exit);
    const clock = d.form.querySelector("input[name=clock]:checked").value;
    d.form.querySelector(".vint-clock-hint").textContent = c
      ? (clock === "recorder" ? t("video.recorder_hint", { offset: offsetText(c.clock_offset_s) }) : t("video.true_hint")) : "";
  }

  function openInterval(o) {
    if (!data) return;
    const d = intDlg;
    resetForm(d.form);
    d.warn.hidden = true;
    d.clientId = randomId("vint");
    const tk = o.task || null;
    d.ctx = { task: tk };
    fillSelect(d.camSel, cameraPairs(), { blank: t("form.choose") });
    d.camSel.value = o.camera_id ? String(o.camera_id) : "";
    d.form.querySelector(".vint-task").textContent = tk ? t("video.for_task", { w: fmtWindow(tk.start, tk.end), rw: fmtWindow(tk.recorder_start, tk.recorder_end, true) }) : "";
    // start where the review stopped: the first unreviewed stretch of the task, on the recorder's clock
    const off = offsetOf(o.camera_id) * 1000;
    if (tk) {
      const gap = firstGap(tk.start, tk.end, tk.reviewed) || [ms(tk.start), ms(tk.end)];
      d.form.elements.start.value = toLocalInputSec(new Date(gap[0] + off));
      d.form.elements.end.value = toLocalInputSec(new Date(Math.min(gap[1], gap[0] + 30 * 60e3) + off));
    } else {
      const p = o.camera_id ? proposalOf(o.camera_id) : null;
      if (p) {
        d.form.elements.start.value = toLocalInputSec(new Date(p.recorder_start));
        d.form.elements.end.value = toLocalInputSec(new Date(Math.min(ms(p.recorder_end), ms(p.recorder_start) + 30 * 60e3)));
      }
    }
    updateIntervalHints();
    d.dlg.showModal();
  }
  intDlg.camSel.addEventListener("change", updateIntervalHints);
  intDlg.form.addEventListener("change", (e) => { if (e.target.name === "clock") updateIntervalHints(); });
  intDlg.form.addEventListener("input", () => { if (!intDlg.warn.hidden) intDlg.warn.hidden = true; });

  async function sendInterval(confirmOverlap) {
    const d = intDlg;
    const f = d.form.elements;
    const errors = {};
    if (!f.camera_id.value) errors.camera_id = t("form.required");
    if (!f.start.value) errors.start = t("form.required");
    if (!f.end.value) errors.end = t("form.required");
    if (f.start.value && f.end.value && f.end.value <= f.start.value) errors.end = t("video.end_after_start");
    if (Object.keys(errors).length) { showErrors(d.form, { status: 400, data: { errors } }); return; }
    const body = {
      camera_id: parseInt(f.camera_id.value, 10),
      start: localInputToIso(f.start.value),
      end: localInputToIso(f.end.value),
      clock: d.form.querySelector("input[name=clock]:checked").value,
      client_id: d.clientId,
    };
    if (d.ctx.task && d.ctx.task.camera_id === body.camera_id) body.task_id = d.ctx.task.id;
    const notes = f.notes.value.trim();
    if (notes) body.notes = notes;
    if (!d.form.querySelector(".vint-pod").hidden && f.pod.value !== "") body.pod = Number(f.pod.value) / 100; // asked in %
    if (confirmOverlap) body.confirm_overlap = true;
    const submit = d.form.querySelector("button[type=submit]");
    submit.disabled = true;
    d.anyway.disabled = true;
    try {
      await api("POST", `${base}/intervals`, body, { quiet: true });
      d.dlg.close("ok");
      toast(t("video.interval_saved"), "ok");
      loadSoon(0);
    } catch (err) {
      if (err.status === 409 && err.data && Array.isArray(err.data.overlaps)) showOverlaps(err.data.overlaps);
      else showErrors(d.form, err);
    } finally {
      submit.disabled = false;
      d.anyway.disabled = false;
    }
  }

  function showOverlaps(overlaps) {
    const d = intDlg;
    clear(d.form.querySelector(".form-errors"));
    const w = clear(d.warn);
    w.hidden = false;
    w.append(el("strong", { class: "overlap-title" }, "⚠ " + t("video.overlap_title")),
      el("ul", { class: "overlap-list" }, overlaps.map((o) => el("li", {},
        t("video.overlap_" + (o.kind === "task" ? "task" : "reviewed"), {
          name: o.name || userName(o.reviewer_id),
          // the reviewer types recorder times: say the overlap in that clock first
          w: o.recorder_start ? t("video.recorder_window", { w: fmtWindow(o.recorder_start, o.recorder_end, true) })
            + " (" + fmtWindow(o.start, o.end, true) + ")" : fmtWindow(o.start, o.end, true),
        })))),
      el("p", { class: "small" }, t("video.overlap_hint")),
      d.anyway);
    d.anyway.focus();
    w.scrollIntoView({ block: "nearest" });
  }
  intDlg.anyway.addEventListener("click", () => sendInterval(true));
  intDlg.form.addEventListener("submit", (e) => { e.preventDefault(); sendInterval(false); });

  /* ---- log a sighting (through the outbox, with the still) ------------------------------------------------------ */
  const sDlg = (() => {
    const id = "vsight-dialog";
    const camSel = el("select", { id: id + "-camera", name: "camera_id", required: true });
    const photo = el("input", { id: id + "-photo", name: "photo", type: "file", accept: "image/*" });
    const body = el("div", {},
      field("camera_id", t("video.camera"), camSel),
      el("div", { class: "row" },
        field("time", t("video.recorder_time_label"), el("input", { id: id + "-time", name: "time", type: "datetime-local", step: 1, required: true })),
        el("fieldset", { class: "field", "data-field": "clock" }, el("legend", {}, t("video.clock")),
          segmented("sclock", ["recorder", "true"], (v) => t("video.clock_" + v), { checked: "recorder" }))),
      el("p", { class: "hint vsight-hint" }),
      el("div", { class: "row" },
        el("fieldset", { class: "field", "data-field": "direction" }, el("legend", {}, t("clue.direction")), compass("direction")),
        el("fieldset", { class: "field", "data-field": "confidence" }, el("legend", {}, t("video.confidence")),
          segmented("confidence", CONFIDENCES, (v) => tEnum("confidence", v), { cls: "stack" }))),
      field("photo_id", t("video.still"), photo),
      field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000, placeholder: t("video.sighting_notes_hint") })));
    const dlg = dialog(id, t("video.sighting_title"), body, t("video.send_sighting"));
    const form = dlg.querySelector("form");
    return { dlg, form, camSel, photo, clientId: null, busy: false };
  })();

  function updateSightingHint() {
    const c = camById(parseInt(sDlg.camSel.value, 10));
    const clock = sDlg.form.querySelector("input[name=sclock]:checked").value;
    sDlg.form.querySelector(".vsight-hint").textContent = c
      ? (clock === "recorder" ? t("video.recorder_hint", { offset: offsetText(c.clock_offset_s) }) : t("video.true_hint")) : "";
  }
  sDlg.camSel.addEventListener("change", updateSightingHint);
  sDlg.form.addEventListener("change", (e) => { if (e.target.name === "sclock") updateSightingHint(); });

  function openSighting(o) {
    if (!data) return;
    const d = sDlg;
    resetForm(d.form);
    d.clientId = randomId("vsig");
    fillSelect(d.camSel, cameraPairs(), { blank: t("form.choose") });
    d.camSel.value = o.camera_id ? String(o.camera_id) : "";
    const tk = o.task || null;
    const p = o.camera_id ? proposalOf(o.camera_id) : null;
    const from = tk ? tk.recorder_start : p ? p.recorder_start : null;
    d.form.elements.time.value = from ? toLocalInputSec(new Date(from)) : "";
    updateSightingHint();
    d.dlg.showModal();
  }

  sDlg.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = sDlg;
    if (d.busy) return;
    const f = d.form.elements;
    const conf = d.form.querySelector("input[name=confidence]:checked");
    const errors = {};
    if (!f.camera_id.value) errors.camera_id = t("form.required");
    if (!f.time.value) errors.time = t("form.required");
    if (!conf) errors.confidence = t("form.required");
    if (Object.keys(errors).length) { showErrors(d.form, { status: 400, data: { errors } }); return; }
    const cam = camById(parseInt(f.camera_id.value, 10));
    const body = {
      camera_id: parseInt(f.camera_id.value, 10),
      time: localInputToIso(f.time.value),
      clock: d.form.querySelector("input[name=sclock]:checked").value,
      confidence: conf.value,
      client_id: d.clientId,
    };
    const dir = d.form.querySelector("input[name=direction]:checked");
    if (dir && dir.value) body.direction = dir.value;
    const notes = f.notes.value.trim();
    if (notes) body.notes = notes;
    d.busy = true;
    const submit = d.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const res = await sendReport({
        kind: "sighting", url: `${base}/sightings`, body, clientId: d.clientId,
        photo: d.photo.files[0] || null, label: t("video.sighting_label", { code: cam ? cam.code : "", time: f.time.value.slice(11) }),
      });
      if (res.result === "failed") { showErrors(d.form, res.error); return; }
      d.dlg.close("ok");
      toast(res.result !== "sent" ? t("outbox.queued") : canDecide ? t("video.sighting_sent_desk") : t("video.sighting_sent"), res.result === "sent" ? "ok" : "info");
      d.clientId = null;
      loadSoon(0);
    } catch (err) {
      showErrors(d.form, err);
    } finally {
      d.busy = false;
      submit.disabled = false;
    }
  });

  /* ---- add a camera on the map ------------------------------------------------------------------------------------- */
  const camDlg = (() => {
    const id = "vcam-dialog";
    const num = (name, label, attrs) => field(name, label, el("input", Object.assign({ id: id + "-" + name, name, type: "number", step: "any" }, attrs || {})));
    const body = el("div", {},
      el("p", { class: "hint vcam-where" }),
      el("div", { class: "row" },
        field("code", t("camera.code"), el("input", { id: id + "-code", name: "code", maxlength: 20, required: true, placeholder: "C12" })),
        field("kind", t("camera.kind"), el("select", { id: id + "-kind", name: "kind" }, CAMERA_KINDS.map((k) => el("option", { value: k }, tEnum("camera_kind", k)))))),
      field("name", t("camera.name"), el("input", { id: id + "-name", name: "name", maxlength: 120, required: true })),
      el("div", { class: "row" },
        field("owner", t("camera.owner_only"), el("input", { id: id + "-owner", name: "owner", maxlength: 120 })),
        field("contact", t("camera.contact"), el("input", { id: id + "-contact", name: "contact", maxlength: 120 }))),
      el("div", { class: "row" },
        el("fieldset", { class: "field", "data-field": "direction_deg" }, el("legend", {}, t("camera.direction")), compass("cam_direction")),
        el("div", { class: "vcam-view" },
          num("fov_deg", t("camera.fov"), { min: 1, max: 360, value: 60 }),
          num("range_m", t("camera.range"), { min: 1, max: 500, value: 40 }))),
      el("div", { class: "row" },
        num("retention_days", t("camera.retention_days_label"), { min: 0, max: 3650, step: 1 }),
        num("clock_offset_s", t("camera.offset_label"), { value: 0, step: 1 })),
      el("p", { class: "hint" }, t("camera.offset_hint")),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "covers_exit" }), el("span", {}, t("camera.covers_exit_label"))),
      field("notes", t("camera.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000 })));
    const dlg = dialog(id, t("camera.add_title"), body, t("camera.add_submit"));
    return { dlg, form: dlg.querySelector("form"), at: null };
  })();

  async function addCamera() {
    const at = await pickPoint(map, t("camera.pick_hint"));
    if (!at) return;
    const d = camDlg;
    resetForm(d.form);
    d.at = at;
    d.form.querySelector(".vcam-where").textContent = t("report.location_is", { coords: fmtCoord(at[0], at[1]) });
    d.dlg.showModal();
    d.form.elements.code.focus();
  }

  camDlg.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = camDlg;
    const f = d.form.elements;
    const body = {
      code: f.code.value.trim(), name: f.name.value.trim(), kind: f.kind.value,
      location: { type: "Point", coordinates: d.at }, covers_exit: f.covers_exit.checked,
    };
    const dir = d.form.querySelector("input[name=cam_direction]:checked");
    body.direction_deg = dir && dir.value ? DIR_DEG[dir.value] : null;
    for (const k of ["fov_deg", "range_m", "retention_days", "clock_offset_s"]) if (f[k].value !== "") body[k] = Number(f[k].value);
    for (const k of ["owner", "contact", "notes"]) if (f[k].value.trim()) body[k] = f[k].value.trim();
    const errors = {};
    if (!body.code) errors.code = t("form.required");
    if (!body.name) errors.name = t("form.required");
    if (Object.keys(errors).length) { showErrors(d.form, { status: 400, data: { errors } }); return; }
    const submit = d.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await api("POST", "/api/v1/cameras", Object.assign({ search_id: searchId }, body), { quiet: true });
      d.dlg.close("ok");
      toast(t("camera.added", { code: body.code }), "ok");
      loadSoon(0);
    } catch (err) {
      showErrors(d.form, err);
    } finally {
      submit.disabled = false;
    }
  });

  /* ---- the blind spot -------------------------------------------------------------------------------------------- */
  async function showBlindSpot() {
    const box = parts.blind;
    try {
      blind = await api("GET", `${base}/blind-spot`);
    } catch (e) { return; }
    blindGroup.clearLayers();
    clear(box).hidden = false;
    box.append(el("div", { class: "row-between" }, el("strong", {}, t("video.blind_spot")),
      el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => { box.hidden = true; blindGroup.clearLayers(); blind = null; } }, t("action.dismiss"))));
    if (!blind || !blind.geometry) {
      box.append(el("p", { class: "muted" }, blind && blind.reason_code ? t("video.blind_reason." + blind.reason_code) : t("video.blind_none")));
      return;
    }
    const layer = L.geoJSON(blind.geometry, { style: { className: "sc-blind", color: "#d9480f", weight: 3, dashArray: "8 6", fillColor: "#ff922b", fillOpacity: 0.25 } });
    layer.bindTooltip(tip(t("video.blind_spot")), { sticky: true });
    blindGroup.addLayer(layer);
    const b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b.pad(0.3), { maxZoom: 17 });
    const code = (id) => { const c = camById(id); return c ? c.code : "#" + id; };
    box.append(el("div", {},
      el("p", { class: "small" }, t("video.blind_info", {
        area: (blind.area_m2 / 1e4).toFixed(2), from: blind.from_camera_id ? code(blind.from_camera_id) : "—",
        clear: (blind.clear_camera_ids || []).map(code).join(t("list.sep")) || "—",
      })),

      canDecide ? el("button", { type: "button", class: "btn btn-primary vp-blind-segments", onclick: async (e) => {
        const btn = e.currentTarget;
        btn.disabled = true;
        try {
          const res = await api("POST", `${base}/blind-spot/segments`, {});
          const segs = (res && (res.segments || res)) || [];
          toast(Array.isArray(segs) && segs.length === 1 ? t("video.blind_done_one", { name: segs[0].name })
            : t("video.blind_done", { n: Array.isArray(segs) ? segs.length : "" }), "ok");
        } catch (err) { /* shown */ }
        btn.disabled = false;
      } }, t("video.blind_make_segments")) : null));
  }

  load();
  debug.video = { get data() { return data; }, load, trail };
  return { onEvent, load, trail };
}
