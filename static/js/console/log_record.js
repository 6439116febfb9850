/* search-coord: the log as a record — each event with its date and time on the station's clock, who did it and from
   which device (named by its user and browser, the raw id on hover), and a sentence naming the team, the segments
   and the POD (the same "rec.*" sentences the report and the CSV use, core/record.py); filters by team, person and
   kind; links to the paper and the files. Used by the console's log (timeline.js) and the replay (replay.js). */
import { el } from "../lib/dom.js";
import { wallClock } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { teamLabel, userName } from "../lib/people.js";

const pad = (n) => String(n).padStart(2, "0");

/** "2026-11-28 17:30:05" on the station's clock (format.js wallClock). */
export function stamp(iso) {
  if (!iso) return "";
  const w = wallClock(new Date(iso));
  return `${w.y}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

const BROWSERS = [["Edg/", "Edge"], ["OPR/", "Opera"], ["MicroMessenger", "WeChat"], ["Firefox/", "Firefox"],
  ["CriOS/", "Chrome"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
const SYSTEMS = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"],
  ["Mac OS X", "macOS"], ["Linux", "Linux"]];

/** "Chrome / Android" from a stored "web: <user agent>"; null for a phone's own id (core/record.browser_of). */
export function browserOf(device) {
  if (!device || !device.startsWith("web: ")) return null;
  const ua = device.slice(5);
  const name = (BROWSERS.find(([k]) => ua.includes(k)) || [])[1];
  const sys = (SYSTEMS.find(([k]) => ua.includes(k)) || [])[1];
  return name && sys ? `${name} / ${sys}` : name || sys || "browser";
}

/** Names devices as people do: a browser by its user and browser, a phone as its user's k-th phone in the order
    first seen in the log (same numbering as the CSV and the report, given the log from its start). */
export function deviceNamer() {
  const known = new Map();   // "uid|device" -> {kind, n|browser}
  const phones = new Map();  // uid -> count
  return function name(uid, device, user) {
    if (!device) return null;
    const k = uid + "|" + device;
    if (!known.has(k)) {
      const browser = browserOf(device);
      if (browser) known.set(k, { kind: "browser", browser });
      else {
        phones.set(uid, (phones.get(uid) || 0) + 1);
        known.set(k, { kind: "phone", n: phones.get(uid) });
      }
    }
    const d = known.get(k);
    const browser = d.browser === "browser" ? t("rec.browser") : d.browser;   // a user agent naming no known browser
    return { label: t("rec.device." + d.kind, { user, ...d, browser }), raw: device };
  };
}

const pct = (x) => (x === null || x === undefined ? "" : Math.round(Number(x) * 100) + "%");

/** The event's sentence in the page's language (the "rec.*" keys; mirrors core/record.describe). `segName(id)`
    names a segment. */
export function recordText(ev, st, segName) {
  const p = ev.payload || {};
  const team = (tid) => (tid ? teamLabel(st, tid, { none: "" }) : "");
  const segs = (cov) => Object.keys(cov || {}).map((id) => segName(Number(id)) || "#" + id).sort().join(", ");
  const a = p.assignment || {};
  switch (ev.type) {
    case "search.opened": return t("rec.search.opened", { name: ((p.search || {}).subject || {}).name });
    case "search.updated": return t("rec.search.updated", { fields: Object.keys(p.changes || {}).map((k) => tEnum("fieldname", k)).join(", ") });
    case "search.status_changed": return t("rec.search.status_changed", { from: tEnum("sstatus", p.from), to: tEnum("sstatus", p.to), reason: p.reason || "" });
    case "search.found": {
      const f = p.found || {};
      return t("rec.search.found", { time: stamp(f.time), condition: tEnum("condition", f.condition), notes: f.notes || "" });
    }
    case "member.added": return t("rec.member.added", { name: (p.user || {}).display_name });
    case "member.removed": return t("rec.member.removed", { name: userName(st, p.user_id) });
    case "team.created":
    case "team.updated": {
      const tm = p.team || {};
      return t("rec." + ev.type, { name: tm.name, callsign: tm.callsign || "", members: (tm.member_ids || []).map((u) => userName(st, u)).join(", ") });
    }
    case "assignment.created":
    case "assignment.updated":
    case "assignment.status_changed":
      return t("rec." + ev.type, { title: a.title, team: team(a.team_id), segment: a.segment_id ? segName(a.segment_id) || "" : "",
        from: tEnum("astatus", p.from), to: tEnum("astatus", p.to), debrief: a.debrief || "" });
    case "track.points": return t("rec.track.points", { n: p.count !== undefined ? p.count : (p.points || []).length, segments: segs(p.coverage) });
    case "track.imported": return t("rec.track.imported", { unit: (p.unit || {}).name, file: p.filename, n: p.stored });
    case "track.retracted": return t("rec.track.retracted", { n: p.count, reason: p.reason });
    case "clue.reported": {
      const c = p.clue || {};
      return t("rec.clue.reported", { kind: tEnum("clue_kind", c.kind), text: c.text, time: stamp(c.time).slice(0, 16) });
    }
    case "clue.updated": return t("rec.clue.updated", { text: (p.clue || {}).text });
    case "clue.retracted":
    case "area.retracted": return t("rec." + ev.type, { reason: p.reason });
    case "area.searched": {
      const ar = p.area || {};
      return t("rec.area.searched", { pod: pct(ar.pod), team: team(ar.team_id), segments: segs(p.coverage) || "-", notes: ar.notes || "" });
    }
    case "broadcast.sent": return t("rec.broadcast.sent", { kind: tEnum("bkind", (p.broadcast || {}).kind), text: (p.broadcast || {}).text });
    case "broadcast.acked": return t("rec.broadcast.acked", { id: p.broadcast_id });
    case "camera.added": return t("rec.camera.added", { code: (p.camera || {}).code, name: (p.camera || {}).name });
    case "segment.added": return t("rec.segment.added", { name: (p.segment || {}).name });
    case "segment.removed": return t("rec.segment.removed", { name: segName(p.segment_id) || "#" + p.segment_id });
    case "segments.replaced":
    case "model.recomputed":
    case "poa.consensus": return t("rec." + ev.type, { n: (p.segments || []).length, row: pct(p.row0) });
    default: {
      const key = "rec." + ev.type;
      const x = p.sighting || p.task || p.interval || {};
      const s = t(key, { code: x.code || p.code || "", time: stamp(x.time), status: x.status || "", note: x.decision_note || "",
        window: x.start ? stamp(x.start).slice(5, 16) + "–" + stamp(x.end).slice(11, 16) : "", offset: p.clock_offset_s,
        n: (p.created || []).length });
      return s === key ? t("rec.other", { type: ev.type }) : s;
    }
  }
}

/** One line of the record: <li> with the dated time, who, the device (raw id on hover) and the sentence. */
export function recordItem(ev, st, ctx) {
  const actor = ev.actor || {};
  const dev = ctx.deviceName(actor.id, ev.device, actor.name || "");
  return el("li", { class: "tl-item tl-" + ev.type.replace(/\./g, "-"), "data-seq": String(ev.seq) },
    el("time", { datetime: ev.at, title: ev.at }, el("span", { class: "tl-date" }, stamp(ev.at).slice(0, 10)),
      el("span", { class: "tl-clock" }, stamp(ev.at).slice(11))),
    el("div", { class: "tl-body" },
      el("div", {}, el("strong", {}, actor.name || t("rec.system")), " ", recordText(ev, st, ctx.segName)),
      dev ? el("div", { class: "small muted tl-device", title: dev.raw }, dev.label) : null));
}

const KINDS = ["search", "member", "team", "assignment", "track", "clue", "area", "broadcast", "segments", "model", "video", "camera"];

/** The log's filters (team, person, kind) as a row of selects; `matches(ev)` applies them (an event passes a team
    when made by or about one of its people, or about the team; a person when made by or about them). */
export function recordFilters(onChange) {
  const team = el("select", { class: "rec-filter", "data-filter": "team", "aria-label": t("rec.filter.team") });
  const person = el("select", { class: "rec-filter", "data-filter": "person", "aria-label": t("rec.filter.person") });
  const kind = el("select", { class: "rec-filter", "data-filter": "kind", "aria-label": t("rec.filter.kind") });
  const fill = (sel, items, all) => {
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "" }, all), ...items.map(([v, label]) => el("option", { value: String(v) }, label)));
    sel.value = items.some(([v]) => String(v) === keep) ? keep : "";
  };
  fill(kind, KINDS.map((k) => [k, t("rec.kind." + k)]), t("rec.filter.all_kinds"));
  for (const sel of [team, person, kind]) sel.addEventListener("change", onChange);
  let st = null;
  return {
    node: el("div", { class: "rec-filters" }, team, person, kind),
    refresh(state) {
      st = state;
      fill(team, (state.teams || []).map((tm) => [tm.id, teamLabel(state, tm.id)]), t("rec.filter.all_teams"));
      fill(person, (state.members || []).map((u) => [u.id, u.display_name]), t("rec.filter.all_people"));
    },
    active: () => !!(team.value || person.value || kind.value),
    matches(ev) {
      if (kind.value && ev.type.split(".")[0] !== kind.value) return false;
      const p = ev.payload || {};
      const actor = ev.actor ? ev.actor.id : null;
      if (person.value && String(actor) !== person.value && String(p.user_id) !== person.value) return false;
      if (team.value) {
        const tm = ((st && st.teams) || []).find((x) => String(x.id) === team.value);
        const people = new Set((tm ? tm.member_ids.concat(tm.leader_id ? [tm.leader_id] : []) : []).map(String));
        const about = (p.assignment || {}).team_id || (p.team || {}).id || (p.area || {}).team_id;
        if (!people.has(String(actor)) && !people.has(String(p.user_id)) && String(about) !== team.value) return false;
      }
      return true;
    },
  };
}

/** Links to the paper and the files of the search (each opens in a new tab or downloads). */
export function paperLinks(searchId) {
  const a = (href, key, download) => el("a", { class: "btn btn-small btn-ghost", href, target: "_blank", rel: "noopener", ...(download ? { download: "" } : {}) }, t(key));
  const base = `/api/v1/searches/${searchId}/export/`;
  return el("div", { class: "rec-paper", role: "group", "aria-label": t("paper.menu") },
    a(`/searches/${searchId}/print/assignments`, "paper.briefing"),
    a(`/searches/${searchId}/print/flyer`, "paper.flyer"),
    a(`/searches/${searchId}/print/report`, "paper.report"),
    a(`/searches/${searchId}/replay`, "paper.replay"),
    el("span", { class: "small muted" }, t("paper.export")),
    a(base + "gpx", "paper.gpx", true), a(base + "kml", "paper.kml", true), a(base + "geojson", "paper.geojson", true),
    a(base + "csv", "paper.csv", true));
}

/** Segment names by id, read from the search's model (loaded once, again after the segments change). */
export function segmentNames(searchId, api) {
  let names = new Map();
  let loading = null;
  const load = () => (loading = api("GET", `/api/v1/searches/${searchId}/model`, null, { quiet: true })
    .then((m) => { names = new Map((m.segments || []).map((g) => [g.id, g.name])); })
    .catch(() => {}));
  return {
    get: (id) => names.get(id) || "",
    load,
    /** After an event: reload when it changed the segments (resolves when the names are in). */
    seen(ev) { return /^segment|^video\.blind_spot/.test(ev.type) ? load() : loading; },
  };
}
