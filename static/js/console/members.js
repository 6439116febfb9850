/* search-coord: the console's Members panel — who is on the search, online or not, their last fix and phone clock,
   locate and remove; adding an officer; the team form's choices follow the members.
   membersPanel(c) -> {render(), renderSoon(), loadOfficers()}; renderSoon() coalesces the redraws asked for by several
   live events into one, at the next animation frame. c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { $, $$, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { fmtAgo, fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { isStale, trackColor } from "../map/base.js";

export function membersPanel(c) {
  let officers = [];

  /** "phone clock +4 min off" for a member whose phone's clock the server found wrong (it corrects the times). */
  function clockNote(userId) {
    const off = (c.st().clocks || []).filter((x) => x.user_id === userId && x.offset_s);
    if (!off.length) return null;
    const fmt = (s) => (s > 0 ? "+" : "−") + (Math.abs(s) >= 90 ? `${Math.round(Math.abs(s) / 60)} min` : `${Math.round(Math.abs(s))} s`);
    return el("span", { class: "small block clock-off", dataset: { clockOffset: off[0].offset_s } },
      "⏱ " + t("members.clock_off", { offset: off.map((x) => fmt(x.offset_s)).join(", ") }));
  }

  function memberItem(u) {
    const st = c.st();
    const teamsOf = st.teams.filter((tm) => !tm.disbanded && (tm.member_ids.includes(u.id) || tm.leader_id === u.id))
      .map((tm) => (tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name) + (tm.leader_id === u.id ? " ★" : ""));
    const pts = st.tracks[String(u.id)] || [];
    const hasTrack = pts.length;
    const lastAt = hasTrack ? pts[pts.length - 1][2] : null;
    const stale = isStale(lastAt);
    const online = c.live.connected ? c.live.online.has(u.id) : null; // unknown while this console is offline itself
    const presence = online === null ? "unknown" : online ? "online" : "offline";
    return el("li", { class: "list-item member presence-" + presence + (stale ? " stale" : ""), dataset: { userId: u.id, presence } },
      el("span", { class: "dot", style: hasTrack ? `background:${stale ? "#8a94a3" : trackColor(u.id)}` : null, "aria-hidden": "true" }),
      el("span", { class: "grow" },
        el("strong", {}, u.display_name), " ",
        el("span", { class: "badge role-badge" }, tEnum("role", u.role)), " ",
        el("span", { class: "badge presence-badge presence-" + presence }, t("presence." + presence)),
        el("span", { class: "muted small block" }, [u.unit, teamsOf.join(t("list.sep"))].filter(Boolean).join(" · ")),
        u.phone ? el("a", { class: "small block member-phone", href: "tel:" + u.phone.replace(/[^0-9+]/g, "") }, "☎ " + u.phone) : null,
        clockNote(u.id),
        u.role !== "dispatcher" || hasTrack ? el("span", { class: "small block last-fix" + (stale ? " stale" : "") },
          hasTrack ? t("members.last_fix", { time: fmtTime(lastAt), age: fmtAgo(lastAt) }) + (stale ? " · " + t("members.stale") : "")
            : t("members.no_fix")) : null),
      hasTrack ? el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => {
        const m = c.layers.positionMarkers[String(u.id)];
        if (m) c.map.setView(m.getLatLng(), 17);
      } }, t("members.locate")) : null,
      u.role === "officer" ? el("button", {
        type: "button", class: "btn btn-small btn-ghost", "aria-label": t("members.remove_name", { name: u.display_name }),
        onclick: async () => {
          if (!window.confirm(t("members.confirm_remove", { name: u.display_name }))) return;
          try { await api("DELETE", `/api/v1/searches/${c.searchId}/members/${u.id}`); } catch (e) { /* shown */ }
        },
      }, t("members.remove")) : null);
  }

  /** Who has the search open now: the dispatchers at a console and the officers online (presence). */
  function renderViewing(members) {
    const box = $("#viewing-now");
    if (!c.live.connected) { box.textContent = ""; return; }
    const on = members.filter((u) => c.live.online.has(u.id));
    const desks = on.filter((u) => u.role !== "officer").map((u) => u.display_name);
    box.textContent = t("members.viewing", { desks: desks.join(t("list.sep")) || "—", n: on.length - desks.length });
  }

  function render() {
    const list = clear($("#member-list"));
    const members = c.st().members;
    renderViewing(members);
    $("#count-members").textContent = members.length ? ` ${members.length}` : "";
    for (const u of members) list.append(memberItem(u));
    const ids = new Set(members.map((u) => u.id));
    const candidates = officers.filter((u) => u.active && !ids.has(u.id));
    fillSelect($("#m-user"), candidates.map((u) => [u.id, u.unit ? `${u.display_name} (${u.unit})` : u.display_name]),
      { blank: candidates.length ? t("form.choose") : t("members.none_left") });
    // team form choices follow the members
    const officerMembers = members.filter((u) => u.role === "officer");
    fillSelect($("#t-leader"), officerMembers.map((u) => [u.id, u.display_name]), { blank: t("teams.no_leader") });
    const box = $("#t-members");
    const checked = new Set($$("input:checked", box).map((x) => x.value));
    clear(box);
    for (const u of officerMembers) {
      // the tick as a property, never the attribute: form.reset() would tick the boxes again (a re-render between
      // the POST and the reset made the next team start with the previous one's members)
      const box1 = el("input", { type: "checkbox", name: "member_ids", value: u.id });
      box1.checked = checked.has(String(u.id));
      box.append(el("label", { class: "check" }, box1, el("span", {}, u.display_name)));
    }
    if (!officerMembers.length) box.append(el("p", { class: "muted" }, t("teams.add_members_first")));
  }

  let frame = 0;
  /** Redraw at the next animation frame (once, however many events asked for it before). */
  function renderSoon() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (c.st()) render();
    });
  }

  async function loadOfficers() {
    try {
      officers = await api("GET", "/api/v1/users?role=officer");
    } catch (e) { officers = []; }
    if (c.st()) render();
  }

  $("#add-member").addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = $("#m-user").value;
    if (!v) return;
    try {
      await api("POST", `/api/v1/searches/${c.searchId}/members`, { user_id: parseInt(v, 10) }, { quiet: true });
      toast(t("members.added"), "ok");
    } catch (err) {
      if (err.status === 400 && err.data.errors) showFieldErrors(e.target, err.data.errors);
      else toast(errorMessage(err), "error");
    }
  });

  return { render, renderSoon, loadOfficers };
}
