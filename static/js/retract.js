/* search-coord: retracting what was entered by mistake (issue 10 §4). A "Retract" button in the popup of a searched
   area or a clue, for dispatchers only; it asks for the reason, which stays in the log. The server leaves the
   retracted item out of every map and count; the maps follow the "*.retracted" events (live.js). DOM nodes only. */
(function () {
  "use strict";
  const SC = window.SC;
  const PATHS = { area: "searched-areas", clue: "clues" };

  /** A "Retract" button for searched area or clue ``id`` of search ``searchId``, or null when not a dispatcher. */
  SC.retractButton = function retractButton(kind, id, searchId) {
    if (!SC.isDispatcher || !PATHS[kind] || !searchId) return null;
    const btn = SC.el("button", { type: "button", class: "btn small danger retract-btn" }, SC.t("retract.button"));
    btn.addEventListener("click", async () => {
      const reason = window.prompt(SC.t("retract.reason_" + kind));
      if (reason === null) return;
      if (reason.trim().length < 3) { SC.toast(SC.t("retract.reason_short"), "error"); return; }
      btn.disabled = true;
      try {
        await SC.api("POST", `/api/v1/searches/${searchId}/${PATHS[kind]}/${id}/retract`, { reason: reason.trim() });
        SC.toast(SC.t("retract.done"), "ok");
      } catch (e) {
        btn.disabled = false;   // SC.api has shown the server's reason
      }
    });
    return btn;
  };
})();
