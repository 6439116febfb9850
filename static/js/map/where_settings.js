/* search-coord: the Where tab's model settings form. It sends only the fields this dispatcher changed, with the
   settings version the form was loaded from; a 409 (another dispatcher saved meanwhile) shows their values beside
   what this one typed, keeps what was typed and loads the rest, and saving again starts from the current version. */
import { api, errorMessage } from "../lib/api.js";
import { el, toast } from "../lib/dom.js";

const MODES = ["foot", "vehicle", "door_to_door"];

/** The form's values as the API's settings fields (numbers; max reach in metres or null). */
function valuesOf(s) {
  const out = { walking_speed_ms: Number(s.walking_speed_ms), max_reach_m: s.max_reach_m ? Number(s.max_reach_m) : null };
  for (const m of MODES) out["w_" + m] = Number((s.sweep_width_m || {})[m]);
  return out;
}
function typedOf(f) {
  const out = { walking_speed_ms: Number(f.walking_speed_ms.value),
    max_reach_m: f.max_reach_km.value ? Number(f.max_reach_km.value) * 1000 : null };
  for (const m of MODES) out["w_" + m] = Number(f["w_" + m].value);
  return out;
}
function setField(f, k, v) {
  if (k === "max_reach_m") f.max_reach_km.value = v ? v / 1000 : "";
  else f[k].value = v;
}

/** Wire the form: returns fill(settings), to call whenever the model is loaded. */
export function wireSettings(f, searchId, t) {
  let base = null; // {version, ...valuesOf(settings)}: what the form was loaded from
  const show = (current, typed) => {
    const old = f.querySelector(".edit-conflict");
    if (old) old.remove();
    if (!current) return;
    const now = valuesOf(current);
    const changed = Object.keys(now).filter((k) => now[k] !== base[k]);
    f.prepend(el("div", { class: "overlap-warning edit-conflict", role: "alert" },
      el("p", {}, t("conflict.notice", { changes: changed.join(t("list.sep")) || t("conflict.other") })),
      el("dl", {}, ...changed.flatMap((k) => [el("dt", {}, k), el("dd", {}, `${t("conflict.now")}: ${now[k]}`),
        typed[k] !== base[k] ? el("dd", {}, `${t("conflict.yours")}: ${typed[k]}`) : null]))));
  };
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!base) return;
    const typed = typedOf(f);
    const body = { version: base.version };
    for (const [k, v] of Object.entries(typed)) {
      if (v === base[k]) continue;
      if (k.startsWith("w_")) (body.sweep_width_m = body.sweep_width_m || {})[k.slice(2)] = v;
      else body[k] = v;
    }
    if (Object.keys(body).length === 1) { toast(t("conflict.nothing"), "ok"); return; }
    try {
      const res = await api("PATCH", `/api/v1/searches/${searchId}/model/settings`, body, { quiet: true });
      base = { version: res.version, ...valuesOf(res) };
      show(null);
      toast(t("console.saved"), "ok");
    } catch (err) {
      if (err.status === 409 && err.data && err.data.current) {
        const current = err.data.current;
        show(current, typed);
        const now = valuesOf(current);
        for (const k of Object.keys(now)) if (typed[k] === base[k]) setField(f, k, now[k]);
        base = { version: current.version, ...now };
      } else toast(errorMessage(err), "error");
    }
  });
  return function fill(s) {
    if (f.contains(document.activeElement) || f.querySelector(".edit-conflict")) return; // never overwrite typing
    base = { version: s.version, ...valuesOf(s) };
    for (const [k, v] of Object.entries(base)) if (k !== "version") setField(f, k, v);
  };
}
