/* search-coord: the blind spot — where the person can be that no reviewed camera would have seen: drawn on the map,
   explained in the panel, and (for a dispatcher) made into search segments.
   blindSpot(v, box) -> {show(), shown()}; v is the panel's context (video/panel.js). */
import { api } from "../lib/api.js";
import { clear, el, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { tip } from "../map/base.js";

export function blindSpot(v, box) {
  const group = L.featureGroup().addTo(v.map);
  let blind = null;

  async function makeSegments(e) {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      const res = await api("POST", `${v.base}/blind-spot/segments`, {});
      const segs = (res && (res.segments || res)) || [];
      toast(Array.isArray(segs) && segs.length === 1 ? t("video.blind_done_one", { name: segs[0].name })
        : t("video.blind_done", { n: Array.isArray(segs) ? segs.length : "" }), "ok");
    } catch (err) { /* shown */ }
    btn.disabled = false;
  }

  async function show() {
    try {
      blind = await api("GET", `${v.base}/blind-spot`);
    } catch (e) { return; }
    group.clearLayers();
    clear(box).hidden = false;
    box.append(el("div", { class: "row-between" }, el("strong", {}, t("video.blind_spot")),
      el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => { box.hidden = true; group.clearLayers(); blind = null; } }, t("action.dismiss"))));
    if (!blind || !blind.geometry) {
      box.append(el("p", { class: "muted" }, blind && blind.reason_code ? t("video.blind_reason." + blind.reason_code) : t("video.blind_none")));
      return;
    }
    const layer = L.geoJSON(blind.geometry, { style: { className: "sc-blind", color: "#d9480f", weight: 3, dashArray: "8 6", fillColor: "#ff922b", fillOpacity: 0.25 } });
    layer.bindTooltip(tip(t("video.blind_spot")), { sticky: true });
    group.addLayer(layer);
    const b = layer.getBounds();
    if (b.isValid()) v.map.fitBounds(b.pad(0.3), { maxZoom: 17 });
    const code = (id) => { const c = v.camById(id); return c ? c.code : "#" + id; };
    box.append(el("div", {},
      el("p", { class: "small" }, t("video.blind_info", {
        area: (blind.area_m2 / 1e4).toFixed(2), from: blind.from_camera_id ? code(blind.from_camera_id) : "—",
        clear: (blind.clear_camera_ids || []).map(code).join(t("list.sep")) || "—",
      })),
      v.canDecide ? el("button", { type: "button", class: "btn btn-primary vp-blind-segments", onclick: makeSegments }, t("video.blind_make_segments")) : null));
  }

  return { show, shown: () => !!blind };
}
