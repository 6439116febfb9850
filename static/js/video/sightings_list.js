/* search-coord: the video panel's sightings and trail — the pending sightings (on the map too) that the dispatcher
   confirms or rejects, the decided ones, and the confirmed trail as a list of points and legs.
   sightingsList(v, parts) -> {render()}; v is the panel's context (video/panel.js). */
import { api } from "../lib/api.js";
import { clear, el, toast } from "../lib/dom.js";
import { fmtTime, fmtTimeSec, zoneOffsetMin } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { labelIcon, pointLatLng, tip } from "../map/base.js";
import { askText } from "../reports/dialogs.js";
import { dirName } from "./common.js";
import { trailLegText } from "./trail.js";

export function sightingsList(v, parts) {
  const pendingGroup = L.featureGroup().addTo(v.map);

  /* pending sightings: the dispatcher confirms or rejects */
  function renderPending() {
    const data = v.data;
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

  const implied = (leg, key) => (leg && leg.flag ? el("div", { class: "retention-flag vs-implied vs-implied-" + leg.flag },
    "⚠ " + t(key + leg.flag, { leg: trailLegText(Object.assign({}, leg, { flag: null })) })) : null);

  function sightingItem(s) {
    const pending = s.status === "pending";
    const dir = s.direction || dirName(s.direction_deg);
    const decideBtn = (decision, cls) => el("button", { type: "button", class: cls, onclick: (e) => decide(s, decision, e.currentTarget) }, t("video." + decision));
    return el("li", { class: "list-item column vs-item vs-" + s.status, dataset: { sightingId: s.id } },
      el("div", { class: "row-between" },
        el("button", { type: "button", class: "link-button strong left", onclick: () => v.focusCamera(s.camera_id) },
          t("video.sighting_line", { time: fmtTimeSec(s.time), code: s.code || "", name: s.camera_name || "" })),
        el("span", { class: "badge vs-badge-" + s.status }, tEnum("sighting_status", s.status))),
      el("div", { class: "small" },
        t("video.recorder_time", { time: fmtTimeSec(s.recorder_time) }), " · ",
        dir ? t("trail.heading", { dir: tEnum("dir", dir) }) : t("trail.heading_unknown"), " · ",
        el("span", { class: "conf conf-" + s.confidence }, tEnum("confidence", s.confidence))),
      pending ? implied(s.implied, "video.implied_") : null,
      pending ? implied(s.implied_next, "video.implied_next_") : null,
      s.notes ? el("div", { class: "small" }, s.notes) : null,
      s.photo_id ? el("a", { href: `/api/v1/photos/${s.photo_id}`, target: "_blank", rel: "noopener" },
        el("img", { class: "vs-photo", src: `/api/v1/photos/${s.photo_id}`, alt: t("video.still") })) : null,
      el("div", { class: "small muted" }, t("video.logged_by", { name: v.userName(s.reported_by), time: fmtTime(s.reported_at) }),
        s.decided_by ? " · " + t("video.decided_by", { name: v.userName(s.decided_by), time: fmtTime(s.decided_at) }) : "",
        s.decision_note ? " — " + s.decision_note : ""),
      pending && v.canDecide ? el("div", { class: "btn-row" },
        decideBtn("confirm", "btn btn-found btn-large vs-confirm"), decideBtn("reject", "btn btn-danger btn-large vs-reject")) : null,
      s.status === "confirmed" && v.canDecide ? el("div", { class: "btn-row" },
        decideBtn("retract", "btn btn-small btn-ghost vs-retract")) : null);
  }

  async function decide(s, decision, btn) {
    const body = { decision, tz_offset_min: zoneOffsetMin(Date.now()) }; // the alert's fallback text on the station's clock
    if (decision === "reject" || decision === "retract") {
      const note = await askText(t("video." + decision + "_title", { code: s.code || "" }), t("video." + decision + "_note"),
        { submitLabel: t("video." + decision), submitClass: "btn-danger" });
      if (note === null) return;
      if (note) body.note = note;
    }
    const row = btn.closest(".btn-row");
    row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const res = await api("POST", `${v.base}/sightings/${s.id}/decision`, body);
      if (res && res.id) v.upsert(v.data.sightings, res);
      const done = decision === "retract" && res && !res.alerted ? "video.retracted_quiet"
        : { confirm: res && res.lkp_moved ? "video.confirmed" : "video.confirmed_trail", reject: "video.rejected", retract: "video.retracted" }[decision];
      toast(t(done), "ok");
      v.render();   // the rest follows from the live events (the decision, a moved LKP), each fetched once
    } catch (e) {
      row.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  }

  function renderTrail() {
    const data = v.data;
    v.trail.render(data.trail);
    const box = clear(parts.trail);
    const pts = (data.trail && data.trail.points) || [];
    if (!pts.length) { box.append(el("p", { class: "muted" }, t("video.no_trail"))); return; }
    const list = el("ol", { class: "vp-trail-list" });
    const legs = data.trail.legs || [];
    pts.forEach((p, i) => {
      const dir = dirName(p.direction_deg);
      list.append(el("li", { class: "vp-trail-point" },
        el("button", { type: "button", class: "link-button strong", onclick: () => v.focusCamera(p.camera_id) }, `${fmtTime(p.time)} · ${p.code || ""}`),
        dir ? " → " + tEnum("dir", dir) : "", " ", el("span", { class: "small muted" }, tEnum("confidence", p.confidence))));
      if (legs[i] && i + 1 < pts.length) {
        list.append(el("li", { class: "vp-leg" + (legs[i].flag ? " vp-leg-flag vp-leg-" + legs[i].flag : "") }, trailLegText(legs[i])));
      }
    });
    box.append(list, el("button", { type: "button", class: "btn btn-small", onclick: () => {
      const b = v.trail.bounds();
      if (b.isValid()) v.map.fitBounds(b.pad(0.3), { maxZoom: 17 });
    } }, t("video.show_trail")));
  }

  return { render() { renderPending(); renderTrail(); } };
}
