/* search-coord: Leaflet helpers shared by the console, the field page and the new-search form. */
import { el } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { config } from "../lib/page.js";

export const STATUS_COLORS = {
  planned: "#7c8798",
  assigned: "#2563eb",
  in_progress: "#ea7a06",
  done: "#15803d",
  aborted: "#b91c1c",
};
const TRACK_COLORS = ["#d6336c", "#0b7285", "#7048e8", "#e67700", "#2b8a3e", "#c2255c", "#1864ab", "#5f3dc4", "#a61e4d", "#087f5b"];
export const trackColor = (uid) => TRACK_COLORS[Math.abs(parseInt(uid, 10) || 0) % TRACK_COLORS.length];

export const TRACK_GAP_S = 120; // two fixes further apart than this are not joined by a line
export const STALE_S = 120; // a last position older than this is stale

/** Split fixes [lon, lat, isoTime, key] into the pieces a map joins by a line: fixes of one key (one device's
    piece of counted track, as the server keyed it; or the phone's own run number) in time order, broken after a
    long silence. A fix whose key is null is too coarse to join anything: it is never part of a line. */
export function trackPieces(pts) {
  const byKey = new Map();
  for (const p of pts) {
    const key = p[3] === undefined ? 0 : p[3];
    if (key === null) continue;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(p);
  }
  const pieces = [];
  for (const list of byKey.values()) {
    let cur = null;
    let prevMs = 0;
    for (const p of list) {
      const ms = Date.parse(p[2]); // each fix's time parsed once
      if (!cur || (ms - prevMs) > TRACK_GAP_S * 1000) {
        cur = [];
        pieces.push(cur);
      }
      cur.push(p);
      prevMs = ms;
    }
  }
  return pieces;
}

export const isStale = (iso, now) => !!iso && ((now || Date.now()) - new Date(iso).getTime()) > STALE_S * 1000;

/** A map in `el`; tiles only when SC_CONFIG.tileUrl is set, otherwise a plain grid background (offline). */
export function makeMap(el, opts) {
  opts = opts || {};
  const cfg = config || {};
  const map = L.map(el, {
    center: opts.center || [39.9042, 116.4074],
    zoom: opts.zoom || 15,
    maxZoom: cfg.tileMaxZoom || 19,
    zoomControl: true,
    tap: true,
  });
  if (cfg.tileUrl) {
    // crossOrigin (opts.tileCors): tiles come with CORS, so the phone's service worker may keep the ones it showed
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: cfg.tileMaxZoom || 19, className: "sc-tiles",
      crossOrigin: opts.tileCors ? "anonymous" : false }).addTo(map);
  } else {
    el.classList.add("map-plain");
  }
  L.control.scale({ imperial: false }).addTo(map);
  if (map.attributionControl) map.attributionControl.setPrefix(false);
  return map;
}

/** Night: the map's tiles dimmed (the markers and lines keep their colours); remembered on this device. */
export function dimTiles(map, on) {
  map.getContainer().classList.toggle("map-dimmed", !!on);
  try { localStorage.setItem("sc.dimTiles", on ? "1" : "0"); } catch (e) { /* ignore */ }
}
/** Whether the tiles were dimmed here last time (default: dimmed, the field page is for the dark). */
export const tilesDimmed = () => { try { return localStorage.getItem("sc.dimTiles") !== "0"; } catch (e) { return true; } };

export const pointLatLng = (geom) => (geom && geom.coordinates ? [geom.coordinates[1], geom.coordinates[0]] : null);

/** Content for a Leaflet tooltip, popup or divIcon: always an element. Leaflet puts a string in as HTML (a name
    or a camera code would run as script), an element as it is, so text goes in as text. */
export const tip = (...parts) => el("span", {}, ...parts);
/** L.divIcon whose content is `node` (an element, never an HTML string); a new icon per marker. */
export const nodeIcon = (opts, node) => L.divIcon(Object.assign({}, opts, { html: node }));

function labelIcon(cls, text, size) {
  size = size || 28;
  return L.divIcon({
    className: "sc-icon " + cls,
    html: tip(String(text)),
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
  });
}
export { labelIcon };
export const lkpMarker = (latlng) => L.marker(latlng, { icon: labelIcon("sc-icon-lkp", t("map.lkp_short"), 40), zIndexOffset: 500, keyboard: true, title: t("map.lkp") });

/** Let the user pick a point on the map; resolves with [lon, lat] or null on Escape. */
export function pickPoint(map, hint) {
  return new Promise((resolve) => {
    const box = map.getContainer();
    box.classList.add("picking");
    const banner = el("div", { class: "pick-banner", role: "status" }, hint || t("map.pick_hint"),
      el("button", { type: "button", class: "btn btn-small" }, t("action.cancel")));
    box.parentElement.append(banner);
    const finish = (val) => {
      map.off("click", onClick);
      document.removeEventListener("keydown", onKey);
      box.classList.remove("picking");
      banner.remove();
      resolve(val);
    };
    const onClick = (e) => finish([Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))]);
    const onKey = (e) => { if (e.key === "Escape") finish(null); };
    banner.querySelector("button").addEventListener("click", () => finish(null));
    map.on("click", onClick);
    document.addEventListener("keydown", onKey);
  });
}
