/* search-coord: the urgency strip, on the console and the phone, always in view: missing for, sunset / end of civil
   twilight / sunrise at the last known point, the temperature now and tonight's low, medication due with a
   countdown, the risk with its reasons; on the console also the escalation prompts (tick or dismiss, into the log)
   and the weather entry. urgencyStrip({box, searchId, canEdit}) -> {load(), onEvent(ev)}; the server computes the
   facts (GET .../urgency), the page counts down between reads. Times on the station's clock. */
import { api } from "../lib/api.js";
import { debug } from "../lib/debug.js";
import { clear, el, toast } from "../lib/dom.js";
import { fmtSince, fmtTime, zoneLabel } from "../lib/format.js";
import { lang, t, tEnum } from "../lib/i18n.js";
import { askText } from "../reports/dialogs.js";

const ms = (iso) => (iso ? new Date(iso).getTime() : null);

/** "in 25 min" / "25 min ago", from now to ``iso``. */
function until(iso, now) {
  const d = ms(iso) - now;
  const mins = Math.round(Math.abs(d) / 60000);
  const span = mins >= 60 ? t("duration.hm", { h: Math.floor(mins / 60), m: String(mins % 60).padStart(2, "0") })
    : t("duration.m", { m: mins });
  return d >= 0 ? t("urgency.in", { d: span }) : t("urgency.ago", { d: span });
}

export function urgencyStrip(opts) {
  const { box, searchId, canEdit } = opts;
  let data = null;
  let loading = null;

  function load() {
    if (loading) return loading;
    loading = api("GET", `/api/v1/searches/${searchId}/urgency`, null, { quiet: true })
      .then((d) => { data = d; render(); })
      .catch(() => {})
      .finally(() => { loading = null; });
    return loading;
  }

  const item = (cls, label, value, sub) => el("div", { class: "urg-item " + cls },
    el("span", { class: "urg-label" }, label), el("strong", { class: "urg-value" }, value),
    sub ? el("span", { class: "urg-sub" }, sub) : null);

  function lightItem(now) {
    const L = data.light;
    if (!L.sunset && !L.sunrise) return item("urg-light", t("urgency.light"), t("urgency.no_sunset"));
    const dark = L.dark;
    const value = dark ? t("urgency.dark_now") : now < ms(L.sunset) ? t("urgency.sunset_at", { time: fmtTime(L.sunset) })
      : t("urgency.dusk_at", { time: fmtTime(L.dusk) });
    const sub = [t("urgency.sunset") + " " + fmtTime(L.sunset), t("urgency.dusk") + " " + fmtTime(L.dusk),
      t("urgency.sunrise") + " " + fmtTime(L.sunrise)].join(" · ");
    const next = dark ? L.sunrise : now < ms(L.sunset) ? L.sunset : L.dusk;
    return item("urg-light" + (dark ? " urg-dark" : ""), t("urgency.light"), value,
      (next ? until(next, now) + " · " : "") + sub);
  }

  function weatherItem() {
    const w = data.weather;
    const deg = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 10) / 10} °C`);
    const node = item("urg-weather" + (data.facts && data.facts.cold ? " urg-cold" : ""), t("urgency.temperature"),
      w ? `${deg(w.temperature_c)} · ${t("urgency.low")} ${deg(w.low_tonight_c)}` : t("urgency.not_entered"),
      w ? t("urgency.weather_at", { time: fmtTime(w.at) }) : null);
    if (canEdit) node.append(el("button", { type: "button", class: "btn btn-small btn-ghost urg-set-weather", onclick: enterWeather }, t("urgency.set_weather")));
    return node;
  }

  function medItems(now) {
    return (data.medications || []).map((m) => (m.overdue_since
      ? item("urg-med urg-overdue", m.name, t("urgency.med_overdue", { time: fmtTime(m.overdue_since) }), until(m.overdue_since, now))
      : item("urg-med", m.name, t("urgency.med_due", { time: fmtTime(m.next_at) }), until(m.next_at, now))));
  }

  function riskItem() {
    const r = data.risk;
    const reasons = r.reasons.map((x) => tEnum("reason", x)).join(t("list.sep"));
    const node = item("urg-risk risk-" + r.level, t("search.risk"), tEnum("risk_level", r.level), reasons || null);
    if (r.suggested.length) {
      node.append(el("span", { class: "urg-sub urg-suggested" },
        t("urgency.suggested", { reasons: r.suggested.map((x) => tEnum("reason", x)).join(t("list.sep")) })));
    }
    return node;
  }

  function promptText(p) {
    if (p.text && (p.text[lang] || p.text.en)) return p.text[lang] || p.text.en;
    return t("prompt." + p.base);
  }

  function promptsBox() {
    const due = data.prompts.filter((p) => p.state === "due");
    const decided = data.prompts.filter((p) => p.state !== "due");
    const list = el("ul", { class: "urg-prompts" }, due.map((p) => el("li", { class: "urg-prompt", dataset: { prompt: p.id } },
      el("span", { class: "grow" }, promptText(p)),
      el("button", { type: "button", class: "btn btn-small btn-primary", onclick: () => decide(p, "done") }, "✓ " + t("urgency.done")),
      el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => decide(p, "dismissed") }, t("urgency.dismiss")))));
    const summary = decided.length ? el("p", { class: "small muted" }, t("urgency.decided_n", { n: decided.length }),
      " ", decided.map((p) => `${p.state === "done" ? "✓" : "✕"} ${promptText(p)}`).join(" · ")) : null;
    return el("div", { class: "urg-prompt-box" + (due.length ? " has-due" : "") },
      el("strong", { class: "urg-label" }, t("urgency.prompts", { n: due.length })), list, summary);
  }

  function render() {
    if (!data) return;
    const now = Date.now();
    const ended = data.found || data.status === "closed";
    const end = data.found ? ms(data.found.time) : now;
    const parts = [
      item("urg-missing", data.found ? t("console.missing_for_found") : t("console.missing_for"),
        fmtSince(data.missing_since, end), t("urgency.since", { time: fmtTime(data.missing_since), zone: zoneLabel() })),
      ended ? null : lightItem(now),
      ended ? null : weatherItem(),
      ...(ended ? [] : medItems(now)),
      riskItem(),
      canEdit && !ended && data.prompts.length ? promptsBox() : null];
    clear(box).append(...parts.filter(Boolean));
    box.hidden = false;
    box.classList.toggle("urg-alarm", !ended && (data.medications || []).some((m) => m.overdue_since));
  }

  async function decide(p, decision) {
    let note = null;
    if (decision === "done") {
      note = await askText(promptText(p), t("urgency.note"), { submitLabel: t("urgency.done") });
      if (note === null) return;
    }
    try {
      await api("POST", `/api/v1/searches/${searchId}/prompts/${encodeURIComponent(p.id)}`, note ? { decision, note } : { decision });
      toast(decision === "done" ? t("urgency.ticked") : t("urgency.dismissed"), "ok");
      load();
    } catch (e) { /* shown */ }
  }

  async function enterWeather() {
    const answer = await askText(t("urgency.weather_title"), t("urgency.weather_label"), { required: true, submitLabel: t("action.save") });
    if (answer === null) return;
    const nums = String(answer).replace(/[−–]/g, "-").match(/-?\d+(\.\d+)?/g) || [];
    if (!nums.length) { toast(t("urgency.weather_bad"), "error"); return; }
    const body = { temperature_c: Number(nums[0]) };
    if (nums.length > 1) body.low_tonight_c = Number(nums[1]);
    try {
      await api("POST", `/api/v1/searches/${searchId}/weather`, body);
      load();
    } catch (e) { /* shown */ }
  }

  function onEvent(ev) {
    const kind = ev.type.split(".")[0];
    if (kind === "search" || kind === "urgency" || ev.type === "video.sighting_decided") load();
  }

  setInterval(render, 30000);
  setInterval(load, 120000);
  debug.urgency = { load, data: () => data };
  return { load, onEvent };
}
