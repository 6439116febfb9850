/* search-coord: the phone's street blocks (issue 14) — the blocks of the officer's street assignments drawn on the
   map by status and listed under "my team" (radio names, not searched / partly / searched), turning green as the
   server matches the officer's track to them (streets.covered, live). streetsOnPhone({live, map, searchId, teamIds}). */
import { api } from "../lib/api.js";
import { $, clear, el } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { debug } from "../lib/debug.js";
import { applyCovered, blockLabel, drawBlocks } from "./blocks.js";
import { doorList } from "./doors.js";

export function streetsOnPhone({ live, map, searchId, teamIds }) {
  const group = L.layerGroup().addTo(map);
  const box = el("div", { id: "my-street-blocks", class: "street-blocks", hidden: true });
  const anchor = $("#my-assignments");
  if (anchor) anchor.after(box);
  const doorBox = el("div", { id: "my-doors", class: "door-lists" });
  box.after(doorBox);
  const doorLists = new Map(); // assignment id -> doorList: the addresses along each of my active assignments
  let state = null;
  let mine = [];
  let loading = null;

  function load() {
    if (loading) return loading;
    loading = api("GET", `/api/v1/searches/${searchId}/streets`, null, { quiet: true })
      .then((s) => { state = s; render(); if (s.hint === "building") setTimeout(load, 5000); })
      .catch(() => {})
      .finally(() => { loading = null; });
    return loading;
  }

  function renderDoors() {
    const teams = new Set(teamIds(live.state || {}));
    const active = ((live.state && live.state.assignments) || [])
      .filter((a) => a.team_id && teams.has(a.team_id) && ["assigned", "in_progress"].includes(a.status));
    const ids = new Set(active.map((a) => a.id));
    for (const [id, list] of doorLists) if (!ids.has(id)) { list.node.remove(); doorLists.delete(id); }
    for (const a of active) {
      if (doorLists.has(a.id)) continue;
      const list = doorList({ searchId, assignment: a, canTick: true });
      doorLists.set(a.id, list);
      doorBox.append(list.node);
    }
  }

  function render() {
    renderDoors();
    const teams = new Set(teamIds(live.state || {}));
    const wanted = new Set();
    for (const a of (state && state.assignments) || []) {
      if (a.team_id && teams.has(a.team_id) && ["assigned", "in_progress"].includes(a.status)) a.blocks.forEach((i) => wanted.add(i));
    }
    mine = ((state && state.blocks) || []).filter((b) => wanted.has(b.index));
    drawBlocks(group, mine);
    clear(box);
    box.hidden = !mine.length;
    if (!mine.length) return;
    const order = new Map();
    for (const a of state.assignments) a.blocks.forEach((i, n) => { if (!order.has(i)) order.set(i, n); });
    mine.sort((x, y) => order.get(x.index) - order.get(y.index));
    box.append(el("h3", {}, t("streets.my_blocks")),
      el("ol", { class: "list street-block-list" }, mine.map((b) => el("li", { dataset: { block: String(b.index), status: b.status } },
        el("span", { class: "badge streets-" + b.status }, t("streets.status." + b.status)), " ", blockLabel(b)))));
  }

  live.on((kind, ev) => {
    if (kind === "reset") { load(); for (const list of doorLists.values()) list.load(); return; } // missed answers
    if (kind !== "event") return;
    if (ev.type === "door.checked") { for (const list of doorLists.values()) list.onEvent(ev); return; }
    if (ev.type === "streets.covered" && state && state.layer && ev.payload.layer_id === state.layer.id) {
      if (applyCovered(state.blocks, ev.payload).length) render();
    } else if (ev.type.startsWith("assignment.") || ev.type.startsWith("team.")) {
      load();
    }
  });
  load();
  const view = { load, blocks: () => mine, doors: (id) => doorLists.get(id), drawn: () => group.drawnStatus || {} };
  debug.streets = view;
  return view;
}
