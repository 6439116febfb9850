/* search-coord: the trail of confirmed sightings on any map (the console and the phones): legs in time order, flagged when too fast. */
import { el } from "../lib/dom.js";
import { fmtTime, fmtTimeSec } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { nodeIcon, pointLatLng, tip } from "../map/base.js";
import { TRAIL_COLOR, FLAG_COLORS, km, mins, dirName } from "./common.js";

/* ---- the trail: confirmed sightings in time order, legs flagged when too fast ----------------------- */

export class TrailLayer {
  constructor(map, opts) {
    this.map = map;
    this.opts = opts || {};
    this.group = L.featureGroup().addTo(map);
    this.trail = null;
  }

  render(trail) {
    this.trail = trail || null;
    this.group.clearLayers();
    const points = (trail && trail.points) || [];
    document.body.dataset.trailPoints = String(points.length);
    if (!points.length) return;
    const ll = (p) => pointLatLng(p.location);
    const legs = trail.legs || [];
    // from where it started (the first last known point) to the first sighting: dashed, the route is not known
    const origin = trail.origin;
    if (origin && origin.leg && ll(origin) && ll(points[0])) {
      const flag = origin.leg.flag || null;
      const line = L.polyline([ll(origin), ll(points[0])], {
        color: flag ? FLAG_COLORS[flag] || FLAG_COLORS.fast : TRAIL_COLOR, weight: 4, opacity: 0.8, dashArray: "2 9",
        className: "sc-trail sc-trail-origin" + (flag ? " sc-trail-flag sc-trail-" + flag : ""),
      });
      line.bindTooltip(tip(t("trail.from_start") + " · " + trailLegText(origin.leg)), { sticky: true });
      this.group.addLayer(line);
    }
    // legs join consecutive points (the points are in time order)
    for (let i = 0; i + 1 < points.length; i++) {
      const a = ll(points[i]);
      const b = ll(points[i + 1]);
      if (!a || !b) continue;
      const leg = legs[i] || {};
      const flag = leg.flag || null;
      const line = L.polyline([a, b], {
        color: flag ? FLAG_COLORS[flag] || FLAG_COLORS.fast : TRAIL_COLOR, weight: flag ? 6 : 5, opacity: 0.95,
        dashArray: flag === "implausible" ? "10 8" : null,
        className: "sc-trail" + (flag ? " sc-trail-flag sc-trail-" + flag : ""),
      });
      line.bindTooltip(tip(trailLegText(leg)), { sticky: true });
      this.group.addLayer(line);
      if (flag) {
        const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
        this.group.addLayer(L.marker(mid, {
          interactive: false, keyboard: false,
          icon: nodeIcon({ className: "sc-trail-warn sc-trail-warn-" + flag, iconSize: null }, tip("⚠ " + t("trail.flag." + flag))),
        }));
      }
    }
    if (points.length === 1 && trail.line && trail.line.coordinates) {
      this.group.addLayer(L.geoJSON(trail.line, { style: { color: TRAIL_COLOR, weight: 5, className: "sc-trail" } }));
    }
    points.forEach((p, i) => {
      const at = ll(p);
      if (!at) return;
      const last = i === points.length - 1;
      const m = L.circleMarker(at, {
        radius: last ? 11 : 8, color: "#fff", weight: 3, fillColor: TRAIL_COLOR, fillOpacity: 1,
        className: "sc-trail-point" + (last ? " sc-trail-last" : ""),
      });
      const dir = p.direction_deg !== null && p.direction_deg !== undefined ? " → " + tEnum("dir_short", dirName(p.direction_deg)) : "";
      // the label goes on the side away from the direction of travel (the arrow is on the other side)
      const east = p.direction_deg !== null && p.direction_deg !== undefined && Math.sin(Number(p.direction_deg) * Math.PI / 180) > 0.2;
      m.bindTooltip(tip(`${fmtTime(p.time)} ${p.code || ""}${dir}`), {
        permanent: true, direction: east ? "left" : "right", offset: [east ? -14 : 14, 0], className: "sc-trail-tip" + (last ? " sc-trail-tip-last" : ""),
      });
      m.bindPopup(() => el("div", { class: "map-popup" },
        el("strong", {}, t("trail.seen_at", { time: fmtTimeSec(p.time), code: p.code || "" })), el("br"),
        p.direction_deg !== null && p.direction_deg !== undefined ? t("trail.heading", { dir: tEnum("dir", dirName(p.direction_deg)) }) : t("trail.heading_unknown"),
        el("br"), tEnum("confidence", p.confidence)));
      this.group.addLayer(m);
      if (p.direction_deg !== null && p.direction_deg !== undefined) {
        this.group.addLayer(L.marker(at, {
          interactive: false, keyboard: false, zIndexOffset: 600,
          icon: nodeIcon({ className: "sc-trail-arrow", iconSize: [60, 60], iconAnchor: [30, 30] },
            el("span", { style: { transform: `rotate(${Number(p.direction_deg)}deg) translateY(-27px)` } }, "▲")),
        }));
      }
    });
    this.group.bringToFront();
  }

  bounds() { return this.group.getBounds(); }

  /** Show the newest part of the trail. */
  focusLast(zoom) {
    const pts = (this.trail && this.trail.points) || [];
    if (!pts.length) return;
    const b = L.latLngBounds(pts.slice(-2).map((p) => pointLatLng(p.location)));
    if (b.isValid()) this.map.fitBounds(b.pad(0.4), { maxZoom: zoom || 17 });
  }
}
export function trailLegText(leg) {
  if (!leg || leg.distance_m === undefined) return "";
  const parts = [km(leg.distance_m), t("trail.minutes", { m: mins(leg.seconds) })];
  if (leg.speed_ms !== null && leg.speed_ms !== undefined) parts.push(`${Number(leg.speed_ms).toFixed(1)} m/s`);
  if (leg.flag) parts.push("⚠ " + t("trail.flag_long." + leg.flag));
  return parts.join(" · ");
}
