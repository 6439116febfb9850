/* search-coord: the phone's part of the dispatcher's night: the urgency strip (console/urgency.js, read-only here)
   and the one-tap "need help" button, which sends where the officer is at once (the last fix when it is fresh, else
   one asked for, else none: the request never waits for a fix) through the outbox, so no signal loses nothing.
   phoneNight({searchId, live, getFix}) -> {strip}; getFix() -> the tracker's last fix {lon, lat, acc, t} or null. */
import { randomId } from "../lib/api.js";
import { $, toast } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { debug } from "../lib/debug.js";
import { urgencyStrip } from "../console/urgency.js";
import { sendReport } from "./outbox_view.js";

const FRESH_MS = 60000;

function askFix(timeoutMs) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    const timer = setTimeout(() => resolve(null), timeoutMs);
    navigator.geolocation.getCurrentPosition((p) => {
      clearTimeout(timer);
      resolve({ lon: p.coords.longitude, lat: p.coords.latitude, acc: p.coords.accuracy });
    }, () => { clearTimeout(timer); resolve(null); }, { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 15000 });
  });
}

export function phoneNight(opts) {
  const { searchId, live, getFix } = opts;
  const box = $("#urgency-strip");
  const strip = box ? urgencyStrip({ box, searchId, canEdit: false }) : null;
  if (strip) {
    live.on((kind, ev) => {
      if (kind === "reset") strip.load();
      else if (kind === "event") strip.onEvent(ev);
    });
  }
  const btn = $("#help-btn");
  const status = $("#help-status");
  let busy = false;
  async function send() {
    if (busy) return;
    busy = true;
    btn.disabled = true;
    status.hidden = false;
    status.textContent = t("help.sending");
    const last = getFix();
    const fix = last && Date.now() - new Date(last.t).getTime() < FRESH_MS ? last : await askFix(5000);
    const body = { client_id: randomId("help") };
    if (fix) {
      body.location = { type: "Point", coordinates: [Number(fix.lon.toFixed(6)), Number(fix.lat.toFixed(6))] };
      if (fix.acc !== undefined && fix.acc !== null) body.accuracy_m = Math.round(fix.acc);
    }
    const res = await sendReport({ kind: "help", url: `/api/v1/searches/${searchId}/help`, body, clientId: body.client_id,
      label: t("help.button") }, { timeoutMs: 8000 });
    busy = false;
    btn.disabled = false;
    if (res.result === "failed") {
      status.textContent = t("help.failed");
      toast(t("help.failed"), "error");
      return;
    }
    status.textContent = (res.result === "sent" ? t("help.sent", { time: fmtTime(new Date().toISOString()) }) : t("help.queued"))
      + (fix ? "" : " · " + t("help.no_fix"));
    debug.helpSent = (debug.helpSent || 0) + 1;
  }
  if (btn) btn.addEventListener("click", send);
  return { strip };
}
