/* search-coord: picking a street assignment along a route (issue 14 §4) on the console's map — the dispatcher taps
   points along the streets (a start, waypoints, an end), the server answers the shortest path on the street network
   between them for the team's mode (POST .../streets/path, nothing stored), drawn here with its length and duration
   before the assignment is made. A tap too far from the mode's streets, or one the streets do not join, is named
   and taken back. routePicker(opts) lives as long as the streets panel; its controls are drawn again with the form.
   On a narrow screen (the console's one-column layout, max-width 900px: a phone, a narrow window) the form is far
   below the map: while picking, the map is taller, scrolled into view, and a dock over its foot shows the path, the
   error, undo, clear and done; done scrolls back to the form. At desktop width the dock is never shown. */
import { api, errorMessage } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { lang, t } from "../lib/i18n.js";
import { serverParts, serverText } from "../lib/server_text.js";

/** The server's message about the taps, in the page's language, and which tap to take back (-1: none): a tap too
    far from the mode's streets, or one the streets do not join to the one before. Any other message (a closed
    search, a lost login, ...) through lib/server_text.js. */
function tapError(msg) {
  const p = serverParts(msg);
  const kind = p && p.values.kind ? t("streets.pick." + p.values.kind) : "";
  if (p && p.key === "srv.tap_too_far") {
    return { text: t("streets.pick.too_far", { ...p.values, kind }), drop: Number(p.values.n) - 1 };
  }
  if (p && p.key === "srv.taps_not_connected") {
    return { text: t("streets.pick.not_connected", { ...p.values, kind }), drop: Number(p.values.b) - 1 };
  }
  if (p && p.key === "srv.taps_no_route") return { text: t("streets.pick.no_route"), drop: -1 };
  if (p && p.key === "srv.layer_no_kind") return { text: t("streets.pick.none", { kind }), drop: -1 };
  return { text: serverText(msg), drop: -1 };
}

/** The console's one-column layout (static/css/app.css "narrow screens"). */
const NARROW = "(max-width: 900px)";
const narrow = () => window.matchMedia(NARROW).matches;

export function routePicker({ map, searchId, mode, onChange }) {
  const group = L.layerGroup().addTo(map);
  let points = [];      // [[lon, lat], ...] as tapped
  let path = null;      // the server's answer for the points, or null
  let error = "";
  let active = false;
  let asked = 0;        // answers to older taps are dropped
  let box = null;
  let dock = null;      // over the map's foot while picking on a narrow screen

  function onTap(e) {
    points.push([Number(e.latlng.lng.toFixed(7)), Number(e.latlng.lat.toFixed(7))]);
    update();
  }

  function start() {
    if (active) return;
    active = true;
    map.on("click", onTap);
    map.getContainer().style.cursor = "crosshair";
    tall(true);
    redraw();
    if (narrow()) map.getContainer().scrollIntoView({ block: "start" });
  }

  /** While picking, the map's frame is marked (the CSS makes the map taller on a narrow screen). */
  function tall(on) {
    const wrap = map.getContainer().parentElement;
    if (wrap.classList.contains("streets-picking") === on) return;
    wrap.classList.toggle("streets-picking", on);
    map.invalidateSize(false);
  }

  function stop() {
    active = false;
    map.off("click", onTap);
    map.getContainer().style.cursor = "";
    tall(false);
    redraw();
    if (narrow() && box && box.isConnected) box.scrollIntoView({ block: "center" });
  }

  function clearAll() { points = []; path = null; error = ""; asked += 1; draw(); redraw(); onChange(); }

  function undo() { points.pop(); update(); }

  async function update() {
    const mine = ++asked;
    path = null;
    if (points.length < 2) { error = ""; draw(); redraw(); onChange(); return; }
    draw(); redraw();
    try {
      const r = await api("POST", `/api/v1/searches/${searchId}/streets/path`,
        { mode: mode(), points, lang: lang.startsWith("zh") ? "zh" : "en" }, { quiet: true });
      if (mine !== asked) return;
      path = r; error = "";
    } catch (err) {
      if (mine !== asked) return;
      const msg = err.data && err.data.errors ? (err.data.errors.points || Object.values(err.data.errors)[0]) : "";
      const e = msg ? tapError(String(msg)) : { text: errorMessage(err), drop: -1 };
      error = e.text;
      if (e.drop >= 0 && e.drop < points.length) {   // take the bad tap back; the others stand
        points.splice(e.drop, 1);
        if (points.length >= 2) { const text = error; await update(); error = text; redraw(); return; }
      }
    }
    draw(); redraw(); onChange();
  }

  function draw() {
    group.clearLayers();
    if (path) {
      L.geoJSON(path.geometry, { style: { color: "#7c3aed", weight: 6, opacity: 0.85, className: "sc-route-pick" } })
        .addTo(group);
    }
    points.forEach((p, i) => {
      L.circleMarker([p[1], p[0]], { radius: 7, color: "#7c3aed", weight: 2, fillColor: i === 0 ? "#16a34a"
        : i === points.length - 1 ? "#dc2626" : "#ffffff", fillOpacity: 1, className: "sc-route-tap" }).addTo(group);
    });
  }

  /** The summary line: "3 points · 1.2 km · about 15 min at 14.4 km/h" (or what to do next). */
  function summary() {
    if (!points.length) return t("streets.pick.tap_start");
    if (points.length < 2) return t("streets.pick.tap_more");
    if (!path) return error ? "" : t("streets.pick.finding");
    return t("streets.pick.path", { n: points.length, km: (path.length_m / 1000).toFixed(2), blocks: path.blocks.length,
      min: Math.round(path.duration_min), kmh: (path.speed_ms * 3.6).toFixed(1) });
  }

  function buttons(prefix) {
    return el("div", {},
      el("button", { type: "button", class: "btn btn-small" + (active ? " btn-primary" : ""), id: prefix,
        onclick: () => (active ? stop() : start()) }, active ? t("streets.pick.done") : t("streets.pick.start")), " ",
      el("button", { type: "button", class: "btn btn-small", id: prefix + "-undo", disabled: !points.length,
        onclick: undo }, t("streets.pick.undo")), " ",
      el("button", { type: "button", class: "btn btn-small", id: prefix + "-clear", disabled: !points.length,
        onclick: clearAll }, t("streets.pick.clear")));
  }

  function redraw() {
    if (box) {
      box.replaceChildren(buttons("streets-pick"),
        el("p", { class: "small", id: "streets-pick-info", dataset: { points: String(points.length) } },
          active || points.length ? summary() : t("streets.pick.note")),
        error ? el("p", { class: "field-error", id: "streets-pick-error", role: "alert" }, error) : "");
    }
    redrawDock();
  }

  /** The dock over the map (shown by the CSS on a narrow screen only, while picking). */
  function redrawDock() {
    if (!dock && !active) return;
    if (!dock) {
      dock = el("div", { class: "streets-pick-dock", id: "streets-pick-dock", role: "group",
        "aria-label": t("streets.pick.title") });
      map.getContainer().parentElement.append(dock);
    }
    dock.hidden = !active;
    if (!active) { dock.replaceChildren(); return; }
    dock.replaceChildren(
      el("p", { class: "small", id: "streets-dock-info" }, summary()),
      error ? el("p", { class: "field-error", id: "streets-dock-error" }, error) : "",
      buttons("streets-dock"));
  }

  /** The controls (a fresh node each time the form is drawn: the taps, path and state stay). */
  function controls() {
    box = el("div", { class: "streets-pick", id: "streets-pick-box" });
    redraw();
    return box;
  }

  return {
    controls, start, stop, clear: clearAll, modeChanged: () => { if (points.length >= 2) update(); },
    /** The taps when they make a route the server found, else null. */
    points: () => (path && points.length >= 2 ? points.slice() : null),
    count: () => points.length, path: () => path, error: () => error, active: () => active,
    /** Where (lon, lat) is on the map's container, in pixels (for the browser tests to tap there). */
    pointOf: (lon, lat) => { const p = map.latLngToContainerPoint([lat, lon]); return { x: p.x, y: p.y }; },
    fitTo: (lonlats) => {
      map.invalidateSize(false);
      map.fitBounds(lonlats.map(([x, y]) => [y, x]), { paddingTopLeft: [60, 60], paddingBottomRight: [60, 160], animate: false });
    },
  };
}
