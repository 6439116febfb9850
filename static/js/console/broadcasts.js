/* search-coord: the console's Broadcasts panel — send one (its dialog), and for each who has acknowledged it and
   who has not; the dispatcher acknowledges their own through the outbox.
   broadcastsPanel(c) -> {open(), load()}; c is the console's context (pages/console.js). */
import { api } from "../lib/api.js";
import { broadcastText } from "../lib/alerts.js";
import { $, clear, el, showFieldErrors, toast } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { showErrors } from "../reports/dialogs.js";
import { sendReport } from "../reports/outbox_view.js";

export function broadcastsPanel(c) {
  const dlg = $("#broadcast-dialog");
  const form = dlg.querySelector("form");
  let broadcasts = [];
  let loading = null;
  let again = false;

  function open() {
    form.reset();
    showFieldErrors(form, {});
    clear(form.querySelector(".form-errors"));
    dlg.showModal();
    $("#b-text").focus();
  }
  $("#broadcast-btn-2").addEventListener("click", open);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { kind: $("#b-kind").value, text: $("#b-text").value.trim() };
    if (!body.text) { showFieldErrors(form, { text: t("form.required") }); return; }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await api("POST", `/api/v1/searches/${c.searchId}/broadcasts`, body, { quiet: true });
      dlg.close("ok");
      toast(t("broadcast.sent"), "ok");
      c.showTab("broadcasts");
      load();
    } catch (err) {
      showErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });

  /** Fetch the list again (coalesced: one request at a time, one more if asked meanwhile). */
  async function load() {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      try {
        broadcasts = await api("GET", `/api/v1/searches/${c.searchId}/broadcasts`, null, { quiet: true });
        render();
      } catch (e) { /* kept as it was; the next event fetches again */ }
    })();
    await loading;
    loading = null;
    if (again) { again = false; load(); }
  }

  const people = (list, text) => list.flatMap((p, i) => [i ? t("list.sep") : "",
    el("span", { class: "bc-person", dataset: { userId: p.user_id } }, text(p))]);

  function item(b, meId) {
    const red = b.kind === "found" || b.kind === "stand_down";
    const mePending = b.pending.some((p) => p.user_id === meId);
    return el("li", { class: "list-item column bc-item" + (red ? " bc-item-red" : "") + (b.pending.length ? " bc-open" : " bc-done"), dataset: { id: b.id } },
      el("div", { class: "row-between" },
        el("span", {}, el("span", { class: "badge bkind-" + b.kind }, tEnum("bkind", b.kind)), " ",
          el("span", { class: "small muted" }, t("broadcast.by", { time: fmtTime(b.sent_at), name: c.userName(b.sent_by) }))),
        mePending ? el("button", { type: "button", class: "btn btn-small btn-primary", onclick: (e) => {
          e.currentTarget.disabled = true;
          sendReport({ kind: "ack", url: `/api/v1/searches/${c.searchId}/broadcasts/${b.id}/ack`, body: {}, noClientId: true })
            .then(() => load());
        } }, t("broadcast.ack")) : null),
      el("p", { class: "bc-item-text" }, broadcastText(b)),
      b.pending.length
        ? el("div", { class: "small bc-pending" }, el("strong", {}, t("broadcast.pending", { n: b.pending.length }) + " "),
          people(b.pending, (p) => p.name))
        : el("div", { class: "small bc-all" }, t("broadcast.everyone_acked")),
      b.acked.length
        ? el("div", { class: "small bc-acked" }, el("strong", {}, t("broadcast.acked", { n: b.acked.length }) + " "),
          people(b.acked, (a) => a.name + " " + fmtTime(a.at)))
        : null);
  }

  function render() {
    const list = clear($("#broadcast-list"));
    const openCount = broadcasts.filter((b) => b.pending.length).length;
    $("#count-broadcasts").textContent = broadcasts.length ? ` ${openCount}/${broadcasts.length}` : "";
    $("#tab-broadcasts").classList.toggle("has-open", openCount > 0);
    const meId = user ? user.id : null;
    for (const b of broadcasts.slice().reverse()) list.append(item(b, meId));
    if (!broadcasts.length) list.append(el("li", { class: "muted" }, t("broadcast.none")));
  }

  return { open, load };
}
