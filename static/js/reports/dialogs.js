/* search-coord: the report dialogs shared by the console and the field page — clue/sighting and FOUND.
   Each report carries a client_id kept until it is accepted, so a retry after a network failure applies once. */
import { errorMessage, randomId } from "../lib/api.js";
import { $$, clear, el, showFieldErrors, toast } from "../lib/dom.js";
import { dateToLocalInput, fmtCoord, localInputToIso, wallClock, wallToMs } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { fieldError } from "../lib/server_text.js";
import { pickPoint } from "../map/base.js";
import { sendReport } from "./outbox_view.js";

const DIRECTIONS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];

/** A form dialog: title, body, an error line, Cancel and a submit button (shared by every report dialog). */
function dialogShell(id, title, body, submitLabel, submitClass, extraClass) {
  const dlg = el("dialog", { id, class: "dialog" + (extraClass ? " " + extraClass : ""), "aria-labelledby": id + "-title" },
    el("form", { method: "dialog", class: "form dialog-form", novalidate: true },
      el("h2", { id: id + "-title" }, title),
      body,
      el("div", { class: "form-errors", role: "alert" }),
      el("div", { class: "dialog-actions" },
        el("button", { type: "button", class: "btn btn-ghost", "data-close": true }, t("action.cancel")),
        el("button", { type: "submit", class: "btn " + (submitClass || "btn-primary"), value: "ok" }, submitLabel))));
  document.body.append(dlg);
  return dlg;
}

/**
 * A "where" chooser: the current position (opts.getPosition), the LKP (opts.lkp), or a point picked on opts.map.
 * Returns {node, get(), refresh()}.
 */
function locationChooser(name, opts, dlg) {
  let picked = null;
  const info = el("p", { class: "loc-info", "aria-live": "polite" });
  const choices = el("div", { class: "segmented loc-choices" });
  const mk = (value, label) => el("label", { class: "seg" }, el("input", { type: "radio", name: name + "-where", value }), el("span", {}, label));
  if (opts.getPosition) choices.append(mk("here", t("report.where_here")));
  if (opts.lkp) choices.append(mk("lkp", t("report.where_lkp")));
  choices.append(mk("map", t("report.where_map")));
  const pickBtn = el("button", { type: "button", class: "btn btn-small" }, t("report.pick_on_map"));
  let asked = null;      // a fix asked for by this dialog (sharing is off): [lon, lat]
  let asking = false;
  const mode = () => { const r = choices.querySelector("input:checked"); return r ? r.value : null; };
  const here = () => (opts.getPosition && opts.getPosition()) || asked;
  const current = () => {
    const m = mode();
    if (m === "here") return here();
    if (m === "lkp") return opts.lkp();
    if (m === "map") return picked;
    return null;
  };
  /* "My position" with no fix (sharing off): ask the phone for one now rather than say "no location yet" */
  function askFix() {
    if (asking || !navigator.geolocation) return;
    asking = true;
    navigator.geolocation.getCurrentPosition((p) => {
      asking = false;
      asked = [Number(p.coords.longitude.toFixed(6)), Number(p.coords.latitude.toFixed(6))];
      refresh();
    }, (err) => {
      asking = false;
      info.textContent = t("report.fix_failed", { why: err && err.code === 1 ? t("report.fix_denied") : t("report.fix_timeout") });
      info.classList.add("warn");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
  }
  const refresh = () => {
    const c = current();
    if (!c && mode() === "here") askFix();
    info.textContent = c ? t("report.location_is", { coords: fmtCoord(c[0], c[1]) })
      : asking ? t("report.getting_fix") : t("report.no_location");
    info.classList.toggle("warn", !c && !asking);
  };
  choices.addEventListener("change", () => {
    refresh();
    if (choices.querySelector("input:checked").value === "map" && !picked) pick();
  });
  async function pick() {
    dlg.close("picking");
    // on a phone the map may be below the fold: bring it into view for the tap
    const box = opts.map.getContainer();
    box.scrollIntoView({ block: "center" });
    opts.map.invalidateSize();
    const p = await pickPoint(opts.map, t("report.pick_hint"));
    if (p) picked = p;
    const mapRadio = choices.querySelector("input[value=map]");
    if (p) mapRadio.checked = true;
    refresh();
    dlg.showModal();
  }
  pickBtn.addEventListener("click", pick);
  const node = el("fieldset", { class: "field" }, el("legend", {}, t("report.location")), choices, el("div", { class: "loc-row" }, info, pickBtn));
  const reset = () => {
    picked = null;
    asked = null;
    let mode = "map";
    if (opts.getPosition && opts.getPosition()) mode = "here";
    else if (opts.lkp) mode = "lkp";
    else if (opts.getPosition) mode = "here";
    const r = choices.querySelector(`input[value=${mode}]`) || choices.querySelector("input");
    r.checked = true;
    refresh();
  };
  return { node, get: current, refresh, reset };
}

/** A report went into the outbox: close the dialog and say whether it is already on the server.
    Returns false (dialog kept open, errors shown) when the server refused it. */
function reportDone(form, dlg, res, sentKey) {
  if (res.result === "failed") { showErrors(form, res.error); return false; }
  dlg.close("ok");
  toast(res.result === "sent" ? t(sentKey) : t("outbox.queued"), res.result === "sent" ? "ok" : "info");
  return true;
}

/** Open a report dialog clean, with the time set to now. */
function openReport(form, dlg, timeInput, where) {
  form.reset();
  clear(form.querySelector(".form-errors"));
  $$(".field-error", form).forEach((n) => n.remove());
  timeInput.value = dateToLocalInput(new Date());
  where.reset();
  dlg.showModal();
}

/** A failed submit in a dialog's form: a 400's errors beside their fields (the rest, and any other error, in the
    form's .form-errors box). */
export function showErrors(form, err) {
  const box = clear(form.querySelector(".form-errors"));
  if (err && err.status === 400 && err.data && (err.data.errors || err.data.fields)) {
    const errors = err.data.errors || err.data.fields;
    for (const k of showFieldErrors(form, errors)) box.append(el("p", {}, fieldError(k, errors[k])));
  } else {
    showFieldErrors(form, {});
    box.append(el("p", {}, errorMessage(err)));
  }
}

/**
 * When a witness saw it, chosen one-handed: big "now / 5 / 15 / 30 min / 1 h ago" buttons, or a time of day typed
 * ("Seen at" hh:mm: today, or yesterday when that is still to come). Returns {node, get() -> ISO, reset()}.
 */
function seenChooser(id) {
  const AGO = [0, 5, 15, 30, 60];
  const chips = el("div", { class: "segmented seen-choices" }, AGO.map((m) => el("label", { class: "seg" },
    el("input", { type: "radio", name: id + "-ago", value: String(m) }),
    el("span", {}, m === 0 ? t("phone.seen_now") : m === 60 ? t("phone.seen_hour") : t("phone.seen_min", { n: m })))));
  const input = el("input", { id: id + "-seen", name: "seen", type: "time", class: "seen-time", "aria-label": t("phone.seen_at") });
  const note = el("span", { class: "small muted seen-note", "aria-live": "polite" });
  const hhmm = (d) => { const w = wallClock(d); return String(w.h).padStart(2, "0") + ":" + String(w.mi).padStart(2, "0"); };
  const ago = () => { const r = chips.querySelector("input:checked"); return r ? Number(r.value) : null; };
  const fromInput = () => {
    const m = /^(\d{1,2}):(\d{2})/.exec(input.value || "");
    if (!m) return null;
    const now = wallClock(new Date());   // the station's day, whatever zone the phone is set to
    let ms = wallToMs(now.y, now.mo, now.d, Number(m[1]), Number(m[2]));
    if (ms > Date.now() + 5 * 60000) ms -= 86400000; // 23:50 typed at 00:10: yesterday
    return new Date(ms);
  };
  const show = () => {
    const d = fromInput();
    note.textContent = d && wallClock(d).d !== wallClock(new Date()).d ? t("phone.seen_yesterday") : "";
  };
  chips.addEventListener("change", () => { input.value = hhmm(new Date(Date.now() - ago() * 60000)); show(); });
  input.addEventListener("input", () => { chips.querySelectorAll("input").forEach((r) => { r.checked = false; }); show(); });
  const node = el("fieldset", { class: "field seen-field", "data-field": "time" },
    el("legend", {}, t("phone.seen_at")), chips,
    el("div", { class: "seen-row" }, input, note));
  return {
    node,
    get() {
      const m = ago();
      const d = m !== null ? new Date(Date.now() - m * 60000) : fromInput() || new Date();
      return d.toISOString();
    },
    reset() { chips.querySelector("input").checked = true; input.value = hhmm(new Date()); show(); },
  };
}

/** Submitting a report dialog: ``check()`` returns the form's own errors ({field: message}) or the send to run;
    one send at a time, the button disabled meanwhile, any refusal shown in the form. */
function onSubmitOnce(form, check) {
  let busy = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const send = check();
    if (typeof send !== "function") { showErrors(form, { status: 400, data: { errors: send } }); return; }
    const submit = form.querySelector("button[type=submit]");
    busy = true;
    submit.disabled = true;
    try {
      await send();
    } catch (err) {
      showErrors(form, err);
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
}

/** The clue / sighting dialog. opts: {searchId, map, getPosition?, lkp?, allowTime?} -> {open()}; without allowTime
    (the phone) the time is chosen with the "seen at" buttons. */
export { dialogShell };
export function clueReporter(opts) {
  const id = "clue-dialog";
  const kindBox = el("div", { class: "segmented" },
    ["clue", "sighting"].map((k) => el("label", { class: "seg" },
      el("input", { type: "radio", name: "kind", value: k, checked: k === "clue" }), el("span", {}, tEnum("clue_kind", k)))));
  const dirSelect = el("select", { id: id + "-direction", name: "direction" },
    el("option", { value: "" }, t("clue.direction_none")),
    DIRECTIONS.map((d) => el("option", { value: d }, tEnum("dir", d))));
  const timeInput = el("input", { id: id + "-time", name: "time", type: "datetime-local" });
  const photoInput = el("input", { id: id + "-photo", name: "photo", type: "file", accept: "image/*", capture: "environment" });
  const seen = opts.allowTime ? null : seenChooser(id);
  const body = el("div", {},
    el("fieldset", { class: "field", "data-field": "kind" }, el("legend", {}, t("clue.kind")), kindBox),
    el("div", { class: "field", "data-field": "text" },
      el("label", { for: id + "-text" }, t("clue.text")),
      el("textarea", { id: id + "-text", name: "text", rows: 3, maxlength: 4000, required: true })),
    el("div", { class: "row" },
      el("div", { class: "field", "data-field": "direction" }, el("label", { for: id + "-direction" }, t("clue.direction")), dirSelect),
      opts.allowTime ? el("div", { class: "field", "data-field": "time" }, el("label", { for: id + "-time" }, t("clue.time")), timeInput) : null),
    seen ? seen.node : null,
    el("div", { class: "field", "data-field": "photo_id" }, el("label", { for: id + "-photo" }, t("clue.photo")), photoInput));
  const dlg = dialogShell(id, t("clue.dialog_title"), body, t("clue.submit"));
  const form = dlg.querySelector("form");
  const where = locationChooser("clue", opts, dlg);
  form.querySelector(".form-errors").before(el("div", { "data-field": "location" }, where.node));
  let clientId = null;

  onSubmitOnce(form, () => {
    const loc = where.get();
    const text = form.elements.text.value.trim();
    const errors = {};
    if (!text) errors.text = t("form.required");
    if (!loc) errors.location = t("report.no_location");
    return Object.keys(errors).length ? errors : async () => {
      const when = seen ? seen.get() : timeInput.value ? localInputToIso(timeInput.value) : new Date().toISOString();
      const kind = form.querySelector("input[name=kind]:checked").value;
      const payload = { kind, time: when, location: { type: "Point", coordinates: loc }, text, client_id: clientId };
      if (dirSelect.value) payload.direction = dirSelect.value;
      // kept on this device first, then sent; the photo follows the clue (shrunk, then attached to it on the
      // server), so a slow or refused photo never holds back what was seen
      const res = await sendReport({
        kind: "clue", url: `/api/v1/searches/${opts.searchId}/clues`, body: payload, clientId,
        label: tEnum("clue_kind", kind) + ": " + text.slice(0, 60),
      }, { photo: photoInput.files[0] || null });
      if (reportDone(form, dlg, res, "clue.sent")) clientId = null;
    };
  });

  return {
    open() {
      clientId = randomId("clue");
      openReport(form, dlg, timeInput, where);
      if (seen) seen.reset();
    },
  };
}

/** The FOUND dialog. opts: {searchId, map, getPosition?, lkp?, allowTime?} -> {open()} */
export function foundReporter(opts) {
  const id = "found-dialog";
  const condSelect = el("select", { id: id + "-condition", name: "condition", required: true },
    el("option", { value: "" }, t("form.choose")),
    ["well", "injured", "ill", "deceased", "unknown"].map((c) => el("option", { value: c }, tEnum("condition", c))));
  const timeInput = el("input", { id: id + "-time", name: "time", type: "datetime-local" });
  const body = el("div", {},
    el("p", { class: "alert alert-found" }, t("found.confirm_text")),
    el("div", { class: "row" },
      el("div", { class: "field", "data-field": "condition" }, el("label", { for: id + "-condition" }, t("found.condition")), condSelect),
      opts.allowTime ? el("div", { class: "field", "data-field": "time" }, el("label", { for: id + "-time" }, t("found.time")), timeInput) : null),
    el("div", { class: "field", "data-field": "notes" },
      el("label", { for: id + "-notes" }, t("found.notes")),
      el("textarea", { id: id + "-notes", name: "notes", rows: 3, maxlength: 4000 })));
  const dlg = dialogShell(id, t("found.dialog_title"), body, t("found.submit"), "btn-found");
  const form = dlg.querySelector("form");
  const where = locationChooser("found", opts, dlg);
  form.querySelector(".form-errors").before(el("div", { "data-field": "location" }, where.node));
  let clientId = null;

  onSubmitOnce(form, () => {
    const loc = where.get();
    const errors = {};
    if (!condSelect.value) errors.condition = t("form.required");
    if (!loc) errors.location = t("report.no_location");
    return Object.keys(errors).length ? errors : async () => {
      const when = opts.allowTime && timeInput.value ? localInputToIso(timeInput.value) : new Date().toISOString();
      const notes = form.elements.notes.value.trim();
      const payload = { time: when, location: { type: "Point", coordinates: loc }, condition: condSelect.value, client_id: clientId };
      if (notes) payload.notes = notes;
      const res = await sendReport({ kind: "found", url: `/api/v1/searches/${opts.searchId}/found`, body: payload, clientId });
      if (reportDone(form, dlg, res, "found.sent")) clientId = null;
    };
  });

  return {
    open() {
      clientId = randomId("found");
      openReport(form, dlg, timeInput, where);
    },
  };
}

/** Ask for a text (e.g. a debrief or a reason) in a small dialog; resolves with the text or null. */
export function askText(title, label, opts) {
  opts = opts || {};
  return new Promise((resolve) => {
    const id = "ask-" + randomId();
    const area = el("textarea", { id: id + "-text", name: "text", rows: 3, maxlength: 4000, required: !!opts.required });
    const dlg = dialogShell(id, title, el("div", { class: "field", "data-field": "text" }, el("label", { for: id + "-text" }, label), area),
      opts.submitLabel || t("action.save"), opts.submitClass);
    const form = dlg.querySelector("form");
    let result = null;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const v = area.value.trim();
      if (opts.required && !v) { showErrors(form, { status: 400, data: { errors: { text: t("form.required") } } }); return; }
      result = v;
      dlg.close("ok");
    });
    dlg.addEventListener("close", () => { dlg.remove(); resolve(result); });
    dlg.showModal();
    area.focus();
  });
}

/** Buttons for the allowed status changes of an assignment; opts.only limits the targets (the field page). */
export function assignmentActions(searchId, a, transitions, opts) {
  opts = opts || {};
  const targets = (transitions[a.status] || []).filter((s) => !opts.only || opts.only.includes(s));
  return el("div", { class: "btn-row" }, targets.map((to) => el("button", {
    type: "button",
    class: "btn btn-small status-btn to-" + to + (opts.big ? " btn-large" : ""),
    onclick: async (e) => {
      let debrief;
      if (to === "done") {
        debrief = await askText(t("assignment.debrief_title", { title: a.title }), t("assignment.debrief_label"), { required: true, submitLabel: t("astatus_to.done") });
        if (debrief === null) return;
      } else if (to === "aborted") {
        if (!window.confirm(t("assignment.confirm_abort", { title: a.title }))) return;
      }
      const btn = e.currentTarget;
      btn.disabled = true;
      const body = { status: to, client_id: randomId("as") };
      if (debrief) body.debrief = debrief;
      const res = await sendReport({
        kind: "status", url: `/api/v1/searches/${searchId}/assignments/${a.id}/status`, body, clientId: body.client_id,
        label: a.title + " → " + tEnum("astatus", to),
      });
      if (res.result === "sent") toast(t("assignment.status_saved", { to: tEnum("astatus", to) }), "ok");
      else if (res.result === "waiting") toast(t("outbox.queued"), "info");
      else toast(errorMessage(res.error), "error");
      if (res.result === "failed") btn.disabled = false;
    },
  }, tEnum("astatus_to", to))).concat(opts.markSearched ? markSearchedButton(searchId, a, opts) : []));
}

/** An area assignment under way can be marked searched with the POD the team states (it adds coverage). */
function markSearchedButton(searchId, a, opts) {
  if (a.kind !== "area" || !["assigned", "in_progress"].includes(a.status)) return [];
  return [el("button", {
    type: "button", class: "btn btn-small mark-searched" + (opts.big ? " btn-large" : ""),
    onclick: async () => {
      const answer = await askText(t("assignment.mark_searched_title", { title: a.title }),
        t("assignment.pod_label"), { required: true, submitLabel: t("assignment.mark_searched") });
      if (answer === null) return;
      const pod = Number(String(answer).replace("%", "").trim());
      if (!Number.isFinite(pod) || pod < 0 || pod > 100) { toast(t("assignment.pod_invalid"), "error"); return; }
      const body = { geometry: a.geometry, pod: pod / 100, client_id: randomId("area") };
      if (a.team_id) body.team_id = a.team_id;
      const res = await sendReport({ kind: "area", url: `/api/v1/searches/${searchId}/searched-areas`, body,
        clientId: body.client_id, label: a.title + " · POD " + pod + "%" });
      if (res.result === "sent") toast(t("assignment.marked", { pod }), "ok");
      else if (res.result === "waiting") toast(t("outbox.queued"), "info");
      else toast(errorMessage(res.error), "error");
    },
  }, t("assignment.mark_searched"))];
}
