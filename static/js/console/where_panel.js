/* search-coord: the console's "where to look" (map/where.js: probability rings, segments, suggestions), with
   marking an area searched sent through the outbox like the other reports. startWhere(c) -> {onEvent(ev)}. */
import { api, errorMessage } from "../lib/api.js";
import { $, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { initWhere } from "../map/where.js";
import { outbox } from "../reports/outbox.js";
import { sendReport } from "../reports/outbox_view.js";

export function startWhere(c) {
  const teams = () => new Map((c.st() ? c.st().teams : []).map((tm) => [tm.id, tm]));
  const whereApi = (method, url, body) => {
    // marking an area searched is a report like the others: kept in the outbox until the server has it
    if (method === "POST" && /\/searched-areas$/.test(url) && outbox) {
      return sendReport({ kind: "area", url, body }).then((res) => {
        if (res.result === "failed") toast(errorMessage(res.error), "error");
        else if (res.result === "waiting") toast(t("outbox.queued"), "info");
        return null;
      });
    }
    return api(method, url, body).catch(() => null);
  };
  const where = initWhere({
    map: c.map, searchId: c.searchId, panel: $("#where-panel"), api: whereApi, t, canEdit: true, teams,
    notify: (msg) => toast(msg, "info"), visible: $("#show-where").checked,
  });
  // not shown: the layers are off the map (nothing of them redrawn on a pan or a batch), not only hidden
  document.body.classList.toggle("where-hidden", !$("#show-where").checked);
  $("#show-where").addEventListener("change", (e) => {
    document.body.classList.toggle("where-hidden", !e.target.checked);
    where.show(e.target.checked);
  });
  return where;
}
