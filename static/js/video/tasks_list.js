/* search-coord: the video panel's review tasks (a reviewer's own first; status, footage, the reviewed timeline) and
   the proposed cameras (by probability, and on the way between known points) with their footage's retention.
   tasksList(v, parts) -> {render()}; v is the panel's context (video/panel.js). */
import { api } from "../lib/api.js";
import { clear, el, toast } from "../lib/dom.js";
import { fmtDateTime, fmtTime, pct } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { FOOTAGE, TASK_STATUSES, fmtWindow, km, mins, timelineBar } from "./common.js";

function retentionBadge(r) {
  if (!r || r.status === "ok") {
    return r && r.expires_at ? el("div", { class: "small muted" }, t("retention.ok", { time: fmtDateTime(r.expires_at) })) : null;
  }
  if (r.status === "unknown") return el("div", { class: "small muted" }, t("retention.unknown"));
  return el("div", { class: "retention-flag retention-flag-" + r.status, role: r.status === "expiring" ? "alert" : null },
    "⚠ " + t("retention." + r.status, { time: r.expires_at ? fmtDateTime(r.expires_at) : "?" }));
}

export function tasksList(v, parts) {
  const button = (cls, label, onclick) => el("button", { type: "button", class: cls, onclick }, label);

  function renderTasks() {
    const list = clear(parts.tasks);
    const order = { in_progress: 0, open: 1, done: 2, cancelled: 3 };
    // a reviewer sees their own tasks (named for them, or for their team as a whole) first
    const me = user ? user.id : null;
    const myTeams = new Set(((v.state() && v.state().teams) || []).filter((tm) => tm.leader_id === me
      || (tm.member_ids || []).includes(me)).map((tm) => tm.id));
    const mine = (tk) => (!v.canDecide && (tk.reviewer_id === me || (!tk.reviewer_id && myTeams.has(tk.team_id))) ? 0 : 1);
    const tasks = v.data.tasks.slice().sort((a, b) => (mine(a) - mine(b)) || (order[a.status] - order[b.status]) || (a.id - b.id));
    v.panel.querySelector(".vp-count-tasks").textContent = tasks.length ? ` ${tasks.length}` : "";
    for (const tk of tasks) list.append(taskItem(tk));
    if (!tasks.length) list.append(el("li", { class: "muted" }, t("video.no_tasks")));
  }

  function taskItem(tk) {
    const cam = v.camById(tk.camera_id) || { id: tk.camera_id, code: tk.code, name: "" };
    const who = [tk.team_id ? v.teamLabel(tk.team_id) : "", tk.reviewer_id ? v.userName(tk.reviewer_id) : ""].filter(Boolean).join(" · ");
    const statusSel = el("select", { class: "vt-status", "aria-label": t("video.task_status") },
      TASK_STATUSES.map((s) => el("option", { value: s, selected: s === tk.status }, tEnum("task_status", s))));
    statusSel.addEventListener("change", () => patchTask(tk, { status: statusSel.value }));
    const footage = el("div", { class: "segmented footage", role: "radiogroup", "aria-label": t("video.footage") },
      FOOTAGE.map((f) => el("label", { class: "seg seg-footage-" + f },
        el("input", { type: "radio", name: "footage-" + tk.id, value: f, checked: tk.footage === f }),
        el("span", {}, tEnum("footage", f)))));
    footage.addEventListener("change", (e) => patchTask(tk, { footage: e.target.value }));
    const ticks = v.data.sightings.filter((s) => s.camera_id === tk.camera_id && (s.status === "pending" || s.status === "confirmed"));
    const closed = tk.status === "done" || tk.status === "cancelled";
    return el("li", { class: "list-item column vt-item vt-" + tk.status + " footage-" + tk.footage, dataset: { taskId: tk.id, cameraId: tk.camera_id } },
      el("div", { class: "row-between" },
        button("link-button strong left", `${tk.code || cam.code} · ${tk.camera_name || cam.name || ""}`, () => v.focusCamera(tk.camera_id)),
        statusSel),
      el("div", { class: "small" }, el("strong", {}, fmtWindow(tk.start, tk.end)), " ",
        el("span", { class: "muted" }, t("video.recorder_window", { w: fmtWindow(tk.recorder_start, tk.recorder_end, true) }))),
      el("div", { class: "small" + (who ? "" : " muted") }, who || t("video.unassigned")),
      // footage about to be overwritten matters until it has been received
      !closed && tk.footage !== "received" && tk.retention && (tk.retention.status === "expiring" || tk.retention.status === "expired")
        ? retentionBadge(tk.retention) : null,
      tk.notes ? el("div", { class: "small muted" }, tk.notes) : null,
      timelineBar(tk.start, tk.end, tk.reviewed, ticks),
      el("div", { class: "footage-row" }, el("span", { class: "small strong footage-label" }, t("video.footage")), footage),
      closed ? null : el("div", { class: "btn-row" },
        button("btn btn-small btn-primary vt-record", t("video.record_interval"), () => v.open.interval({ camera_id: tk.camera_id, task: tk })),
        button("btn btn-small vt-sighting", t("video.log_sighting"), () => v.open.sighting({ camera_id: tk.camera_id, task: tk })),
        v.canDecide ? button("btn btn-small btn-ghost", t("video.reassign"), () => v.open.assign(tk)) : null));
  }

  async function patchTask(tk, body) {
    try {
      const res = await api("PATCH", `${v.base}/tasks/${tk.id}`, body);
      if (res && res.id) { v.upsert(v.data.tasks, res); v.render(); }
      toast(t("video.task_saved"), "ok");
    } catch (e) { v.render(); /* shown; put the controls back */ }
  }

  function proposalItem(p) {
    const r = p.retention || { status: "unknown" };
    const task = p.task_id ? v.data.tasks.find((x) => x.id === p.task_id) : null;
    const route = p.kind === "route";
    const cam = () => v.camById(p.camera_id) || { id: p.camera_id, code: p.code, name: p.name };
    return el("li", { class: "list-item column vp-prop retention-" + r.status + (route ? " vp-prop-route" : ""), dataset: { cameraId: p.camera_id } },
      el("div", { class: "row-between" },
        el("span", {},
          el("span", { class: "vp-rank" }, String(p.rank)), " ",
          button("link-button strong", `${p.code} · ${p.name}`, () => v.focusCamera(p.camera_id))),
        route ? el("span", { class: "vp-detour", title: t("video.detour_title") }, t("video.detour", { d: km(p.detour_m) }))
          : el("span", { class: "vp-prob", title: t("video.probability") }, pct(p.probability))),
      route && p.leg ? el("div", { class: "small vp-leg-label" }, t("video.route_leg", {
        from: fmtTime(p.leg.from.time) + " " + (p.leg.from.code || t("video.route_start")),
        to: fmtTime(p.leg.to.time) + " " + (p.leg.to.code || ""),
      })) : null,
      el("div", { class: "small" }, km(p.distance_m), " · ", el("strong", {}, fmtWindow(p.start, p.end)), " ",
        el("span", { class: "muted" }, t("video.recorder_window", { w: fmtWindow(p.recorder_start, p.recorder_end, true) }))),
      retentionBadge(r),
      p.window_s ? el("div", { class: "small muted" }, t("video.reviewed_of", { done: mins(p.reviewed_s), total: mins(p.window_s), pct: Math.round(100 * (p.reviewed_s || 0) / p.window_s) })) : null,
      el("div", { class: "btn-row" },
        task ? el("span", { class: "badge vt-badge" }, t("video.has_task", { status: tEnum("task_status", task.status) }))
          : v.canDecide ? button("btn btn-small btn-primary vp-create-task", t("video.create_task"), () => v.open.task(cam(), p)) : null));
  }

  function renderProposals() {
    const list = clear(parts.proposals);
    const props = v.data.proposals.slice().sort((a, b) => a.rank - b.rank);
    v.panel.querySelector(".vp-count-proposals").textContent = props.length ? ` ${props.length}` : "";
    for (const p of props) list.append(proposalItem(p));
    if (!props.length) list.append(el("li", { class: "muted" }, t("video.no_proposals")));
    // cameras on the way between known points: how the route is found
    const route = (v.data.route_proposals || []).slice().sort((a, b) => a.rank - b.rank);
    const rl = clear(parts.route);
    const head = clear(parts.routeHead);
    head.hidden = !route.length;
    if (route.length) {
      head.append(el("h3", { class: "vp-h" }, t("video.route_proposals"), el("span", { class: "tab-count" }, ` ${route.length}`)),
        el("p", { class: "hint" }, t("video.route_hint")));
      for (const p of route) rl.append(proposalItem(p));
    }
  }

  return { render() { renderTasks(); renderProposals(); } };
}
