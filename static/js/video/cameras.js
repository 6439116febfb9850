/* search-coord: the video panel's cameras on the map — the search's region read by the map's view
   (video/camera_layer.js: canvas, cells when zoomed out), each camera coloured by how far its review has got, and
   a popup with its facts, its window's timeline and the actions on it.
   cameraLayer(v) -> {render(), focus(cameraId), area}; v is the panel's context (video/panel.js). */
import { el } from "../lib/dom.js";
import { fmtDateTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { pointLatLng } from "../map/base.js";
import { areaLayer } from "./camera_layer.js";
import { dirName, fmtWindow, km, offsetText, timelineBar } from "./common.js";

/** How far a camera's review has got: seen, pending, clear, partly, tasked or idle. */
function camStatus(v, c) {
  const data = v.data;
  const sightings = data.sightings.filter((s) => s.camera_id === c.id);
  if (sightings.some((s) => s.status === "confirmed")) return "seen";
  if (sightings.some((s) => s.status === "pending")) return "pending";
  const task = data.tasks.find((x) => x.camera_id === c.id && x.status !== "cancelled");
  if (task && task.window_s && task.reviewed_s >= task.window_s - 1) return "clear";
  const p = v.proposalOf(c.id); // reviewed without a task: clear once its whole window has been
  if (!task && p && p.window_s && p.reviewed_s >= p.window_s - 1) return "clear";
  if (data.intervals.some((i) => i.camera_id === c.id)) return "partly";
  if (task) return "tasked";
  return "idle";
}

export function cameraLayer(v) {
  const { map } = v;
  let openCam = null; // the camera whose details are open: they are rebuilt when the panel's data changes
  const popupLayer = L.popup({ minWidth: 260, maxWidth: 340 });
  popupLayer.on("remove", () => { openCam = null; });
  const area = areaLayer(map, { searchId: v.searchId, statusOf: (c) => (v.data ? camStatus(v, c) : "idle"), onCamera: openPopup });
  v.showCams.addEventListener("change", () => area.show(v.showCams.checked));

  function openPopup(c, latlng) {
    c = v.camById(c.id) || c; // the panel's own view of it (its distance) when it names it
    openCam = c;
    popupLayer.setLatLng(latlng || pointLatLng(c.location)).setContent(popup(c)).openOn(map);
  }

  /** The panel's data changed: the drawn cameras take their new colours, open details are rebuilt. */
  function render() {
    area.restyle();
    if (openCam && map.hasLayer(popupLayer) && !document.querySelector("dialog[open]")) {
      popupLayer.setContent(popup(v.camById(openCam.id) || openCam));
    }
  }

  function popup(c) {
    const data = v.data;
    const p = v.proposalOf(c.id);
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
    const act = (fn) => () => { map.closePopup(); fn(); };
    return el("div", { class: "map-popup cam-popup" },
      el("strong", { class: "cam-title" }, `${c.code} · ${c.name}`),
      c.active === false ? el("span", { class: "badge" }, t("camera.inactive")) : null,
      dl,
      p ? el("div", { class: "small" }, t("video.window") + ": " + fmtWindow(p.start, p.end)) : null,
      p ? timelineBar(p.start, p.end, reviewed, ticks) : null,
      el("div", { class: "btn-row" },
        el("button", { type: "button", class: "btn btn-small btn-primary", onclick: act(() => v.open.sighting({ camera_id: c.id })) }, t("video.log_sighting")),
        el("button", { type: "button", class: "btn btn-small", onclick: act(() => v.open.interval({ camera_id: c.id, task: v.taskFor(c.id) })) }, t("video.record_interval")),
        v.canDecide && !v.taskFor(c.id) ? el("button", { type: "button", class: "btn btn-small", onclick: act(() => v.open.task(c, p)) }, t("video.create_task")) : null));
  }

  /** Show camera `cid` (one the panel names, or one drawn) and open its details. */
  function focus(cid) {
    const c = v.camById(cid);
    if (!c) return;
    if (!v.showCams.checked) { v.showCams.checked = true; area.show(true); }
    const ll = pointLatLng(c.location);
    map.setView(ll, Math.max(map.getZoom(), 17));
    openPopup(c, ll);
  }

  return { render, focus, area };
}
