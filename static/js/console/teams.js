/* search-coord: the console's Teams panel — the teams with their leader, members and assignments, each editable
   in place (name, call sign, leader, members, disband) with the version it was opened from (a 409 shows what another
   dispatcher changed and keeps what was typed); the new-team form. teamsPanel(c) -> {render()}; c is the console's
   context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, $$, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";
import { teamTitle } from "../lib/people.js";

export function teamsPanel(c) {
  function render() {
    // a live redraw keeps the team being edited as it is (what was typed stays)
    const keep = editing && !editing.rebuild ? $(`#team-list li.editing[data-team-id="${editing.id}"]`) : null;
    if (editing) editing.rebuild = false;
    const list = clear($("#team-list"));
    const teams = c.st().teams.filter((tm) => !tm.disbanded);
    $("#count-teams").textContent = teams.length ? ` ${teams.length}` : "";
    for (const tm of teams) {
      const assigned = c.st().assignments.filter((a) => a.team_id === tm.id);
      if (editing && editing.id === tm.id) { list.append(keep || editItem(tm)); continue; }
      list.append(el("li", { class: "list-item column", dataset: { teamId: tm.id } },
        el("button", { type: "button", class: "btn btn-small btn-ghost team-edit", onclick: () => { editing = { id: tm.id, base: tm, rebuild: true }; render(); } }, t("teams.edit")),
        el("div", {}, el("strong", {}, teamTitle(tm)), " ",
          el("span", { class: "badge" }, tEnum("team_kind", tm.kind))),
        el("div", { class: "small" }, t("teams.leader") + ": " + (tm.leader_id ? c.userName(tm.leader_id) : "—")),
        el("div", { class: "small" }, t("teams.members") + ": " + (tm.member_ids.map(c.userName).join(t("list.sep")) || "—")),
        el("div", { class: "small muted" }, t("teams.assignment_count", { n: assigned.length }))));
    }
    if (!teams.length) list.append(el("li", { class: "muted" }, t("teams.none")));
    fillSelect($("#a-team"), teams.map((tm) => [tm.id, teamTitle(tm)]), { blank: t("assignment.no_team") });
  }

  let editing = null;   // {id, base: the team as the form was opened, note: a conflict's text}

  /** The team's row as a form: name, call sign, leader, members; Save sends only what changed, with the version. */
  function editItem(tm) {
    const base = editing.base;              // what the server has (the diff and the version)
    const shown = editing.shown || base;    // what the inputs show (after a 409: what was typed)
    const officers = c.st().members.filter((u) => u.role === "officer");
    const name = el("input", { name: "name", maxlength: 80, value: shown.name });
    const callsign = el("input", { name: "callsign", maxlength: 40, value: shown.callsign || "" });
    const leader = el("select", { name: "leader_id" });
    fillSelect(leader, officers.map((u) => [u.id, u.display_name]), { blank: t("teams.no_leader"), selected: shown.leader_id || "" });
    const boxes = officers.map((u) => {
      const box = el("input", { type: "checkbox", value: u.id });
      box.checked = shown.member_ids.includes(u.id);
      return el("label", { class: "check" }, box, el("span", {}, u.display_name));
    });
    const form = el("form", { class: "form team-edit-form", novalidate: true },
      editing.note ? el("p", { class: "overlap-warning", role: "alert" }, editing.note) : null,
      el("div", { class: "row" },
        el("div", { class: "field", "data-field": "name" }, el("label", {}, t("teams.name"), name)),
        el("div", { class: "field", "data-field": "callsign" }, el("label", {}, t("teams.callsign"), callsign))),
      el("div", { class: "field", "data-field": "leader_id" }, el("label", {}, t("teams.leader"), leader)),
      el("fieldset", { class: "field", "data-field": "member_ids" }, el("legend", {}, t("teams.members")), el("div", { class: "checks" }, boxes)),
      el("div", { class: "btn-row" },
        el("button", { type: "submit", class: "btn btn-small btn-primary" }, t("action.save")),
        el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => { editing = null; render(); } }, t("action.cancel")),
        el("button", { type: "button", class: "btn btn-small btn-danger", onclick: () => disband(tm) }, t("teams.disband"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const typed = { name: name.value.trim(), callsign: callsign.value.trim() || null,
        leader_id: leader.value ? parseInt(leader.value, 10) : null,
        member_ids: boxes.map((l) => l.querySelector("input")).filter((x) => x.checked).map((x) => parseInt(x.value, 10)).sort((a, b) => a - b) };
      const body = { version: base.version };
      for (const k of Object.keys(typed)) if (JSON.stringify(typed[k]) !== JSON.stringify(k === "member_ids" ? base[k].slice().sort((a, b) => a - b) : base[k] ?? null)) body[k] = typed[k];
      if (body.callsign === null) body.callsign = "";
      if (Object.keys(body).length === 1) { editing = null; render(); return; }
      try {
        await api("PATCH", `/api/v1/searches/${c.searchId}/teams/${tm.id}`, body, { quiet: true });
        editing = null;
        toast(t("teams.saved"), "ok");
        render();
      } catch (err) {
        if (err.status === 409 && err.data.current) {
          // another dispatcher changed the team: show theirs, keep what was typed, save again from their version
          const cur = err.data.current;
          editing = { id: tm.id, base: cur, shown: { ...cur, ...Object.fromEntries(Object.keys(body).filter((k) => k !== "version").map((k) => [k, typed[k]])) },
            note: t("teams.conflict", { name: cur.name, callsign: cur.callsign || "—", leader: cur.leader_id ? c.userName(cur.leader_id) : "—",
              members: cur.member_ids.map(c.userName).join(t("list.sep")) || "—" }), rebuild: true };
          render();
        } else if (err.status === 400 && err.data.errors) showFieldErrors(form, err.data.errors);
        else toast(errorMessage(err), "error");
      }
    });
    return el("li", { class: "list-item column editing", dataset: { teamId: tm.id } }, el("strong", {}, teamTitle(tm)), form);
  }

  async function disband(tm) {
    if (!window.confirm(t("teams.confirm_disband", { name: teamTitle(tm) }))) return;
    try {
      await api("PATCH", `/api/v1/searches/${c.searchId}/teams/${tm.id}`, { disbanded: true, version: editing ? editing.base.version : tm.version });
      editing = null;
      toast(t("teams.disbanded"), "ok");
      render();
    } catch (e) { /* shown */ }
  }

  $("#new-team").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const body = {
      name: form.elements.name.value.trim(),
      kind: form.elements.kind.value,
      member_ids: $$("input[name=member_ids]:checked", form).map((x) => parseInt(x.value, 10)),
    };
    const cs = form.elements.callsign.value.trim();
    if (cs) body.callsign = cs;
    if (form.elements.leader_id.value) body.leader_id = parseInt(form.elements.leader_id.value, 10);
    try {
      await api("POST", `/api/v1/searches/${c.searchId}/teams`, body, { quiet: true });
      form.reset();
      $$("input[name=member_ids]", form).forEach((x) => { x.checked = false; });
      showFieldErrors(form, {});
      $("#team-form-box").open = false;
      toast(t("teams.created"), "ok");
    } catch (err) {
      if (err.status === 400 && err.data.errors) showFieldErrors(form, err.data.errors);
      else toast(errorMessage(err), "error");
    }
  });

  return { render };
}
