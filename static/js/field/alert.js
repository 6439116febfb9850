/* search-coord: broadcasts from the command post on the field page: a full-screen alert (buzzing) until
   acknowledged, one at a time, oldest first; acknowledged through the outbox, remembered on this phone.
   broadcastAlerts({searchId, me, map, trail, live}). */
import { api } from "../lib/api.js";
import { broadcastText } from "../lib/alerts.js";
import { $ } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { outbox } from "../reports/outbox.js";

export function broadcastAlerts({ searchId, me, map, trail, live }) {
  const ackKey = `sc.acked.${searchId}.${me}`;
  const ackedHere = new Set((() => { try { return JSON.parse(localStorage.getItem(ackKey) || "[]"); } catch (e) { return []; } })());
  const alerts = new Map(); // id -> broadcast, waiting to be acknowledged
  const alertDlg = $("#broadcast-alert");
  let buzzTimer = null;
  let shownId = null;

  function queueAlert(b) {
    if (!b || b.sent_by === me || ackedHere.has(b.id) || alerts.has(b.id)) return;
    alerts.set(b.id, b);
    showAlert();
  }

  function buzz() {
    if (navigator.vibrate) { try { navigator.vibrate([400, 200, 400, 200, 800]); } catch (e) { /* not allowed */ } }
  }

  function showAlert() {
    const next = Array.from(alerts.values()).sort((a, b) => a.id - b.id)[0];
    if (!next) {
      shownId = null;
      if (alertDlg.open) alertDlg.close();
      clearInterval(buzzTimer);
      buzzTimer = null;
      document.body.dataset.alert = "";
      return;
    }
    const red = next.kind === "found" || next.kind === "stand_down";
    const sighting = next.kind === "sighting";
    alertDlg.className = "bc-alert " + (red ? "bc-red" : sighting ? "bc-sighting" : next.kind === "disregard" ? "bc-disregard" : "bc-amber");
    $("#bc-kind").textContent = tEnum("bkind", next.kind);
    $("#bc-text").textContent = broadcastText(next);
    $("#bc-hint").textContent = sighting ? t("broadcast.sighting_hint") : next.kind === "disregard" ? t("broadcast.disregard_hint") : "";
    $("#bc-meta").textContent = t("broadcast.alert_meta", { time: fmtTime(next.sent_at) });
    const more = alerts.size - 1;
    $("#bc-more").textContent = more ? t("broadcast.more", { n: more }) : "";
    document.body.dataset.alert = String(next.id);
    if (shownId !== next.id) buzz();
    shownId = next.id;
    if (!alertDlg.open) alertDlg.showModal();
    else { alertDlg.close(); alertDlg.showModal(); } // back on top of any other dialog
    $("#bc-ack").focus();
    if (!buzzTimer) buzzTimer = setInterval(buzz, 20000);
  }

  alertDlg.addEventListener("cancel", (e) => e.preventDefault()); // Escape does not dismiss it: acknowledge it
  $("#bc-ack").addEventListener("click", async () => {
    const b = alerts.get(shownId);
    if (!b) return;
    alerts.delete(b.id);
    ackedHere.add(b.id);
    try { localStorage.setItem(ackKey, JSON.stringify(Array.from(ackedHere).slice(-200))); } catch (e) { /* ignore */ }
    showAlert();
    if (b.kind === "sighting" && trail && !alerts.size) {
      // straight to the map, on the newest part of the trail
      map.getContainer().scrollIntoView({ block: "center" });
      trail.focusLast(17);
    }
    // through the outbox: it reaches the dispatcher even if the network is gone right now
    if (outbox) {
      outbox.add({ kind: "ack", url: `/api/v1/searches/${searchId}/broadcasts/${b.id}/ack`, body: {}, noClientId: true,
        label: t("outbox.kind.ack") + ": " + b.text.slice(0, 40) }).catch((e) => console.error("ack not kept", e));
    } else {
      api("POST", `/api/v1/searches/${searchId}/broadcasts/${b.id}/ack`, {}).catch(() => {});
    }
  });

  live.on((kind, payload) => {
    if (kind === "unacknowledged") for (const b of payload || []) queueAlert(b);
    if (kind === "event" && payload.type === "broadcast.sent") queueAlert(payload.payload.broadcast);
  });
}
