/* search-coord: the dialog that records a reviewed stretch of a camera's footage (nothing seen), on the recorder's
   clock or true time, with the overlap warning (409: someone has reviewed or is tasked with it) and "record anyway".
   intervalDialog(v) -> {open({camera_id?, task?})}; v is the panel's context (video/panel.js). */
import { api, randomId } from "../lib/api.js";
import { clear, el, fillSelect, toast } from "../lib/dom.js";
import { localInputToIso } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { dialog, field, firstGap, fmtWindow, ms, offsetText, resetForm, segmented, showErrors, toLocalInputSec } from "./common.js";

/** The camera <select>'s choices, by code ("C2" before "C10"): the cameras the panel names and those in view. */
export function cameraPairs(cameras) {
  return cameras.slice().sort((a, b) => String(a.code).localeCompare(String(b.code), undefined, { numeric: true }))
    .map((c) => [c.id, `${c.code} · ${c.name}`]);
}

/** The hint under a time: how the recorder's clock is off, or that true time is asked. */
export function clockHint(camera, clock) {
  if (!camera) return "";
  return clock === "recorder" ? t("video.recorder_hint", { offset: offsetText(camera.clock_offset_s) }) : t("video.true_hint");
}

export function intervalDialog(v) {
  const id = "vint-dialog";
  const camSel = el("select", { id: id + "-camera", name: "camera_id", required: true });
  const body = el("div", {},
    field("camera_id", t("video.camera"), camSel),
    el("p", { class: "hint vint-task" }),
    el("fieldset", { class: "field", "data-field": "clock" }, el("legend", {}, t("video.clock")),
      segmented("clock", ["recorder", "true"], (c) => t("video.clock_" + c), { checked: "recorder" })),
    el("div", { class: "row" },
      field("start", t("video.from"), el("input", { id: id + "-start", name: "start", type: "datetime-local", step: 1, required: true })),
      field("end", t("video.to"), el("input", { id: id + "-end", name: "end", type: "datetime-local", step: 1, required: true }))),
    el("p", { class: "hint vint-clock-hint" }),
    el("div", { class: "field vint-pod", "data-field": "pod", hidden: true },
      el("label", { for: id + "-pod" }, t("video.pod_exit")),
      el("input", { id: id + "-pod", name: "pod", type: "number", min: 1, max: 99, step: 5, value: 80, inputmode: "numeric" })),
    field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000, placeholder: t("video.nothing_seen") })),
    el("div", { class: "overlap-warning", role: "alert", hidden: true }));
  const dlg = dialog(id, t("video.interval_title"), body, t("video.record"));
  const form = dlg.querySelector("form");
  const warn = form.querySelector(".overlap-warning");
  const anyway = el("button", { type: "button", class: "btn btn-danger btn-large vint-anyway" }, t("video.record_anyway"));
  let task = null;
  let clientId = null;

  function updateHints() {
    const c = v.camById(parseInt(camSel.value, 10));
    form.querySelector(".vint-pod").hidden = !(c && c.covers_exit);
    form.querySelector(".vint-clock-hint").textContent = clockHint(c, form.querySelector("input[name=clock]:checked").value);
  }

  function open(o) {
    if (!v.data) return;
    resetForm(form);
    warn.hidden = true;
    clientId = randomId("vint");
    const tk = o.task || null;
    task = tk;
    fillSelect(camSel, cameraPairs(v.knownCameras()), { blank: t("form.choose") });
    camSel.value = o.camera_id ? String(o.camera_id) : "";
    form.querySelector(".vint-task").textContent = tk ? t("video.for_task", { w: fmtWindow(tk.start, tk.end), rw: fmtWindow(tk.recorder_start, tk.recorder_end, true) }) : "";
    // start where the review stopped: the first unreviewed stretch of the task, on the recorder's clock
    const cam = v.camById(o.camera_id);
    const off = (cam ? (cam.clock_offset_s || 0) : 0) * 1000;
    if (tk) {
      const gap = firstGap(tk.start, tk.end, tk.reviewed) || [ms(tk.start), ms(tk.end)];
      form.elements.start.value = toLocalInputSec(new Date(gap[0] + off));
      form.elements.end.value = toLocalInputSec(new Date(Math.min(gap[1], gap[0] + 30 * 60e3) + off));
    } else {
      const p = o.camera_id ? v.proposalOf(o.camera_id) : null;
      if (p) {
        form.elements.start.value = toLocalInputSec(new Date(p.recorder_start));
        form.elements.end.value = toLocalInputSec(new Date(Math.min(ms(p.recorder_end), ms(p.recorder_start) + 30 * 60e3)));
      }
    }
    updateHints();
    dlg.showModal();
  }
  camSel.addEventListener("change", updateHints);
  form.addEventListener("change", (e) => { if (e.target.name === "clock") updateHints(); });
  form.addEventListener("input", () => { if (!warn.hidden) warn.hidden = true; });

  async function send(confirmOverlap) {
    const f = form.elements;
    const errors = {};
    if (!f.camera_id.value) errors.camera_id = t("form.required");
    if (!f.start.value) errors.start = t("form.required");
    if (!f.end.value) errors.end = t("form.required");
    if (f.start.value && f.end.value && f.end.value <= f.start.value) errors.end = t("video.end_after_start");
    if (Object.keys(errors).length) { showErrors(form, { status: 400, data: { errors } }); return; }
    const sent = {
      camera_id: parseInt(f.camera_id.value, 10),
      start: localInputToIso(f.start.value),
      end: localInputToIso(f.end.value),
      clock: form.querySelector("input[name=clock]:checked").value,
      client_id: clientId,
    };
    if (task && task.camera_id === sent.camera_id) sent.task_id = task.id;
    const notes = f.notes.value.trim();
    if (notes) sent.notes = notes;
    if (!form.querySelector(".vint-pod").hidden && f.pod.value !== "") sent.pod = Number(f.pod.value) / 100; // asked in %
    if (confirmOverlap) sent.confirm_overlap = true;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    anyway.disabled = true;
    try {
      await api("POST", `${v.base}/intervals`, sent, { quiet: true });
      dlg.close("ok");
      toast(t("video.interval_saved"), "ok");
      v.loadSoon(0);
    } catch (err) {
      if (err.status === 409 && err.data && Array.isArray(err.data.overlaps)) showOverlaps(err.data.overlaps);
      else showErrors(form, err);
    } finally {
      submit.disabled = false;
      anyway.disabled = false;
    }
  }

  function showOverlaps(overlaps) {
    clear(form.querySelector(".form-errors"));
    const w = clear(warn);
    w.hidden = false;
    w.append(el("strong", { class: "overlap-title" }, "⚠ " + t("video.overlap_title")),
      el("ul", { class: "overlap-list" }, overlaps.map((o) => el("li", {},
        t("video.overlap_" + (o.kind === "task" ? "task" : "reviewed"), {
          name: o.name || v.userName(o.reviewer_id),
          // the reviewer types recorder times: say the overlap in that clock first
          w: o.recorder_start ? t("video.recorder_window", { w: fmtWindow(o.recorder_start, o.recorder_end, true) })
            + " (" + fmtWindow(o.start, o.end, true) + ")" : fmtWindow(o.start, o.end, true),
        })))),
      el("p", { class: "small" }, t("video.overlap_hint")),
      anyway);
    anyway.focus();
    w.scrollIntoView({ block: "nearest" });
  }
  anyway.addEventListener("click", () => send(true));
  form.addEventListener("submit", (e) => { e.preventDefault(); send(false); });

  return { open };
}
