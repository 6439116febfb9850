/* search-coord: the dispatcher's command post — map, live state, panels, actions. */
import { api, errorMessage, meta as loadMeta } from "../lib/api.js";
import { $, $$, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { eventSentence } from "../lib/events.js";
import { fmtAgo, fmtCoord, fmtDateTime, fmtSince, fmtTime, fmtTimeSec } from "../lib/format.js";
import { broadcastText } from "../lib/alerts.js";
import { lang, t, tEnum } from "../lib/i18n.js";
import { LiveSearch } from "../lib/live.js";
import { isDispatcher, user } from "../lib/page.js";
import { STATUS_COLORS, isStale, labelIcon, makeMap, pointLatLng, trackColor, trackPieces } from "../map/base.js";
import { SearchLayers } from "../map/layers.js";
import { askText, assignmentActions, clueReporter, foundReporter } from "../reports/dialogs.js";
import { outboxView, sendReport } from "../reports/outbox_view.js";
import { videoPanel } from "../video/panel.js";
import { outbox } from "../reports/outbox.js";
import { debug } from "../lib/debug.js";
import { initWhere, repairText } from "../map/where.js";
import { startTrackImport } from "../console/track_import.js";
import { boot } from "../lib/boot.js";

boot();

const searchId = parseInt($(".console").dataset.searchId, 10);
const live = new LiveSearch(searchId);
const map = makeMap($("#map"), { zoom: 15 });
if (lang === "zh-CN" && map.pm) map.pm.setLang("zh");
const layers = new SearchLayers(map, {});
let meta = null;
let officers = [];
let timeline = [];
let fitted = false;

const st = () => live.state;
const lkp = () => (st() && st().search.lkp ? st().search.lkp.coordinates : null);
const userName = (uid) => {
  const m = st() && st().members.find((u) => u.id === uid);
  return m ? m.display_name : t("map.user_n", { id: uid });
};
const teamLabel = (tid) => {
  const tm = st().teams.find((x) => x.id === tid);
  return tm ? (tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name) : t("assignment.no_team");
};

const clueDialog = clueReporter({ searchId, map, lkp, allowTime: true });
const foundDialog = foundReporter({ searchId, map, lkp, allowTime: true });

/* ---- tabs ------------------------------------------------------------------------------------- */
const tabs = $$("[role=tab]");
function selectTab(tab) {
  for (const b of tabs) {
    const on = b === tab;
    b.setAttribute("aria-selected", on ? "true" : "false");
    b.tabIndex = on ? 0 : -1;
    $("#" + b.getAttribute("aria-controls")).hidden = !on;
  }
}
tabs.forEach((b, i) => {
  b.addEventListener("click", () => selectTab(b));
  b.addEventListener("keydown", (e) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    const next = tabs[(i + d + tabs.length) % tabs.length];
    selectTab(next);
    next.focus();
  });
});
const showTab = (name) => selectTab($("#tab-" + name));

/* ---- header --------------------------------------------------------------------------------- */
function renderHead() {
  const s = st().search;
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
  const s = st() && st().search;
  if (!s) return;
  const box = clear($("#head-clock"));
  const end = s.found ? new Date(s.found.time).getTime() : (s.closed_at ? new Date(s.closed_at).getTime() : Date.now());
  box.append(el("span", { class: "clock-label" }, s.found ? t("console.missing_for_found") : t("console.missing_for")),
    el("strong", { class: "clock-value" }, fmtSince(s.missing_since || s.lkp_time, end)),
    el("span", { class: "clock-sub" }, t("console.last_seen_at", { time: fmtDateTime(s.lkp_time) })));
}
setInterval(renderClock, 15000);

function renderFoundBanner() {
  const s = st().search;
  const banner = $("#found-banner");
  if (s.found) {
    banner.hidden = false;
    clear(banner).append(
      el("strong", { class: "found-title" }, t("found.banner_title")),
      el("span", {}, t("found.banner_text", {
        condition: tEnum("condition", s.found.condition), time: fmtDateTime(s.found.time), name: userName(s.found.reported_by),
      })),
      s.found.notes ? el("span", { class: "found-notes" }, s.found.notes) : null,
      el("button", { type: "button", class: "btn btn-small", onclick: () => {
        const ll = pointLatLng(s.found.location);
        if (ll) map.setView(ll, 18);
      } }, t("found.show_on_map")));
  } else {
    banner.hidden = true;
  }
  document.body.classList.toggle("is-found", !!s.found);
}

function renderActions() {
  const s = st().search;
  const box = clear($("#head-actions"));
  if (s.status !== "closed") {
    box.append(el("button", { type: "button", class: "btn btn-broadcast", onclick: openBroadcast }, t("action.broadcast")));
    box.append(el("button", { type: "button", class: "btn", onclick: () => clueDialog.open() }, t("action.log_clue")));
  }
  if (s.status === "open" || s.status === "suspended") {
    box.append(el("button", { type: "button", class: "btn btn-found", onclick: () => foundDialog.open() }, t("action.mark_found")));
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
        await api("POST", `/api/v1/searches/${searchId}/status`, body);
        toast(t("status.saved", { to: tEnum("sstatus", to) }), "ok");
      } catch (e) { /* shown */ }
    },
  }, t(label));
}

/* ---- subject panel ---------------------------------------------------------------------------- */
function renderSubject() {
  const s = st().search;
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
  // the edit form follows the live values unless the user is typing in it or has changed something unsaved
  const form = $("#edit-search");
  if (!form.contains(document.activeElement) && !editChanged()) loadEdit(s);
}

/* ---- editing the search: only the changed fields, from the version the form was loaded from ------------ */
const EDIT_FIELDS = ["risk", "risk_reasons", "notes"];
let editBase = null;   // {version, risk, risk_reasons, notes} the form was loaded from

const editValues = (src) => ({ risk: src.risk, risk_reasons: (src.risk_reasons || []).slice().sort(),
  notes: (src.notes || "").trim() });
const formValues = () => editValues({
  risk: $("#e-risk").value,
  risk_reasons: $$("#edit-search input[name=risk_reasons]:checked").map((c) => c.value),
  notes: $("#e-notes").value,
});
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function editChanged() {
  if (!editBase) return false;
  const now = formValues();
  return EDIT_FIELDS.some((k) => !same(now[k], editBase[k]));
}
function setField(k, v) {
  if (k === "risk") $("#e-risk").value = v;
  else if (k === "risk_reasons") $$("#edit-search input[name=risk_reasons]").forEach((c) => { c.checked = v.includes(c.value); });
  else $("#e-notes").value = v;
}
function loadEdit(s) {
  const values = editValues(s);
  EDIT_FIELDS.forEach((k) => setField(k, values[k]));
  editBase = { version: s.version, ...values };
  showConflict(null);
}
const shown = (k, v) => (k === "risk" ? tEnum("risk_level", v)
  : k === "risk_reasons" ? (v.map((r) => tEnum("reason", r)).join(t("list.sep")) || "—")
    : (v.length > 80 ? v.slice(0, 80) + "…" : v || "—"));

/** The 409 notice: what another dispatcher changed meanwhile (theirs beside the user's typed values), as text. */
function showConflict(current, typed) {
  const old = $("#edit-conflict");
  if (old) old.remove();
  if (!current) return;
  const now = editValues(current);
  const changed = EDIT_FIELDS.filter((k) => !same(now[k], editBase[k]));
  const summary = changed.map((k) => `${tEnum("fieldname", k)} ${shown(k, editBase[k])} → ${shown(k, now[k])}`)
    .join(t("list.sep"));
  const dl = el("dl", { class: "facts" });
  for (const k of changed) {
    const yours = same(typed[k], editBase[k]) ? null   // not changed by this user: the current value is loaded
      : el("dd", {}, `${t("conflict.yours")}: ${shown(k, typed[k])}`);
    dl.append(...[el("dt", {}, tEnum("fieldname", k)), el("dd", {}, `${t("conflict.now")}: ${shown(k, now[k])}`), yours]
      .filter(Boolean));
  }
  const note = el("div", { id: "edit-conflict", class: "overlap-warning edit-conflict", role: "alert" },
    el("p", {}, t("conflict.notice", { changes: summary || t("conflict.other") })), dl);
  $("#edit-search").prepend(note);
}

$("#edit-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  if (!editBase) editBase = { version: st().search.version, ...editValues(st().search) };
  const typed = formValues();
  const body = { version: editBase.version };
  for (const k of EDIT_FIELDS) if (!same(typed[k], editBase[k])) body[k] = typed[k];
  if (Object.keys(body).length === 1) { toast(t("conflict.nothing"), "ok"); return; }
  try {
    const saved = await api("PATCH", `/api/v1/searches/${searchId}`, body, { quiet: true });
    showFieldErrors(form, {});
    loadEdit(saved);
    toast(t("console.saved"), "ok");
    document.activeElement.blur();
  } catch (err) {
    if (err.status === 409 && err.data.current) {
      // what the user changed stays as typed; the rest shows the current values; saving again starts from them
      const current = editValues(err.data.current);
      showConflict(err.data.current, typed);
      EDIT_FIELDS.forEach((k) => { if (same(typed[k], editBase[k])) setField(k, current[k]); });
      editBase = { version: err.data.current.version, ...current };
    } else if (err.status === 400 && err.data.errors) showFieldErrors(form, err.data.errors);
    else toast(errorMessage(err), "error");
  }
});

/* ---- members ------------------------------------------------------------------------------------ */
/** "phone clock +4 min off" for a member whose phone's clock the server found wrong (it corrects the times). */
function clockNote(userId) {
  const off = (st().clocks || []).filter((c) => c.user_id === userId && c.offset_s);
  if (!off.length) return null;
  const fmt = (s) => (s > 0 ? "+" : "−") + (Math.abs(s) >= 90 ? `${Math.round(Math.abs(s) / 60)} min` : `${Math.round(Math.abs(s))} s`);
  return el("span", { class: "small block clock-off", dataset: { clockOffset: off[0].offset_s } },
    "⏱ " + t("members.clock_off", { offset: off.map((c) => fmt(c.offset_s)).join(", ") }));
}

function renderMembers() {
  const list = clear($("#member-list"));
  const members = st().members;
  $("#count-members").textContent = members.length ? ` ${members.length}` : "";
  for (const u of members) {
    const teamsOf = st().teams.filter((tm) => tm.member_ids.includes(u.id) || tm.leader_id === u.id).map((tm) => tm.callsign || tm.name);
    const pts = st().tracks[String(u.id)] || [];
    const hasTrack = pts.length;
    const lastAt = hasTrack ? pts[pts.length - 1][2] : null;
    const stale = isStale(lastAt);
    const online = live.connected ? live.online.has(u.id) : null; // unknown while this console is offline itself
    const presence = online === null ? "unknown" : online ? "online" : "offline";
    list.append(el("li", { class: "list-item member presence-" + presence + (stale ? " stale" : ""), dataset: { userId: u.id, presence } },
      el("span", { class: "dot", style: hasTrack ? `background:${stale ? "#8a94a3" : trackColor(u.id)}` : null, "aria-hidden": "true" }),
      el("span", { class: "grow" },
        el("strong", {}, u.display_name), " ",
        el("span", { class: "badge role-badge" }, tEnum("role", u.role)), " ",
        el("span", { class: "badge presence-badge presence-" + presence }, t("presence." + presence)),
        el("span", { class: "muted small block" }, [u.unit, teamsOf.join(t("list.sep"))].filter(Boolean).join(" · ")),
        clockNote(u.id),
        u.role !== "dispatcher" || hasTrack ? el("span", { class: "small block last-fix" + (stale ? " stale" : "") },
          hasTrack ? t("members.last_fix", { time: fmtTime(lastAt), age: fmtAgo(lastAt) }) + (stale ? " · " + t("members.stale") : "")
            : t("members.no_fix")) : null),
      hasTrack ? el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => {
        const m = layers.positionMarkers[String(u.id)];
        if (m) map.setView(m.getLatLng(), 17);
      } }, t("members.locate")) : null,
      u.role === "officer" ? el("button", {
        type: "button", class: "btn btn-small btn-ghost", "aria-label": t("members.remove_name", { name: u.display_name }),
        onclick: async () => {
          if (!window.confirm(t("members.confirm_remove", { name: u.display_name }))) return;
          try { await api("DELETE", `/api/v1/searches/${searchId}/members/${u.id}`); } catch (e) { /* shown */ }
        },
      }, t("members.remove")) : null));
  }
  const ids = new Set(members.map((u) => u.id));
  const candidates = officers.filter((u) => u.active && !ids.has(u.id));
  fillSelect($("#m-user"), candidates.map((u) => [u.id, u.unit ? `${u.display_name} (${u.unit})` : u.display_name]),
    { blank: candidates.length ? t("form.choose") : t("members.none_left") });
  // team form choices follow the members
  const officerMembers = members.filter((u) => u.role === "officer");
  fillSelect($("#t-leader"), officerMembers.map((u) => [u.id, u.display_name]), { blank: t("teams.no_leader") });
  const box = $("#t-members");
  const checked = new Set($$("input:checked", box).map((c) => c.value));
  clear(box);
  for (const u of officerMembers) {
    box.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "member_ids", value: u.id, checked: checked.has(String(u.id)) }), el("span", {}, u.display_name)));
  }
  if (!officerMembers.length) box.append(el("p", { class: "muted" }, t("teams.add_members_first")));
}

async function loadOfficers() {
  try {
    officers = await api("GET", "/api/v1/users?role=officer");
  } catch (e) { officers = []; }
  if (st()) renderMembers();
}

$("#add-member").addEventListener("submit", async (e) => {
  e.preventDefault();
  const v = $("#m-user").value;
  if (!v) return;
  try {
    await api("POST", `/api/v1/searches/${searchId}/members`, { user_id: parseInt(v, 10) }, { quiet: true });
    toast(t("members.added"), "ok");
  } catch (err) {
    if (err.status === 400 && err.data.errors) showFieldErrors(e.target, err.data.errors);
    else toast(errorMessage(err), "error");
  }
});

/* ---- teams ------------------------------------------------------------------------------------- */
function renderTeams() {
  const list = clear($("#team-list"));
  const teams = st().teams.filter((tm) => !tm.disbanded);
  $("#count-teams").textContent = teams.length ? ` ${teams.length}` : "";
  for (const tm of teams) {
    const assigned = st().assignments.filter((a) => a.team_id === tm.id);
    list.append(el("li", { class: "list-item column" },
      el("div", {}, el("strong", {}, tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name), " ",
        el("span", { class: "badge" }, tEnum("team_kind", tm.kind))),
      el("div", { class: "small" }, t("teams.leader") + ": " + (tm.leader_id ? userName(tm.leader_id) : "—")),
      el("div", { class: "small" }, t("teams.members") + ": " + (tm.member_ids.map(userName).join(t("list.sep")) || "—")),
      el("div", { class: "small muted" }, t("teams.assignment_count", { n: assigned.length }))));
  }
  if (!teams.length) list.append(el("li", { class: "muted" }, t("teams.none")));
  fillSelect($("#a-team"), teams.map((tm) => [tm.id, tm.callsign ? `${tm.callsign} · ${tm.name}` : tm.name]), { blank: t("assignment.no_team") });
}

$("#new-team").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  const body = {
    name: form.elements.name.value.trim(),
    kind: form.elements.kind.value,
    member_ids: $$("input[name=member_ids]:checked", form).map((c) => parseInt(c.value, 10)),
  };
  const cs = form.elements.callsign.value.trim();
  if (cs) body.callsign = cs;
  if (form.elements.leader_id.value) body.leader_id = parseInt(form.elements.leader_id.value, 10);
  try {
    await api("POST", `/api/v1/searches/${searchId}/teams`, body, { quiet: true });
    form.reset();
    showFieldErrors(form, {});
    $("#team-form-box").open = false;
    toast(t("teams.created"), "ok");
  } catch (err) {
    if (err.status === 400 && err.data.errors) showFieldErrors(form, err.data.errors);
    else toast(errorMessage(err), "error");
  }
});

/* ---- assignments ------------------------------------------------------------------------------- */
const STATUS_ORDER = { in_progress: 0, assigned: 1, planned: 2, done: 3, aborted: 4 };
function renderAssignments() {
  const list = clear($("#assignment-list"));
  const items = st().assignments.slice().sort((a, b) => (STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) || (a.id - b.id));
  const active = items.filter((a) => a.status !== "done" && a.status !== "aborted").length;
  $("#count-assignments").textContent = items.length ? ` ${active}/${items.length}` : "";
  for (const a of items) {
    list.append(el("li", { class: "list-item column assignment status-" + a.status },
      el("div", { class: "row-between" },
        el("button", { type: "button", class: "link-button strong", onclick: () => focusAssignment(a.id) }, a.title),
        el("span", { class: "badge status-" + a.status }, tEnum("astatus", a.status))),
      el("div", { class: "small" }, tEnum("akind", a.kind), " · ", teamLabel(a.team_id)),
      a.instructions ? el("div", { class: "small muted" }, a.instructions) : null,
      a.places && a.places.length ? el("div", { class: "small" }, t("assignment.places") + ": " + a.places.join(t("list.sep"))) : null,
      a.debrief ? el("div", { class: "small" }, el("em", {}, t("assignment.debrief") + ": "), a.debrief) : null,
      meta ? assignmentActions(searchId, a, meta.assignment_transitions) : null));
  }
  if (!items.length) list.append(el("li", { class: "muted" }, t("assignment.none")));
}

function focusAssignment(id) {
  const layer = layers.assignmentLayers[id];
  if (!layer) return;
  const b = layer.getBounds();
  if (b.isValid()) map.fitBounds(b, { padding: [40, 40], maxZoom: 18 });
  layer.openPopup(b.getCenter());
}

/* drawing a new assignment with Leaflet-Geoman */
let drawing = null; // {kind, points: [], temp: featureGroup, banner}
function stopDrawing() {
  if (!drawing) return;
  map.pm.disableDraw();
  drawing.temp.remove();
  drawing.banner.remove();
  map.getContainer().classList.remove("picking");
  drawing = null;
}
function startDrawing(kind) {
  stopDrawing();
  if (!map.pm) { toast(t("assignment.no_draw"), "error"); return; }
  const temp = L.featureGroup().addTo(map);
  const finishBtn = el("button", { type: "button", class: "btn btn-small btn-primary", hidden: kind !== "places" }, t("assignment.finish_places", { n: 0 }));
  const hint = el("span", {}, t("assignment.draw_hint_" + kind));
  const banner = el("div", { class: "pick-banner", role: "status" }, hint, finishBtn,
    el("button", { type: "button", class: "btn btn-small", onclick: stopDrawing }, t("action.cancel")));
  map.getContainer().parentElement.append(banner);
  drawing = { kind, points: [], temp, banner, finishBtn, hint };
  map.getContainer().classList.add("picking");
  finishBtn.addEventListener("click", () => {
    if (!drawing.points.length) return;
    const geom = { type: "MultiPoint", coordinates: drawing.points.slice() };
    stopDrawing();
    openAssignmentDialog("places", geom);
  });
  const shape = kind === "area" ? "Polygon" : kind === "route" ? "Line" : "Marker";
  map.pm.enableDraw(shape, { continueDrawing: kind === "places", markerStyle: { icon: labelIcon("sc-icon-place", "+", 24) },
    allowSelfIntersection: kind !== "area" });
  if (window.innerWidth < 900) map.getContainer().scrollIntoView({ behavior: "smooth", block: "center" });
}
map.on("pm:create", (e) => {
  if (!drawing) { e.layer.remove(); return; }
  const geo = e.layer.toGeoJSON().geometry;
  if (drawing.kind === "places") {
    drawing.temp.addLayer(e.layer);
    drawing.points.push([Number(geo.coordinates[0].toFixed(6)), Number(geo.coordinates[1].toFixed(6))]);
    drawing.finishBtn.hidden = false;
    drawing.finishBtn.textContent = t("assignment.finish_places", { n: drawing.points.length });
    return;
  }
  e.layer.remove();
  const kind = drawing.kind;
  stopDrawing();
  openAssignmentDialog(kind, geo);
});
// Geoman refused a corner that would make the area's outline cross itself: say why in the banner
map.on("pm:intersect", () => {
  if (drawing && drawing.kind === "area") drawing.hint.textContent = t("geomfix.self_cross");
});
$$("[data-draw]").forEach((b) => b.addEventListener("click", () => startDrawing(b.dataset.draw)));
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && drawing) stopDrawing(); });

let pendingGeometry = null;
const aDialog = $("#assignment-dialog");
const aForm = aDialog.querySelector("form");
function openAssignmentDialog(kind, geometry) {
  pendingGeometry = geometry;
  aForm.reset();
  showFieldErrors(aForm, {});
  clear(aForm.querySelector(".form-errors"));
  $("#a-kind").value = kind;
  const n = geometry.type === "Polygon" ? geometry.coordinates[0].length - 1 : geometry.coordinates.length;
  $("#a-geom-info").textContent = t("assignment.geom_info_" + kind, { n });
  $("#a-places").closest(".field").hidden = false;
  aDialog.showModal();
  $("#a-title").focus();
}
aForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = {
    title: $("#a-title").value.trim(),
    kind: $("#a-kind").value,
    geometry: pendingGeometry,
  };
  if ($("#a-team").value) body.team_id = parseInt($("#a-team").value, 10);
  const ins = $("#a-instructions").value.trim();
  if (ins) body.instructions = ins;
  const places = $("#a-places").value.split("\n").map((x) => x.trim()).filter(Boolean);
  if (places.length) body.places = places;
  try {
    const made = await api("POST", `/api/v1/searches/${searchId}/assignments`, body, { quiet: true });
    aDialog.close("ok");
    toast(t("assignment.created"), "ok");
    const note = repairText(made, t);
    if (note) toast(note, "info");
    showTab("assignments");
  } catch (err) {
    const box = clear(aForm.querySelector(".form-errors"));
    if (err.status === 400 && err.data.errors) {
      for (const k of showFieldErrors(aForm, err.data.errors)) box.append(el("p", {}, `${k}: ${err.data.errors[k]}`));
    } else box.append(el("p", {}, errorMessage(err)));
  }
});

/* ---- clues --------------------------------------------------------------------------------------- */
function renderClues() {
  const list = clear($("#clue-list"));
  const clues = st().clues.slice().sort((a, b) => (a.time < b.time ? 1 : -1));
  $("#count-clues").textContent = clues.length ? ` ${clues.length}` : "";
  for (const c of clues) {
    list.append(el("li", { class: "list-item clue-item kind-" + c.kind },
      el("span", { class: "sc-icon sc-icon-" + c.kind + " inline-icon", "aria-hidden": "true" }, el("span", {}, t("map." + c.kind + "_short"))),
      el("button", { type: "button", class: "link-button grow left", onclick: () => {
        const m = layers.clueMarkers[c.id];
        if (m) { map.setView(m.getLatLng(), 18); m.openPopup(); }
      } },
      el("strong", {}, tEnum("clue_kind", c.kind)), " · ", fmtDateTime(c.time), el("br"),
      c.text,
      c.direction ? el("span", { class: "small block" }, t("clue.direction") + ": " + tEnum("dir", c.direction)) : null,
      el("span", { class: "small muted block" }, t("clue.reported_by", { name: userName(c.reported_by) }))),
      c.photo_id ? el("img", { class: "thumb", src: `/api/v1/photos/${c.photo_id}`, alt: t("clue.photo") }) : null));
  }
  if (!clues.length) list.append(el("li", { class: "muted" }, t("clue.none")));
}
$("#clue-btn-2").addEventListener("click", () => clueDialog.open());

/* ---- broadcasts: send one; who has acknowledged and who has not ----------------------------------- */
const bDialog = $("#broadcast-dialog");
const bForm = bDialog.querySelector("form");
let broadcasts = [];
let bLoading = null;
let bAgain = false;

function openBroadcast() {
  bForm.reset();
  showFieldErrors(bForm, {});
  clear(bForm.querySelector(".form-errors"));
  bDialog.showModal();
  $("#b-text").focus();
}
$("#broadcast-btn-2").addEventListener("click", openBroadcast);
bForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { kind: $("#b-kind").value, text: $("#b-text").value.trim() };
  if (!body.text) { showFieldErrors(bForm, { text: t("form.required") }); return; }
  const submit = bForm.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    await api("POST", `/api/v1/searches/${searchId}/broadcasts`, body, { quiet: true });
    bDialog.close("ok");
    toast(t("broadcast.sent"), "ok");
    showTab("broadcasts");
    loadBroadcasts();
  } catch (err) {
    const box = clear(bForm.querySelector(".form-errors"));
    if (err.status === 400 && err.data.errors) {
      for (const k of showFieldErrors(bForm, err.data.errors)) box.append(el("p", {}, `${k}: ${err.data.errors[k]}`));
    } else box.append(el("p", {}, errorMessage(err)));
  } finally {
    submit.disabled = false;
  }
});

/** Fetch the list again (coalesced: one request at a time, one more if asked meanwhile). */
async function loadBroadcasts() {
  if (bLoading) { bAgain = true; return bLoading; }
  bLoading = (async () => {
    try {
      broadcasts = await api("GET", `/api/v1/searches/${searchId}/broadcasts`, null, { quiet: true });
      renderBroadcasts();
    } catch (e) { /* kept as it was; the next event fetches again */ }
  })();
  await bLoading;
  bLoading = null;
  if (bAgain) { bAgain = false; loadBroadcasts(); }
}

function renderBroadcasts() {
  const list = clear($("#broadcast-list"));
  const open = broadcasts.filter((b) => b.pending.length).length;
  $("#count-broadcasts").textContent = broadcasts.length ? ` ${open}/${broadcasts.length}` : "";
  $("#tab-broadcasts").classList.toggle("has-open", open > 0);
  const meId = user ? user.id : null;
  for (const b of broadcasts.slice().reverse()) {
    const red = b.kind === "found" || b.kind === "stand_down";
    const mePending = b.pending.some((p) => p.user_id === meId);
    list.append(el("li", { class: "list-item column bc-item" + (red ? " bc-item-red" : "") + (b.pending.length ? " bc-open" : " bc-done"), dataset: { id: b.id } },
      el("div", { class: "row-between" },
        el("span", {}, el("span", { class: "badge bkind-" + b.kind }, tEnum("bkind", b.kind)), " ",
          el("span", { class: "small muted" }, t("broadcast.by", { time: fmtTime(b.sent_at), name: userName(b.sent_by) }))),
        mePending ? el("button", { type: "button", class: "btn btn-small btn-primary", onclick: (e) => {
          e.currentTarget.disabled = true;
          sendReport({ kind: "ack", url: `/api/v1/searches/${searchId}/broadcasts/${b.id}/ack`, body: {}, noClientId: true })
            .then(() => loadBroadcasts());
        } }, t("broadcast.ack")) : null),
      el("p", { class: "bc-item-text" }, broadcastText(b)),
      b.pending.length
        ? el("div", { class: "small bc-pending" }, el("strong", {}, t("broadcast.pending", { n: b.pending.length }) + " "),
          b.pending.flatMap((p, i) => [i ? t("list.sep") : "", el("span", { class: "bc-person", dataset: { userId: p.user_id } }, p.name)]))
        : el("div", { class: "small bc-all" }, t("broadcast.everyone_acked")),
      b.acked.length
        ? el("div", { class: "small bc-acked" }, el("strong", {}, t("broadcast.acked", { n: b.acked.length }) + " "),
          b.acked.flatMap((a, i) => [i ? t("list.sep") : "",
            el("span", { class: "bc-person", dataset: { userId: a.user_id } }, a.name + " " + fmtTime(a.at))]))
        : null));
  }
  if (!broadcasts.length) list.append(el("li", { class: "muted" }, t("broadcast.none")));
}

/* ---- timeline ------------------------------------------------------------------------------------ */
async function loadTimeline() {
  try {
    const res = await api("GET", `/api/v1/searches/${searchId}/events?after=0&limit=5000`, null, { quiet: true });
    timeline = res.events;
  } catch (e) {
    toast(errorMessage(e), "error");
  }
  renderTimeline();
}
function renderTimeline() {
  const list = clear($("#timeline"));
  const showTracks = $("#show-tracks").checked;
  const items = timeline.filter((ev) => showTracks || ev.type !== "track.points").slice(-300).reverse();
  for (const ev of items) {
    list.append(el("li", { class: "tl-item tl-" + ev.type.replace(/\./g, "-") },
      el("time", { datetime: ev.at }, fmtTimeSec(ev.at)),
      el("div", { class: "tl-body" },
        el("div", {}, el("strong", {}, ev.actor ? ev.actor.name : t("timeline.system")), " ", eventSentence(ev, st())),
        ev.device ? el("div", { class: "small muted" }, t("timeline.device", { device: ev.device })) : null)));
  }
  if (!items.length) list.append(el("li", { class: "muted" }, t("timeline.empty")));
}
$("#show-tracks").addEventListener("change", renderTimeline);

/* ---- legend & live indicator -------------------------------------------------------------------- */
function renderLegend() {
  const box = clear($("#map-legend"));
  for (const s of ["planned", "assigned", "in_progress", "done", "aborted"]) {
    box.append(el("span", { class: "legend-item" }, el("i", { style: `background:${STATUS_COLORS[s]}` }), tEnum("astatus", s)));
  }
  box.append(el("span", { class: "legend-item legend-searched" }, el("i"), t("legend.searched")));
  // cameras (the video layer): their badge colour says how far their review has got
  box.append(el("span", { class: "legend-break" }));
  for (const s of ["idle", "tasked", "partly", "clear", "pending", "seen"]) {
    box.append(el("span", { class: "legend-item legend-cam" }, el("b", { class: "sc-cam sc-cam-" + s }, "C"), tEnum("cam_state", s)));
  }
}
function renderLive() {
  const on = live.connected;
  const box = $("#live-indicator");
  box.className = "live-indicator " + (on ? "on" : "off");
  box.textContent = on ? t("live.connected") : t("live.disconnected");
}

/* ---- wiring ------------------------------------------------------------------------------------- */
function renderAll() {
  renderHead();
  renderSubject();
  renderMembers();
  renderTeams();
  renderAssignments();
  renderClues();
  layers.renderAll(st());
}

/* ---- where to look (static/js/where.js): probability rings, segments, suggestions ------------------ */
let where = null;
function startWhere() {
  if (where) return;
  const teams = () => new Map((st() ? st().teams : []).map((tm) => [tm.id, tm]));
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
  where = initWhere({
    map, searchId, panel: $("#where-panel"), api: whereApi, t, canEdit: true, teams,
    notify: (msg) => toast(msg, "info"),
  });
  document.body.classList.toggle("where-hidden", !$("#show-where").checked);
  $("#show-where").addEventListener("change", (e) => document.body.classList.toggle("where-hidden", !e.target.checked));
}

/* ---- video review (static/js/video.js): cameras, proposals, tasks, sightings, trail, blind spot ---------------- */
let video = null;
function startVideo() {
  if (video || !videoPanel) return;
  video = videoPanel({ map, searchId, panel: $("#video-panel"), state: st, canDecide: isDispatcher });
}

live.on((kind, ev) => {
  if (kind === "event" && video) {
    try { video.onEvent(ev); } catch (e) { console.error("video review update failed", e); }
  }
  if (kind === "reset" && video) video.load();
  if (kind === "connection") {
    renderLive();
    if (st()) renderMembers();
    if (live.connected && outbox) outbox.kick(true); // back online: try the outbox now
    return;
  }
  if (kind === "presence") { if (st()) renderMembers(); return; }
  if (kind === "unacknowledged") return;
  if (kind === "event" && where) {
    try { where.onEvent(ev); } catch (e) { console.error("where-to-look update failed", e); }
  }
  if (kind === "reset") {
    renderAll();
    if (!fitted) { layers.fit(st()); fitted = true; }
    loadTimeline();
    loadBroadcasts();
    return;
  }
  timeline.push(ev);
  if (ev.type !== "track.points" || $("#show-tracks").checked) renderTimeline();
  if (ev.type === "area.searched" || ev.type === "video.reviewed") layers.renderSearched(st());
  switch (ev.type.split(".")[0]) {
    case "track":
      layers.renderTracks(st());
      if (!$("#panel-members").hidden) renderMembers();
      break;
    case "clue":
      renderClues();
      layers.renderClues(st());
      break;
    case "assignment":
      renderAssignments();
      renderTeams();
      layers.renderAssignments(st());
      break;
    case "broadcast":
      loadBroadcasts();
      if (ev.type === "broadcast.sent" && ev.actor && ev.actor.id !== (user && user.id)) {
        toast(eventSentence(ev, st()), ev.payload.broadcast && ev.payload.broadcast.kind === "found" ? "ok" : "info");
      }
      break;
    case "team":
    case "member":
      if (ev.type.startsWith("member.")) loadBroadcasts();
      renderMembers();
      renderTeams();
      renderAssignments();
      layers.renderTracks(st());
      break;
    case "search":
      renderHead();
      renderSubject();
      layers.renderLkp(st());
      layers.renderFound(st());
      if (ev.type === "search.found") {
        toast(t("found.banner_title"), "ok");
      }
      break;
    default:
      break;
  }
});

renderLegend();
renderLive();
outboxView($("#outbox-box"), outbox, { compact: true });
setInterval(() => {
  layers.refreshStale();
  if (st() && !$("#panel-members").hidden) renderMembers();
}, 15000);
loadMeta().then((m) => {
  meta = m;
  fillSelect($("#e-risk"), m.risk_levels.map((v) => [v, tEnum("risk_level", v)]));
  const box = $("#e-reasons");
  for (const v of m.risk_reasons) box.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "risk_reasons", value: v }), el("span", {}, tEnum("reason", v))));
  fillSelect($("#t-kind"), m.team_kinds.map((v) => [v, tEnum("team_kind", v)]));
  fillSelect($("#a-kind"), m.assignment_kinds.map((v) => [v, tEnum("akind", v)]));
  if (st()) { renderSubject(); renderAssignments(); }
}).catch(() => {});
loadOfficers();
live.start().then(() => { startWhere(); startVideo(); }).catch(() => { /* shown by api */ });
startTrackImport(live);
Object.assign(debug, { live, map, outbox, repairText, trackPieces });
