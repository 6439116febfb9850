/* search-coord: the dialog that logs a sighting on a camera's footage (recorder time or true time, the direction,
   the confidence, a still), sent through the outbox so that it survives a lost connection.
   sightingDialog(v) -> {open({camera_id?, task?})}; v is the panel's context (video/panel.js). */
import { randomId } from "../lib/api.js";
import { el, fillSelect, toast } from "../lib/dom.js";
import { localInputToIso } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { sendReport } from "../reports/outbox_view.js";
import { CONFIDENCES, compass, dialog, field, resetForm, segmented, showErrors, toLocalInputSec } from "./common.js";
import { cameraPairs, clockHint } from "./interval_dialog.js";

export function sightingDialog(v) {
  const id = "vsight-dialog";
  const camSel = el("select", { id: id + "-camera", name: "camera_id", required: true });
  const photo = el("input", { id: id + "-photo", name: "photo", type: "file", accept: "image/*" });
  const legend = (name, label, ...inner) => el("fieldset", { class: "field", "data-field": name }, el("legend", {}, label), ...inner);
  const body = el("div", {},
    field("camera_id", t("video.camera"), camSel),
    el("div", { class: "row" },
      field("time", t("video.recorder_time_label"), el("input", { id: id + "-time", name: "time", type: "datetime-local", step: 1, required: true })),
      legend("clock", t("video.clock"), segmented("sclock", ["recorder", "true"], (c) => t("video.clock_" + c), { checked: "recorder" }))),
    el("p", { class: "hint vsight-hint" }),
    el("div", { class: "row" },
      legend("direction", t("clue.direction"), compass("direction")),
      legend("confidence", t("video.confidence"), segmented("confidence", CONFIDENCES, (c) => tEnum("confidence", c), { cls: "stack" }))),
    field("photo_id", t("video.still"), photo),
    field("notes", t("video.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000, placeholder: t("video.sighting_notes_hint") })));
  const dlg = dialog(id, t("video.sighting_title"), body, t("video.send_sighting"));
  const form = dlg.querySelector("form");
  let clientId = null;
  let busy = false;

  function updateHint() {
    const c = v.camById(parseInt(camSel.value, 10));
    form.querySelector(".vsight-hint").textContent = clockHint(c, form.querySelector("input[name=sclock]:checked").value);
  }
  camSel.addEventListener("change", updateHint);
  form.addEventListener("change", (e) => { if (e.target.name === "sclock") updateHint(); });

  function open(o) {
    if (!v.data) return;
    resetForm(form);
    clientId = randomId("vsig");
    fillSelect(camSel, cameraPairs(v.knownCameras()), { blank: t("form.choose") });
    camSel.value = o.camera_id ? String(o.camera_id) : "";
    const tk = o.task || null;
    const p = o.camera_id ? v.proposalOf(o.camera_id) : null;
    const from = tk ? tk.recorder_start : p ? p.recorder_start : null;
    form.elements.time.value = from ? toLocalInputSec(new Date(from)) : "";
    updateHint();
    dlg.showModal();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const f = form.elements;
    const conf = form.querySelector("input[name=confidence]:checked");
    const errors = {};
    if (!f.camera_id.value) errors.camera_id = t("form.required");
    if (!f.time.value) errors.time = t("form.required");
    if (!conf) errors.confidence = t("form.required");
    if (Object.keys(errors).length) { showErrors(form, { status: 400, data: { errors } }); return; }
    const cam = v.camById(parseInt(f.camera_id.value, 10));
    const sent = {
      camera_id: parseInt(f.camera_id.value, 10),
      time: localInputToIso(f.time.value),
      clock: form.querySelector("input[name=sclock]:checked").value,
      confidence: conf.value,
      client_id: clientId,
    };
    const dir = form.querySelector("input[name=direction]:checked");
    if (dir && dir.value) sent.direction = dir.value;
    const notes = f.notes.value.trim();
    if (notes) sent.notes = notes;
    busy = true;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const res = await sendReport({
        kind: "sighting", url: `${v.base}/sightings`, body: sent, clientId,
        photo: photo.files[0] || null, label: t("video.sighting_label", { code: cam ? cam.code : "", time: f.time.value.slice(11) }),
      });
      if (res.result === "failed") { showErrors(form, res.error); return; }
      dlg.close("ok");
      toast(res.result !== "sent" ? t("outbox.queued") : v.canDecide ? t("video.sighting_sent_desk") : t("video.sighting_sent"), res.result === "sent" ? "ok" : "info");
      clientId = null;
      v.loadSoon(0);
    } catch (err) {
      showErrors(form, err);
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });

  return { open };
}
