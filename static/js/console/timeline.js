/* search-coord: the console's Timeline panel — the search's event log as sentences, newest first (track batches
   only when asked for). timelinePanel(c) -> {load(), add(event)}; c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { eventSentence } from "../lib/events.js";
import { fmtTimeSec } from "../lib/format.js";
import { t } from "../lib/i18n.js";

const PAGE = 1000;   // events per request; the newest first, older ones on demand
const SHOWN = 300;   // lines drawn at first, and more with each "older events"

export function timelinePanel(c) {
  let timeline = [];      // ascending seq: the loaded tail of the log
  let nextBefore = null;  // the ``before`` of the next older page, null when the whole log is loaded
  let shown = SHOWN;
  const showTracks = $("#show-tracks");
  const older = el("button", { type: "button", class: "btn btn-small btn-ghost tl-older" }, t("timeline.older"));
  older.addEventListener("click", showOlder);

  async function fetchPage(query) {
    const res = await api("GET", `/api/v1/searches/${c.searchId}/events?${query}&limit=${PAGE}`, null, { quiet: true });
    nextBefore = res.has_more ? res.next_before : null;
    return res.events;
  }

  /** The newest events (after 5,000 the log's oldest ones are not what a dispatcher wants to see first). */
  async function load() {
    try {
      timeline = await fetchPage("newest=1");
      shown = SHOWN;
    } catch (e) {
      toast(errorMessage(e), "error");
    }
    render();
  }

  async function showOlder() {
    shown += SHOWN;
    if (visible().length < shown && nextBefore !== null) {
      older.disabled = true;
      try {
        timeline = (await fetchPage(`before=${nextBefore}`)).concat(timeline);
      } catch (e) {
        toast(errorMessage(e), "error");
      } finally {
        older.disabled = false;
      }
    }
    render();
  }

  const visible = () => timeline.filter((ev) => showTracks.checked || ev.type !== "track.points");

  function render() {
    const list = clear($("#timeline"));
    const all = visible();
    const items = all.slice(-shown).reverse();
    for (const ev of items) {
      list.append(el("li", { class: "tl-item tl-" + ev.type.replace(/\./g, "-") },
        el("time", { datetime: ev.at }, fmtTimeSec(ev.at)),
        el("div", { class: "tl-body" },
          el("div", {}, el("strong", {}, ev.actor ? ev.actor.name : t("timeline.system")), " ", eventSentence(ev, c.st())),
          ev.device ? el("div", { class: "small muted" }, t("timeline.device", { device: ev.device })) : null)));
    }
    if (!items.length) list.append(el("li", { class: "muted" }, t("timeline.empty")));
    if (all.length > shown || nextBefore !== null) list.append(el("li", { class: "tl-more" }, older));
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
