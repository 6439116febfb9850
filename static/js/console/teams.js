/* search-coord: the console's Teams panel — the teams with their leader, members and assignments; the new-team
   form. teamsPanel(c) -> {render()}; c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, $$, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";
import { teamTitle } from "../lib/people.js";

export function teamsPanel(c) {
  function render() {
    const list = clear($("#team-list"));
    const teams = c.st().teams.filter((tm) => !tm.disbanded);
    $("#count-teams").textContent = teams.length ? ` ${teams.length}` : "";
    for (const tm of teams) {
      const assigned = c.st().assignments.filter((a) => a.team_id === tm.id);
      list.append(el("li", { class: "list-item column" },
        el("div", {}, el("strong", {}, teamTitle(tm)), " ",
          el("span", { class: "badge" }, tEnum("team_kind", tm.kind))),
        el("div", { class: "small" }, t("teams.leader") + ": " + (tm.leader_id ? c.userName(tm.leader_id) : "—")),
        el("div", { class: "small" }, t("teams.members") + ": " + (tm.member_ids.map(c.userName).join(t("list.sep")) || "—")),
        el("div", { class: "small muted" }, t("teams.assignment_count", { n: assigned.length }))));
    }
    if (!teams.length) list.append(el("li", { class: "muted" }, t("teams.none")));
    fillSelect($("#a-team"), teams.map((tm) => [tm.id, teamTitle(tm)]), { blank: t("assignment.no_team") });
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
