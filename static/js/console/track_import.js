/* search-coord: importing a track file (GPX / KML / KMZ from a handheld GPS, a vehicle tracker or another app) as a
   named unit's track on this search, from the console's Members tab. DOM nodes and textContent only. */
import { api, errorMessage } from "../lib/api.js";
import { clear, el, fillSelect } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { fieldErrors } from "../lib/server_text.js";

/** The import form in the Members tab; `live` is the console's LiveSearch (for the team list). */
export function startTrackImport(live) {
  const box = document.getElementById("track-import");
  if (!box) return;
  const searchId = parseInt(document.querySelector(".console").dataset.searchId, 10);

  const file = el("input", { type: "file", id: "ti-file", name: "file", accept: ".gpx,.kml,.kmz", required: true });
  const unit = el("input", { type: "text", id: "ti-unit", name: "unit", maxlength: 80, required: true,
    placeholder: t("trackimp.unit_placeholder") });
  const team = el("select", { id: "ti-team", name: "team_id" });
  const result = el("div", { class: "track-import-result", "aria-live": "polite" });
  const submit = el("button", { type: "submit", class: "btn btn-primary" }, t("trackimp.submit"));
  const form = el("form", { class: "form", novalidate: true },
    el("p", { class: "muted small" }, t("trackimp.help")),
    el("div", { class: "field" }, el("label", { for: "ti-file" }, t("trackimp.file")), file),
    el("div", { class: "field" }, el("label", { for: "ti-unit" }, t("trackimp.unit")), unit),
    el("div", { class: "field" }, el("label", { for: "ti-team" }, t("trackimp.team")), team),
    submit, result);
  box.append(el("summary", {}, t("trackimp.title")), form);

  function fillTeams() {
    const st = live.state;
    const teams = st ? st.teams.filter((tm) => !tm.disbanded) : [];
    fillSelect(team, teams.map((tm) => [tm.id, tm.callsign ? `${tm.name} (${tm.callsign})` : tm.name]),
      { blank: t("trackimp.no_team") });
  }
  box.addEventListener("toggle", fillTeams);

  function show(r) {
    clear(result);
    const line = r.duplicate ? t("trackimp.duplicate", { name: r.unit.name })
      : t("trackimp.done", { stored: r.stored, total: r.points_in_file, name: r.unit.name });
    result.append(el("p", { class: r.duplicate ? "muted" : "ok" }, line));
    const notes = (r.notes || []).concat((r.rejected || []).map((x) => ({ index: x.index, reason: x.reason })));
    if (notes.length) {
      const list = el("ul", { class: "small" });
      for (const n of notes.slice(0, 12)) list.append(el("li", {}, t("trackimp.point", { n: n.index + 1 }) + ": " + n.reason));
      if (notes.length > 12 || r.notes_more) list.append(el("li", { class: "muted" }, t("trackimp.more", { n: notes.length - 12 + (r.notes_more || 0) })));
      result.append(list);
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(result);
    if (!file.files.length || !unit.value.trim()) {
      result.append(el("p", { class: "error" }, t("trackimp.need")));
      return;
    }
    const fd = new FormData();
    fd.append("file", file.files[0]);
    fd.append("unit", unit.value.trim());
    if (team.value) fd.append("team_id", team.value);
    submit.disabled = true;
    try {
      show(await api("POST", `/api/v1/searches/${searchId}/tracks/import`, fd, { quiet: true }));
      form.reset();
    } catch (err) {
      const errors = err.data && err.data.errors;
      const text = errors ? fieldErrors(errors) : errorMessage(err);
      result.append(el("p", { class: "error" }, t("trackimp.refused") + " " + text));
    } finally {
      submit.disabled = false;
    }
  });
}
