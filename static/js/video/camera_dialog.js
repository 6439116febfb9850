/* search-coord: adding a camera — a point picked on the map, then its code, kind, owner, view (direction, field of
   view, range), retention and clock offset. cameraDialog(v) -> {open()}; v is the panel's context (video/panel.js). */
import { api } from "../lib/api.js";
import { el, toast } from "../lib/dom.js";
import { fmtCoord } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { pickPoint } from "../map/base.js";
import { CAMERA_KINDS, DIR_DEG, compass, dialog, field, resetForm, showErrors } from "./common.js";

export function cameraDialog(v) {
  const id = "vcam-dialog";
  const num = (name, label, attrs) => field(name, label, el("input", Object.assign({ id: id + "-" + name, name, type: "number", step: "any" }, attrs || {})));
  const text = (name, label, attrs) => field(name, label, el("input", Object.assign({ id: id + "-" + name, name }, attrs)));
  const body = el("div", {},
    el("p", { class: "hint vcam-where" }),
    el("div", { class: "row" },
      text("code", t("camera.code"), { maxlength: 20, required: true, placeholder: "C12" }),
      field("kind", t("camera.kind"), el("select", { id: id + "-kind", name: "kind" }, CAMERA_KINDS.map((k) => el("option", { value: k }, tEnum("camera_kind", k)))))),
    text("name", t("camera.name"), { maxlength: 120, required: true }),
    el("div", { class: "row" },
      text("owner", t("camera.owner_only"), { maxlength: 120 }),
      text("contact", t("camera.contact"), { maxlength: 120 })),
    el("div", { class: "row" },
      el("fieldset", { class: "field", "data-field": "direction_deg" }, el("legend", {}, t("camera.direction")), compass("cam_direction")),
      el("div", { class: "vcam-view" },
        num("fov_deg", t("camera.fov"), { min: 1, max: 360, value: 60 }),
        num("range_m", t("camera.range"), { min: 1, max: 500, value: 40 }))),
    el("div", { class: "row" },
      num("retention_days", t("camera.retention_days_label"), { min: 0, max: 3650, step: 1 }),
      num("clock_offset_s", t("camera.offset_label"), { value: 0, step: 1 })),
    el("p", { class: "hint" }, t("camera.offset_hint")),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "covers_exit" }), el("span", {}, t("camera.covers_exit_label"))),
    field("notes", t("camera.notes"), el("textarea", { id: id + "-notes", name: "notes", rows: 2, maxlength: 2000 })));
  const dlg = dialog(id, t("camera.add_title"), body, t("camera.add_submit"));
  const form = dlg.querySelector("form");
  let at = null;

  async function open() {
    const picked = await pickPoint(v.map, t("camera.pick_hint"));
    if (!picked) return;
    resetForm(form);
    at = picked;
    form.querySelector(".vcam-where").textContent = t("report.location_is", { coords: fmtCoord(at[0], at[1]) });
    dlg.showModal();
    form.elements.code.focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = form.elements;
    const sent = {
      code: f.code.value.trim(), name: f.name.value.trim(), kind: f.kind.value,
      location: { type: "Point", coordinates: at }, covers_exit: f.covers_exit.checked,
    };
    const dir = form.querySelector("input[name=cam_direction]:checked");
    sent.direction_deg = dir && dir.value ? DIR_DEG[dir.value] : null;
    for (const k of ["fov_deg", "range_m", "retention_days", "clock_offset_s"]) if (f[k].value !== "") sent[k] = Number(f[k].value);
    for (const k of ["owner", "contact", "notes"]) if (f[k].value.trim()) sent[k] = f[k].value.trim();
    const errors = {};
    if (!sent.code) errors.code = t("form.required");
    if (!sent.name) errors.name = t("form.required");
    if (Object.keys(errors).length) { showErrors(form, { status: 400, data: { errors } }); return; }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await api("POST", "/api/v1/cameras", Object.assign({ search_id: v.searchId }, sent), { quiet: true });
      dlg.close("ok");
      toast(t("camera.added", { code: sent.code }), "ok");
      v.loadSoon(0);
    } catch (err) {
      showErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });

  return { open };
}
