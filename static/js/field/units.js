/* search-coord: the other units' last known positions on the field page, each with its age ("12 min ago") and
   distance from me, newest first; a tap centres the map on it. Online and offline alike (from the live state, or
   from what this phone last knew). unitsList({box, map, state, me, myPosition}) -> {render()}. */
import { clear, el } from "../lib/dom.js";
import { fmtSince, fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { userName } from "../lib/people.js";
import { isStale } from "../map/base.js";

function metres(a, b) {
  const r = 6371000;
  const rad = Math.PI / 180;
  const x = (b[0] - a[0]) * rad * Math.cos(((a[1] + b[1]) / 2) * rad);
  const y = (b[1] - a[1]) * rad;
  return Math.sqrt(x * x + y * y) * r;
}

export function unitsList({ box, map, state, me, myPosition }) {
  function render() {
    const st = state();
    clear(box);
    if (!st) return;
    const now = Date.now();
    const rows = [];
    for (const [uid, pts] of Object.entries(st.tracks || {})) {
      if (String(uid) === String(me) || !pts.length) continue;
      const last = pts[pts.length - 1];
      rows.push({ uid, lon: last[0], lat: last[1], t: last[2] });
    }
    rows.sort((a, b) => (a.t < b.t ? 1 : -1));
    if (!rows.length) { box.append(el("li", { class: "muted" }, t("units.none"))); return; }
    const mine = myPosition();
    for (const r of rows) {
      const far = mine ? metres(mine, [r.lon, r.lat]) : null;
      const dist = far === null ? "" : far >= 1000 ? t("units.km", { n: (far / 1000).toFixed(1) }) : t("units.m", { n: Math.round(far) });
      box.append(el("li", { class: "list-item unit-item" + (isStale(r.t, now) ? " stale" : "") },
        el("button", { type: "button", class: "link-button grow left", onclick: () => map.setView([r.lat, r.lon], Math.max(map.getZoom(), 17)) },
          el("strong", {}, userName(st, r.uid)),
          el("span", { class: "small block" }, t("units.seen", { time: fmtTime(r.t), ago: fmtSince(r.t, now) }) + (dist ? " · " + dist : "")))));
    }
  }
  setInterval(render, 30000);
  return { render };
}
