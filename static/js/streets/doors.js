/* search-coord: a door-to-door checklist (issue 14) — the addresses along an assignment with the answer at each
   (spoken to, no answer, searched with consent, refused). On the phone each tick goes through the outbox (kept
   until the server has it, once per client id); the desk reads the same list. Live: door.checked events.
   doorList({searchId, assignment, canTick}) -> {node, onEvent(ev), load()}. */
import { api, errorMessage } from "../lib/api.js";
import { clear, el, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { sendReport } from "../reports/outbox_view.js";

export const OUTCOMES = ["spoken", "no_answer", "searched_consent", "refused"];

export function doorList({ searchId, assignment, canTick }) {
  const url = `/api/v1/searches/${searchId}/assignments/${assignment.id}/doors`;
  const node = el("details", { class: "door-list", hidden: true, dataset: { assignment: String(assignment.id) } });
  const summary = el("summary", {}, t("doors.title"));
  const body = el("div", {});
  node.append(summary, body);
  let doors = null;
  const pending = new Map(); // address id -> outcome waiting in the outbox
  let reading = null; // the list's GET under way
  let again = false; // an answer came in while it was read (the GET may have been answered before it): read again

  function load() {
    if (reading) { again = true; return reading; }
    reading = api("GET", url, null, { quiet: true })
      .then((res) => { doors = res.doors; render(); })
      .catch(() => { /* offline: the list waits for the next load */ })
      .finally(() => { reading = null; if (again) { again = false; load(); } });
    return reading;
  }

  function counts() {
    const done = doors.filter((d) => d.check).length;
    return t("doors.count", { done, n: doors.length });
  }

  function render() {
    if (!doors) return;
    summary.textContent = `${t("doors.title")} · ${counts()}`;
    node.hidden = !doors.length;
    clear(body);
    body.append(el("ol", { class: "list door-rows" }, doors.map((d) => {
      const state = pending.get(d.id) || (d.check && d.check.outcome) || "";
      return el("li", { dataset: { address: String(d.id), outcome: state } },
        el("div", { class: "row-between" }, el("strong", {}, d.label + (d.unit ? ` · ${d.unit}` : "")),
          el("span", { class: "badge door-" + (state || "open") },
            state ? t("doors.outcome." + state) + (pending.has(d.id) ? " …" : "") : t("doors.open"))),
        canTick ? el("div", { class: "door-buttons" }, OUTCOMES.map((o) => el("button", {
          type: "button", class: "btn btn-small" + (state === o ? " btn-primary" : ""), dataset: { outcome: o },
          onclick: () => tick(d, o),
        }, t("doors.outcome." + o)))) : null,
        d.check && d.check.notes ? el("div", { class: "small" }, d.check.notes) : null);
    })));
  }

  async function tick(d, outcome) {
    pending.set(d.id, outcome);
    render();
    const res = await sendReport({ kind: "door", url, body: { address_id: d.id, outcome },
      label: `${t("doors.title")}: ${d.label} — ${t("doors.outcome." + outcome)}` });
    if (res.result === "failed") {
      pending.delete(d.id);
      toast(errorMessage(res.error), "error");
    } else if (res.result === "waiting") toast(t("outbox.queued"), "info");
    else { pending.delete(d.id); d.check = { outcome }; }
    render();
  }

  function onEvent(ev) {
    if (ev.type !== "door.checked" || ev.payload.assignment_id !== assignment.id) return;
    if (reading) again = true;
    if (!doors) return;
    const d = doors.find((x) => x.id === ev.payload.address_id);
    if (!d) return;
    pending.delete(d.id);
    d.check = { outcome: ev.payload.outcome, notes: ev.payload.notes, checked_by_name: ev.actor && ev.actor.name };
    render();
  }

  load();
  return { node, onEvent, load, doors: () => doors };
}
