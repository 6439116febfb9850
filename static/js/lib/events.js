/* search-coord: one event of the log as a sentence in the page's language. */
import { fmtTime } from "./format.js";
import { broadcastText } from "./alerts.js";
import { t, tEnum } from "./i18n.js";

/** A human sentence for one event of the log, translated. */
export function eventSentence(ev, state) {
  const p = ev.payload || {};
  const name = (uid) => {
    const m = state && (state.members || []).find((u) => u.id === uid);
    return m ? m.display_name : t("map.user_n", { id: uid });
  };
  const team = (tid) => {
    const x = state && (state.teams || []).find((tm) => tm.id === tid);
    return x ? x.name : "";
  };
  switch (ev.type) {
    case "search.opened": return t("ev.search.opened", { name: p.search && p.search.subject ? p.search.subject.name : "" });
    case "search.updated": {
      const fields = Object.keys(p.changes || {}).map((k) => tEnum("fieldname", k)).join(t("list.sep"));
      return t("ev.search.updated", { fields });
    }
    case "search.status_changed":
      return t("ev.search.status_changed", { from: tEnum("sstatus", p.from), to: tEnum("sstatus", p.to) })
        + (p.reason ? " — " + p.reason : "");
    case "search.found":
      return t("ev.search.found", { condition: tEnum("condition", p.found && p.found.condition) })
        + (p.found && p.found.notes ? " — " + p.found.notes : "");
    case "member.added": return t("ev.member.added", { name: p.user ? p.user.display_name : "" });
    case "member.removed": return t("ev.member.removed", { name: name(p.user_id) });
    case "team.created": return t("ev.team.created", { name: p.team ? p.team.name : "", kind: tEnum("team_kind", p.team && p.team.kind) });
    case "team.updated": return t("ev.team.updated", { name: p.team ? p.team.name : "" });
    case "assignment.created":
      return t("ev.assignment.created", { title: p.assignment ? p.assignment.title : "", team: p.assignment ? team(p.assignment.team_id) || t("assignment.no_team") : "" });
    case "assignment.updated": return t("ev.assignment.updated", { title: p.assignment ? p.assignment.title : "" });
    case "assignment.status_changed":
      return t("ev.assignment.status_changed", {
        title: p.assignment ? p.assignment.title : "",
        from: tEnum("astatus", p.from), to: tEnum("astatus", p.to),
      }) + (p.to === "done" && p.assignment && p.assignment.debrief ? " — " + p.assignment.debrief : "");
    case "track.points": return t("ev.track.points", { n: (p.points || []).length });
    case "segment.updated": return t("ev.segment.updated", { name: p.segment ? p.segment.name : "" });
    case "door.checked":   // the door (its address) and what happened there
      return t("ev.door.checked_at", { address: p.address || "", outcome: tEnum("doors.outcome", p.outcome) })
        + (p.notes ? " — " + p.notes : "");
    case "area.retracted": return t("ev.area.retracted", { reason: p.reason || "" });
    case "clue.retracted": return t("ev.clue.retracted", { reason: p.reason || "" });
    case "track.retracted": return t("ev.track.retracted", { n: p.count || 0, reason: p.reason || "" });
    case "clue.reported":
      return t("ev.clue.reported." + (p.clue ? p.clue.kind : "clue"), { text: p.clue ? p.clue.text : "" });
    case "broadcast.sent":
      return t("ev.broadcast.sent", { kind: tEnum("bkind", p.broadcast && p.broadcast.kind), text: p.broadcast ? broadcastText(p.broadcast) : "" });
    case "broadcast.acked": return t("ev.broadcast.acked");
    case "camera.added": return t("ev.camera.added_code", { code: p.camera ? p.camera.code : "", name: p.camera ? p.camera.name : "" });
    case "video.clock_corrected":
      return t("ev.video.clock_corrected", { code: p.code || "", offset: p.clock_offset_s, previous: p.previous_offset_s,
        n: (p.intervals || []).length + (p.sightings || []).length });
    case "video.task_created":
    case "video.task_updated":
      return t("ev." + ev.type + "_code", { code: p.task ? p.task.code : "",
        window: p.task ? fmtTime(p.task.start) + "–" + fmtTime(p.task.end) : "" });
    case "video.reviewed":
      return t("ev.video.reviewed_code", { code: p.interval ? p.interval.code : "",
        window: p.interval ? fmtTime(p.interval.start) + "–" + fmtTime(p.interval.end) : "" });
    case "video.sighting_logged":
    case "video.sighting_decided": {
      const x = p.sighting || {};
      const key = ev.type === "video.sighting_logged" ? "ev.video.sighting_logged_code" : "ev.video.sighting_" + x.status;
      return t(key, { code: x.code || "", time: fmtTime(x.time) }) + (x.decision_note ? " — " + x.decision_note : "");
    }
    default: {
      const key = "ev." + ev.type;
      const s = t(key);
      return s === key ? t("ev.other", { type: ev.type }) : s;
    }
  }
}
