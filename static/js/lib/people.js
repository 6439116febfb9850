/* search-coord: members and teams of a search's live state as names (the console, the field page, the video panel
   and the map layers share these). */
import { t } from "./i18n.js";

/** A member's display name from state.members, "User 7" when not (or no longer) a member, "" for no user. */
export function userName(state, uid) {
  if (uid === null || uid === undefined) return "";
  const m = ((state && state.members) || []).find((u) => String(u.id) === String(uid));
  return m ? m.display_name : t("map.user_n", { id: uid });
}

/** "A1 · Team north" (or the name alone when the team has no callsign). */
export const teamTitle = (tm) => (tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name);

/** A team of state.teams by id, as teamTitle (opts.short: the callsign alone when it has one); opts.none when there
    is no such team (default: "no team"). */
export function teamLabel(state, tid, opts) {
  const o = opts || {};
  const tm = ((state && state.teams) || []).find((x) => x.id === tid);
  if (!tm) return o.none !== undefined ? o.none : t("assignment.no_team");
  return o.short ? (tm.callsign || tm.name) : teamTitle(tm);
}
