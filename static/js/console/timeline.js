/* search-coord: the console's Timeline panel — the search's event log as sentences, newest first (track batches
   only when asked for). timelinePanel(c) -> {load(), add(event)}; c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { eventSentence } from "../lib/events.js";
import { fmtTimeSec } from "../lib/format.js";
import { t } from "../lib/i18n.js";

export function timelinePanel(c) {
  let timeline = [];
  const showTracks = $("#show-tracks");

  async function load() {
    try {
      const res = await api("GET", `/api/v1/searches/${c.searchId}/events?after=0&limit=5000`, null, { quiet: true });
      timeline = res.events;
    } catch (e) {
      toast(errorMessage(e), "error");
    }
    render();
  }

  function render() {
    const list = clear($("#timeline"));
    const items = timeline.filter((ev) => showTracks.checked || ev.type !== "track.points").slice(-300).reverse();
    for (const ev of items) {
      list.append(el("li", { class: "tl-item tl-" + ev.type.replace(/\./g, "-") },
        el("time", { datetime: ev.at }, fmtTimeSec(ev.at)),
        el("div", { class: "tl-body" },
          el("div", {}, el("strong", {}, ev.actor ? ev.actor.name : t("timeline.system")), " ", eventSentence(ev, c.st())),
          ev.device ? el("div", { class: "small muted" }, t("timeline.device", { device: ev.device })) : null)));
    }
    if (!items.length) list.append(el("li", { class: "muted" }, t("timeline.empty")));
  }
  showTracks.addEventListener("change", render);

  let frame = 0;
  /** A live event: kept, and shown unless it is a track batch and those are hidden (redrawn once per animation
      frame, however many events came in it). */
  function add(ev) {
    timeline.push(ev);
    if ((ev.type !== "track.points" || showTracks.checked) && !frame) {
      frame = requestAnimationFrame(() => { frame = 0; render(); });
    }
  }

  return { load, add };
}
