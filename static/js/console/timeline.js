/* search-coord: the console's Timeline panel — the search's event log as sentences, newest first (track batches
   only when asked for). timelinePanel(c) -> {load(), add(event)}; c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { deviceNamer, paperLinks, recordFilters, recordItem, segmentNames } from "./log_record.js";

const PAGE = 1000;   // events per request; the newest first, older ones on demand
const SHOWN = 300;   // lines drawn at first, and more with each "older events"

export function timelinePanel(c) {
  let timeline = [];      // ascending seq: the loaded tail of the log
  let nextBefore = null;  // the ``before`` of the next older page, null when the whole log is loaded
  let shown = SHOWN;
  const showTracks = $("#show-tracks");
  const older = el("button", { type: "button", class: "btn btn-small btn-ghost tl-older" }, t("timeline.older"));
  older.addEventListener("click", showOlder);
  // the log as a record (log_record.js): dated lines, devices named, filters, the paper and the files
  const filters = recordFilters(() => render());
  const segs = segmentNames(c.searchId, api);
  const ctx = { deviceName: deviceNamer(), segName: segs.get };
  $("#timeline").before(paperLinks(c.searchId), filters.node);
  let people = "";

  async function fetchPage(query) {
    const res = await api("GET", `/api/v1/searches/${c.searchId}/events?${query}&limit=${PAGE}`, null, { quiet: true });
    nextBefore = res.has_more ? res.next_before : null;
    return res.events;
  }

  /** The newest events (after 5,000 the log's oldest ones are not what a dispatcher wants to see first). */
  async function load() {
    try {
      [timeline] = await Promise.all([fetchPage("newest=1"), segs.load()]);
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

  const visible = () => timeline.filter((ev) => (showTracks.checked || ev.type !== "track.points") && filters.matches(ev));

  function render() {
    const list = clear($("#timeline"));
    const st = c.st() || {};
    const sig = (st.teams || []).map((x) => x.id + x.name).join() + "|" + (st.members || []).map((u) => u.id).join();
    if (sig !== people) { people = sig; filters.refresh(st); }
    const all = visible();
    const items = all.slice(-shown).reverse();
    for (const ev of items) {
      list.append(recordItem(ev, st, ctx));
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
    const names = segs.seen(ev);
    if (names && /^segment|^video\.blind_spot/.test(ev.type)) names.then(() => render());
    if ((ev.type !== "track.points" || showTracks.checked) && !frame) {
      frame = requestAnimationFrame(() => { frame = 0; render(); });
    }
  }

  return { load, add };
}
