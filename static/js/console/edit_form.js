/* search-coord: editing the search (risk, its reasons, notes): only the changed fields are sent, with the version
   the form was loaded from; a 409 shows what another dispatcher changed meanwhile beside what this one typed, keeps
   the typed values and loads the rest. editForm(c) -> {follow(search), optionsReady()}; c is the console's context. */
import { api, errorMessage } from "../lib/api.js";
import { $, $$, el, showFieldErrors, toast } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";

const EDIT_FIELDS = ["risk", "risk_reasons", "notes"];
const editValues = (src) => ({ risk: src.risk, risk_reasons: (src.risk_reasons || []).slice().sort(),
  notes: (src.notes || "").trim() });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const shown = (k, v) => (k === "risk" ? tEnum("risk_level", v)
  : k === "risk_reasons" ? (v.map((r) => tEnum("reason", r)).join(t("list.sep")) || "—")
    : (v.length > 80 ? v.slice(0, 80) + "…" : v || "—"));

export function editForm(c) {
  const form = $("#edit-search");
  let editBase = null;   // {version, risk, risk_reasons, notes} the form was loaded from

  const formValues = () => editValues({
    risk: $("#e-risk").value,
    risk_reasons: $$("#edit-search input[name=risk_reasons]:checked").map((x) => x.value),
    notes: $("#e-notes").value,
  });
  function editChanged() {
    if (!editBase) return false;
    const now = formValues();
    return EDIT_FIELDS.some((k) => !same(now[k], editBase[k]));
  }
  function setField(k, v) {
    if (k === "risk") $("#e-risk").value = v;
    else if (k === "risk_reasons") $$("#edit-search input[name=risk_reasons]").forEach((x) => { x.checked = v.includes(x.value); });
    else $("#e-notes").value = v;
  }
  function loadEdit(s) {
    const values = editValues(s);
    EDIT_FIELDS.forEach((k) => setField(k, values[k]));
    editBase = { version: s.version, ...values };
    showConflict(null);
  }

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
    form.prepend(note);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!editBase) editBase = { version: c.st().search.version, ...editValues(c.st().search) };
    const typed = formValues();
    const body = { version: editBase.version };
    for (const k of EDIT_FIELDS) if (!same(typed[k], editBase[k])) body[k] = typed[k];
    if (Object.keys(body).length === 1) { toast(t("conflict.nothing"), "ok"); return; }
    try {
      const saved = await api("PATCH", `/api/v1/searches/${c.searchId}`, body, { quiet: true });
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

  /** The form follows the live values unless the user is typing in it or has changed something unsaved. */
  function follow(s) {
    if (!form.contains(document.activeElement) && !editChanged()) loadEdit(s);
  }

  /** The risk levels and reasons arrive with /meta, maybe after the search's values were loaded into the form (a
      select without its options keeps no value): put the loaded values in again. The user cannot have chosen any. */
  function optionsReady() {
    if (editBase) ["risk", "risk_reasons"].forEach((k) => setField(k, editBase[k]));
  }

  return { follow, optionsReady };
}
