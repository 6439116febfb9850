/* search-coord: the console's head — the subject's name and facts, the missing-for clock, the actions on the
   search (broadcast, clue, FOUND, suspend/reopen/close) and the FOUND banner — and the Subject panel.
   searchHead(c, edit) -> {render(), renderSubject()}; c is the console's context (pages/console.js), edit the
   edit form (console/edit_form.js). */
import { api } from "../lib/api.js";
import { $, clear, el, toast } from "../lib/dom.js";
import { fmtCoord, fmtDateTime, fmtSince } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { pointLatLng } from "../map/base.js";
import { askText } from "../reports/dialogs.js";

export function searchHead(c, edit) {
  function render() {
    const s = c.st().search;
    const subj = s.subject || {};
    $("#head-name").textContent = subj.name || s.title || "#" + s.id;
    document.title = `${subj.name || s.title} · ${t("console.title")} · search-coord`;
    const facts = clear($("#head-facts"));
    if (subj.age !== null && subj.age !== undefined) facts.append(el("span", { class: "fact" }, t("subject.age_n", { n: subj.age })));
    if (subj.sex && subj.sex !== "unknown") facts.append(el("span", { class: "fact" }, tEnum("sex", subj.sex)));
    if (subj.category) facts.append(el("span", { class: "fact" }, tEnum("category", subj.category)));
    facts.append(el("span", { class: "badge risk-" + s.risk }, t("search.risk_is", { risk: tEnum("risk_level", s.risk) })));
    facts.append(el("span", { class: "badge status-" + s.status }, tEnum("sstatus", s.status)));
    renderClock();
    renderActions();
    renderFoundBanner();
  }

  function renderClock() {
    const s = c.st() && c.st().search;
    if (!s) return;
    const box = clear($("#head-clock"));
    const end = s.found ? new Date(s.found.time).getTime() : (s.closed_at ? new Date(s.closed_at).getTime() : Date.now());
    box.append(el("span", { class: "clock-label" }, s.found ? t("console.missing_for_found") : t("console.missing_for")),
      el("strong", { class: "clock-value" }, fmtSince(s.missing_since || s.lkp_time, end)),
      el("span", { class: "clock-sub" }, t("console.last_seen_at", { time: fmtDateTime(s.lkp_time) })));
  }
  setInterval(renderClock, 15000);

  function renderFoundBanner() {
    const s = c.st().search;
    const banner = $("#found-banner");
    if (s.found) {
      banner.hidden = false;
      clear(banner).append(
        el("strong", { class: "found-title" }, t("found.banner_title")),
        el("span", {}, t("found.banner_text", {
          condition: tEnum("condition", s.found.condition), time: fmtDateTime(s.found.time), name: c.userName(s.found.reported_by),
        })),
        s.found.notes ? el("span", { class: "found-notes" }, s.found.notes) : null,
        el("button", { type: "button", class: "btn btn-small", onclick: () => {
          const ll = pointLatLng(s.found.location);
          if (ll) c.map.setView(ll, 18);
        } }, t("found.show_on_map")));
    } else {
      banner.hidden = true;
    }
    document.body.classList.toggle("is-found", !!s.found);
  }

  function renderActions() {
    const s = c.st().search;
    const box = clear($("#head-actions"));
    if (s.status !== "closed") {
      box.append(el("button", { type: "button", class: "btn btn-broadcast", onclick: () => c.openBroadcast() }, t("action.broadcast")));
      box.append(el("button", { type: "button", class: "btn", onclick: () => c.clueDialog.open() }, t("action.log_clue")));
    }
    if (s.status === "open" || s.status === "suspended") {
      box.append(el("button", { type: "button", class: "btn btn-found", onclick: () => c.foundDialog.open() }, t("action.mark_found")));
    }
    if (s.status === "open") box.append(statusButton("suspended", "action.suspend"));
    if (s.status === "suspended") box.append(statusButton("open", "action.reopen"));
    if (s.status !== "closed") box.append(statusButton("closed", "action.close", "btn-danger"));
  }

  function statusButton(to, label, cls) {
    return el("button", {
      type: "button", class: "btn " + (cls || ""),
      onclick: async () => {
        const reason = await askText(t("status.dialog_title_" + to), t("status.reason"), {
          required: to !== "open", submitLabel: t(label), submitClass: cls === "btn-danger" ? "btn-danger" : "btn-primary",
        });
        if (reason === null) return;
        try {
          const body = { status: to };
          if (reason) body.reason = reason;
          await api("POST", `/api/v1/searches/${c.searchId}/status`, body);
          toast(t("status.saved", { to: tEnum("sstatus", to) }), "ok");
        } catch (e) { /* shown */ }
      },
    }, t(label));
  }

  /* ---- the Subject panel ---------------------------------------------------------------------------------- */
  function renderSubject() {
    const s = c.st().search;
    const subj = s.subject || {};
    const box = clear($("#subject-details"));
    const dl = el("dl", { class: "facts" });
    const add = (label, value) => { if (value !== null && value !== undefined && value !== "") dl.append(el("dt", {}, label), el("dd", {}, value)); };
    add(t("subject.name"), subj.name);
    add(t("subject.age"), subj.age);
    add(t("subject.sex"), tEnum("sex", subj.sex));
    add(t("subject.category"), tEnum("category", subj.category));
    add(t("subject.description"), subj.description);
    add(t("subject.clothing"), subj.clothing);
    add(t("subject.medical"), subj.medical);
    add(t("new.medications"), (subj.medications || []).map((m) => `${m.name} ${m.due}`).join(t("list.sep")));
    add(t("new.lkp_time"), fmtDateTime(s.lkp_time));
    add(t("new.lkp_address"), s.lkp_address);
    if (s.lkp) add(t("map.lkp"), fmtCoord(s.lkp.coordinates[0], s.lkp.coordinates[1]));
    add(t("new.terrain"), tEnum("terrain", s.terrain));
    add(t("search.risk"), tEnum("risk_level", s.risk));
    add(t("search.risk_reasons"), (s.risk_reasons || []).map((r) => tEnum("reason", r)).join(t("list.sep")));
    add(t("search.notes"), s.notes);
    add(t("search.opened_at"), fmtDateTime(s.opened_at));
    if (subj.photo_id) {
      box.append(el("img", { class: "subject-photo", src: `/api/v1/photos/${subj.photo_id}`, alt: t("subject.photo_of", { name: subj.name }) }));
    }
    box.append(dl);
    edit.follow(s);
  }

  return { render, renderSubject };
}
