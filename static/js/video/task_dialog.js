/* search-coord: the dialog that creates a review task for a camera (its window in true time, a video team, a
   reviewer) or reassigns one. taskDialog(v) -> {create(camera, proposal?), assign(task)}; v is the panel's context
   (video/panel.js). */
import { api } from "../lib/api.js";
import { el, fillSelect, toast } from "../lib/dom.js";
import { localInputToIso } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { dialog, field, fmtWindow, resetForm, showErrors, toLocalInputSec } from "./common.js";

export function taskDialog(v) {
  const id = "vtask-dialog";
  const teamSel = el("select", { id: id + "-team", name: "team_id" });
  const revSel = el("select", { id: id + "-reviewer", name: "reviewer_id" });
  const body = el("div", {},
    el("p", { class: "vtask-camera strong" }),
    el("div", { class: "row" },
      field("start", t("video.start_true"), el("input", { id: id + "-start", name: "start", type: "datetime-local", step: 1 })),
      field("end", t("video.end_true"), el("input", { id: id + "-end", name: "end", type: "datetime-local", step: 1 }))),
    el("p", { class: "hint vtask-recorder" }),
    el("div", { class: "row" }, field("team_id", t("video.team"), teamSel), field("reviewer_id", t("video.reviewer"), revSel)),
    field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000 })));
  const dlg = dialog(id, t("video.task_title"), body, t("video.create_task"));
  const form = dlg.querySelector("form");
  let ctx = null;

  const videoTeams = () => (v.state() ? v.state().teams.filter((tm) => !tm.disbanded && tm.kind === "video_review") : []);
  const members = () => (v.state() ? v.state().members : []);
  function fillReviewers() {
    const team = videoTeams().find((tm) => String(tm.id) === teamSel.value) || null;
    let people;
    if (team) people = [team.leader_id, ...team.member_ids].filter((x, i, a) => x && a.indexOf(x) === i);
    else {
      const vt = new Set(videoTeams().flatMap((tm) => [tm.leader_id, ...tm.member_ids]));
      people = members().filter((u) => u.role === "officer").map((u) => u.id).sort((a, b) => (vt.has(b) ? 1 : 0) - (vt.has(a) ? 1 : 0));
    }
    fillSelect(revSel, people.map((uid) => [uid, v.userName(uid)]), { blank: t("video.any_reviewer") });
  }
  teamSel.addEventListener("change", fillReviewers);
  const fillTeams = (teams) => fillSelect(teamSel, teams.map((tm) => [tm.id, v.teamLabel(tm.id)]), { blank: t("video.no_team") });

  function create(cam, proposal) {
    resetForm(form);
    ctx = { mode: "create", cam, task: null };
    dlg.querySelector("h2").textContent = t("video.task_title");
    form.querySelector("button[type=submit]").textContent = t("video.create_task");
    form.querySelector(".vtask-camera").textContent = `${cam.code} · ${cam.name || ""}`;
    const now = new Date();
    const start = proposal ? new Date(proposal.start) : new Date(now.getTime() - 3600e3);
    const end = proposal ? new Date(proposal.end) : now;
    form.elements.start.value = toLocalInputSec(start);
    form.elements.end.value = toLocalInputSec(end);
    form.elements.start.closest(".row").hidden = false;
    form.querySelector(".vtask-recorder").textContent = proposal ? t("video.recorder_window", { w: fmtWindow(proposal.recorder_start, proposal.recorder_end, true) }) : "";
    const teams = videoTeams();
    fillTeams(teams);
    if (teams.length) teamSel.value = String(teams[0].id);
    fillReviewers();
    dlg.showModal();
  }

  function assign(tk) {
    resetForm(form);
    ctx = { mode: "assign", task: tk };
    dlg.querySelector("h2").textContent = t("video.reassign_title", { code: tk.code || "" });
    form.querySelector("button[type=submit]").textContent = t("action.save");
    form.querySelector(".vtask-camera").textContent = `${tk.code || ""} · ${fmtWindow(tk.start, tk.end)}`;
    form.elements.start.closest(".row").hidden = true;
    form.querySelector(".vtask-recorder").textContent = "";
    fillTeams(videoTeams());
    teamSel.value = tk.team_id ? String(tk.team_id) : "";
    fillReviewers();
    revSel.value = tk.reviewer_id ? String(tk.reviewer_id) : "";
    form.elements.notes.value = tk.notes || "";
    dlg.showModal();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = form.elements;
    const sent = {};
    sent.team_id = f.team_id.value ? parseInt(f.team_id.value, 10) : null;
    sent.reviewer_id = f.reviewer_id.value ? parseInt(f.reviewer_id.value, 10) : null;
    const notes = f.notes.value.trim();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      if (ctx.mode === "create") {
        sent.camera_id = ctx.cam.id;
        sent.start = localInputToIso(f.start.value);
        sent.end = localInputToIso(f.end.value);
        if (sent.team_id === null) delete sent.team_id;
        if (sent.reviewer_id === null) delete sent.reviewer_id;
        if (notes) sent.notes = notes;
        await api("POST", `${v.base}/tasks`, sent, { quiet: true });
        toast(t("video.task_created"), "ok");
      } else {
        sent.notes = notes || null;
        await api("PATCH", `${v.base}/tasks/${ctx.task.id}`, sent, { quiet: true });
        toast(t("video.task_saved"), "ok");
      }
      dlg.close("ok");
      v.loadSoon(0);
    } catch (err) {
      showErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });

  return { create, assign };
}
