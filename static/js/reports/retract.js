/* search-coord: retracting what was entered by mistake (issue 10 §4). A "Retract" button in the popup of a searched
   area or a clue, for dispatchers only; it asks for the reason, which stays in the log. The server leaves the
   retracted item out of every map and count; the maps follow the "*.retracted" events (live.js). DOM nodes only. */
import { api } from "../lib/api.js";
import { el, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { isDispatcher } from "../lib/page.js";

const PATHS = { area: "searched-areas", clue: "clues" };

/** A "Retract" button for searched area or clue ``id`` of search ``searchId``, or null when not a dispatcher. */
export function retractButton(kind, id, searchId) {
  if (!isDispatcher || !PATHS[kind] || !searchId) return null;
  const btn = el("button", { type: "button", class: "btn small danger retract-btn" }, t("retract.button"));
  btn.addEventListener("click", async () => {
    const reason = window.prompt(t("retract.reason_" + kind));
    if (reason === null) return;
    if (reason.trim().length < 3) { toast(t("retract.reason_short"), "error"); return; }
    btn.disabled = true;
    try {
      await api("POST", `/api/v1/searches/${searchId}/${PATHS[kind]}/${id}/retract`, { reason: reason.trim() });
      toast(t("retract.done"), "ok");
    } catch (e) {
      btn.disabled = false;   // api has shown the server's reason
    }
  });
  return btn;
}
