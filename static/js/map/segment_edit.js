/* search-coord: changing a segment from the console's Where tab: its name, its prior POA set by hand, its outline
   (Geoman edit of the segment on the map). Only the changed fields are sent, with the version the form was loaded
   from; a 409 (another dispatcher changed it meanwhile) says what is there now, keeps what this one typed and
   starts again from the current version. Other consoles follow through the segment.updated event (where.js).
     const ed = segmentEditor({searchId, t, layerOf, notify});  panel.append(ed.form);  ed.show(segment) */
import { api, errorMessage } from "../lib/api.js";
import { el } from "../lib/dom.js";

const pctText = (x) => `${(100 * x).toFixed(1)}%`;
const poaField = (x) => String(Math.round(1000 * x) / 10);   // 0.12345 -> "12.3"

export function segmentEditor({ searchId, t, layerOf, notify }) {
  const num = (name, attrs) => el("input", { name, type: "number", ...attrs });
  const btn = (label, attrs) => el("button", { class: "sc-btn sc-btn-small", type: "button", ...attrs }, label);
  const form = el("form", { class: "sc-where-edit", hidden: true },
    el("label", {}, t("where.seg_name"), " ", el("input", { name: "name", maxlength: 20, size: 8 })), " ",
    el("label", {}, t("where.seg_poa"), " ", num("poa", { min: 0, max: 100, step: "any" })), " ",
    btn(t("where.seg_save"), { type: "submit" }), " ", btn(t("where.seg_shape"), { "data-shape": true }));
  const shapeBtn = form.querySelector("[data-shape]");
  let base = null;       // {id, version, name, poa0} the form was loaded from
  let shaping = null;    // the map layer whose outline is being edited

  const typed = () => ({ name: form.name.value.trim(), poa: form.poa.value });
  const dirty = () => base && (typed().name !== base.name || typed().poa !== poaField(base.poa0));

  function load(seg) {
    base = { id: seg.id, version: seg.version, name: seg.name, poa0: seg.poa0 };
    form.name.value = seg.name;
    form.poa.value = poaField(seg.poa0);
    const old = form.querySelector(".sc-seg-conflict");
    if (old) old.remove();
  }

  function stopShaping() {
    if (shaping && shaping.pm) shaping.pm.disable();
    shaping = null;
    shapeBtn.textContent = t("where.seg_shape");
  }

  async function send(body) {
    try {
      const saved = await api("PATCH", `/api/v1/searches/${searchId}/segments/${base.id}`,
        { version: base.version, ...body }, { quiet: true });
      load(saved);
      notify(t("console.saved"));
      return true;
    } catch (err) {
      if (err.status === 409 && err.data && err.data.current) {
        const keep = typed(), old = base, cur = err.data.current;
        load(cur);    // the current values; what this dispatcher changed stays typed, saving again applies it
        if (keep.name !== old.name) form.name.value = keep.name;
        if (keep.poa !== poaField(old.poa0)) form.poa.value = keep.poa;
        form.prepend(el("p", { class: "sc-seg-conflict overlap-warning", role: "alert" },
          t("where.seg_conflict", { name: cur.name, poa: pctText(cur.poa0) })));
      } else notify(errorMessage(err));
      return false;
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!base) return;
    const now = typed(), body = {};
    if (now.name && now.name !== base.name) body.name = now.name;
    if (now.poa !== "" && now.poa !== poaField(base.poa0)) body.poa0 = Number(now.poa) / 100;
    if (Object.keys(body).length) send(body);
  });

  shapeBtn.addEventListener("click", async () => {
    if (!base) return;
    const layer = layerOf(base.id);
    if (!shaping) {   // the first click: drag the corners on the map; the second sends the outline
      const poly = layer && layer.getLayers()[0];
      if (!poly || !poly.pm) return;
      shaping = poly;
      poly.pm.enable({ allowSelfIntersection: false });
      shapeBtn.textContent = t("where.seg_shape_save");
      return;
    }
    const geometry = shaping.toGeoJSON().geometry;
    stopShaping();
    await send({ geometry });
  });

  /** Show the form for a segment (a click on the map or the table); the same segment's live values are loaded
      unless the dispatcher has typed something not yet saved. */
  function show(seg) {
    if (!seg) { form.hidden = true; return; }
    form.hidden = false;
    if (!base || base.id !== seg.id) { stopShaping(); load(seg); }
    else if (!dirty() && !form.contains(document.activeElement) && !shaping) load(seg);
    // else: what is typed stays; if the segment changed meanwhile, saving answers 409 with the current values
  }

  return { form, show };
}
