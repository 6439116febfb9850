/* search-coord: the video panel's cameras on the map — a badge per camera coloured by how far its review has got,
   its view cone, and a popup with its facts, its window's timeline and the actions on it.
   cameraLayer(v) -> {render(), focus(cameraId)}; v is the panel's context (video/panel.js). */
import { el } from "../lib/dom.js";
import { fmtDateTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { nodeIcon, pointLatLng, tip } from "../map/base.js";
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
  const group = L.featureGroup().addTo(map);
  const layers = {}; // camera id -> marker
  let openCamId = null; // a camera's details stay open across redraws (live updates redraw the layer)
  v.showCams.addEventListener("change", () => {
    if (v.showCams.checked) group.addTo(map); else group.remove();
  });

  function render() {
    const reopen = openCamId;
    group.clearLayers();
    for (const k of Object.keys(layers)) delete layers[k];
    for (const c of v.data.cameras) {
      const status = camStatus(v, c);
      const ll = pointLatLng(c.location);
      if (!ll) continue;
      const marker = L.marker(ll, {
        icon: nodeIcon({ className: "sc-cam sc-cam-" + status + (c.active === false ? " sc-cam-inactive" : ""),
          // the badge stands up and to the right of the camera (the cone's apex marks the spot), so a camera at
          // the last known point or on the trail stays clickable
          iconSize: null, iconAnchor: [-8, 38] }, tip(c.code)),
        title: `${c.code} · ${c.name}`, zIndexOffset: 650, keyboard: true,
      });
      marker.bindPopup(() => popup(c), { minWidth: 260, maxWidth: 340 });
      if (c.cone) {
        const cone = L.geoJSON(c.cone, { style: { className: "sc-cone sc-cone-" + status, weight: 1.5, fillOpacity: 0.22 } });
        cone.on("click", () => marker.openPopup());
        group.addLayer(cone);
      }
      marker.on("popupopen", () => { openCamId = c.id; });
      marker.on("popupclose", () => { if (openCamId === c.id && group.hasLayer(marker)) openCamId = null; });
      group.addLayer(marker);
      layers[c.id] = marker;
    }
    openCamId = null;
    if (reopen !== null && layers[reopen] && v.showCams.checked && !document.querySelector("dialog[open]")) {
      layers[reopen].openPopup();
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

  function focus(cid) {
    const m = layers[cid];
    if (!m) return;
    if (!v.showCams.checked) { v.showCams.checked = true; group.addTo(map); }
    map.setView(m.getLatLng(), Math.max(map.getZoom(), 17));
    m.openPopup();
  }

  return { render, focus };
}
