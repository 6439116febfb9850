/* search-coord: the console's Assignments panel — the list (by status) with its actions, and a new assignment drawn
   on the map with Leaflet-Geoman (an area, a route or places) and described in its dialog.
   assignmentsPanel(c) -> {render()}; c is the console's context (pages/console.js). */
import { api } from "../lib/api.js";
import { $, $$, clear, el, showFieldErrors, toast } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";
import { labelIcon } from "../map/base.js";
import { repairText } from "../map/where_text.js";
import { assignmentActions, showErrors } from "../reports/dialogs.js";

const STATUS_ORDER = { in_progress: 0, assigned: 1, planned: 2, done: 3, aborted: 4 };

export function assignmentsPanel(c) {
  const { map } = c;

  function render() {
    const list = clear($("#assignment-list"));
    const items = c.st().assignments.slice().sort((a, b) => (STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) || (a.id - b.id));
    const active = items.filter((a) => a.status !== "done" && a.status !== "aborted").length;
    $("#count-assignments").textContent = items.length ? ` ${active}/${items.length}` : "";
    for (const a of items) {
      list.append(el("li", { class: "list-item column assignment status-" + a.status },
        el("div", { class: "row-between" },
          el("button", { type: "button", class: "link-button strong", onclick: () => focusAssignment(a.id) }, a.title),
          el("span", { class: "badge status-" + a.status }, tEnum("astatus", a.status))),
        el("div", { class: "small" }, tEnum("akind", a.kind), " · ", c.teamLabel(a.team_id)),
        a.instructions ? el("div", { class: "small muted" }, a.instructions) : null,
        a.places && a.places.length ? el("div", { class: "small" }, t("assignment.places") + ": " + a.places.join(t("list.sep"))) : null,
        a.debrief ? el("div", { class: "small" }, el("em", {}, t("assignment.debrief") + ": "), a.debrief) : null,
        c.meta ? assignmentActions(c.searchId, a, c.meta.assignment_transitions) : null,
        a.status !== "done" && a.status !== "aborted" ? el("button", { type: "button", class: "btn btn-small btn-ghost assignment-edit",
          onclick: () => openEdit(a) }, t("assignment.edit")) : null));
    }
    if (!items.length) list.append(el("li", { class: "muted" }, t("assignment.none")));
  }

  function focusAssignment(id) {
    const layer = c.layers.assignmentLayers[id];
    if (!layer) return;
    const b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [40, 40], maxZoom: 18 });
    layer.openPopup(b.getCenter());
  }

  /* drawing a new assignment with Leaflet-Geoman */
  let drawing = null; // {kind, points: [], temp: featureGroup, banner}
  function stopDrawing() {
    if (!drawing) return;
    map.pm.disableDraw();
    drawing.temp.remove();
    drawing.banner.remove();
    map.getContainer().classList.remove("picking");
    drawing = null;
  }
  function startDrawing(kind) {
    stopDrawing();
    if (!map.pm) { toast(t("assignment.no_draw"), "error"); return; }
    const temp = L.featureGroup().addTo(map);
    const finishBtn = el("button", { type: "button", class: "btn btn-small btn-primary", hidden: kind !== "places" }, t("assignment.finish_places", { n: 0 }));
    const hint = el("span", {}, t("assignment.draw_hint_" + kind));
    const banner = el("div", { class: "pick-banner", role: "status" }, hint, finishBtn,
      el("button", { type: "button", class: "btn btn-small", onclick: stopDrawing }, t("action.cancel")));
    map.getContainer().parentElement.append(banner);
    drawing = { kind, points: [], temp, banner, finishBtn, hint };
    map.getContainer().classList.add("picking");
    finishBtn.addEventListener("click", () => {
      if (!drawing.points.length) return;
      const geom = { type: "MultiPoint", coordinates: drawing.points.slice() };
      stopDrawing();
      openDialog("places", geom);
    });
    const shape = kind === "area" ? "Polygon" : kind === "route" ? "Line" : "Marker";
    map.pm.enableDraw(shape, { continueDrawing: kind === "places", markerStyle: { icon: labelIcon("sc-icon-place", "+", 24) },
      allowSelfIntersection: kind !== "area" });
    if (window.innerWidth < 900) map.getContainer().scrollIntoView({ behavior: "smooth", block: "center" });
  }
  map.on("pm:create", (e) => {
    if (!drawing) { e.layer.remove(); return; }
    const geo = e.layer.toGeoJSON().geometry;
    if (drawing.kind === "places") {
      drawing.temp.addLayer(e.layer);
      drawing.points.push([Number(geo.coordinates[0].toFixed(6)), Number(geo.coordinates[1].toFixed(6))]);
      drawing.finishBtn.hidden = false;
      drawing.finishBtn.textContent = t("assignment.finish_places", { n: drawing.points.length });
      return;
    }
    e.layer.remove();
    const kind = drawing.kind;
    stopDrawing();
    openDialog(kind, geo);
  });
  // Geoman refused a corner that would make the area's outline cross itself: say why in the banner
  map.on("pm:intersect", () => {
    if (drawing && drawing.kind === "area") drawing.hint.textContent = t("geomfix.self_cross");
  });
  $$("[data-draw]").forEach((b) => b.addEventListener("click", () => startDrawing(b.dataset.draw)));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && drawing) stopDrawing(); });

  /* the dialog that names the drawn assignment */
  let pendingGeometry = null;
  let editBase = null;   // the assignment being edited (its version), or null for a new one
  const dlg = $("#assignment-dialog");
  const form = dlg.querySelector("form");
  const submitBtn = form.querySelector("button[type=submit]");
  const createLabel = submitBtn.textContent;
  /** Edit or reassign an assignment in the same dialog: only what changed is sent, with its version. */
  function openEdit(a) {
    openDialog(a.kind, a.geometry);
    editBase = a;
    $("#a-title").value = a.title;
    $("#a-team").value = a.team_id ? String(a.team_id) : "";
    $("#a-instructions").value = a.instructions || "";
    $("#a-places").value = (a.places || []).join("\n");
    $("#assignment-dialog-title").textContent = t("assignment.edit_title", { title: a.title });
    submitBtn.textContent = t("action.save");
  }
  function editBody() {
    const typed = { title: $("#a-title").value.trim(), team_id: $("#a-team").value ? parseInt($("#a-team").value, 10) : null,
      instructions: $("#a-instructions").value.trim() || null,
      places: $("#a-places").value.split("\n").map((x) => x.trim()).filter(Boolean) };
    const body = { version: editBase.version };
    const was = { title: editBase.title, team_id: editBase.team_id, instructions: editBase.instructions || null, places: editBase.places || [] };
    for (const k of Object.keys(typed)) if (JSON.stringify(typed[k]) !== JSON.stringify(was[k])) body[k] = typed[k];
    if (body.instructions === null) body.instructions = "";
    return body;
  }
  async function saveEdit() {
    const body = editBody();
    if (Object.keys(body).length === 1) { dlg.close("ok"); return; }
    try {
      await api("PATCH", `/api/v1/searches/${c.searchId}/assignments/${editBase.id}`, body, { quiet: true });
      dlg.close("ok");
      toast(t("assignment.saved"), "ok");
    } catch (err) {
      if (err.status === 409 && err.data.current) {
        const cur = err.data.current;
        showErrors(form, { status: 409, data: { message: t("assignment.conflict", { title: cur.title, team: c.teamLabel(cur.team_id), status: tEnum("astatus", cur.status) }) } });
        editBase = cur;   // the inputs keep what was typed; saving again sends it against the current version
      } else showErrors(form, err);
    }
  }
  function openDialog(kind, geometry) {
    editBase = null;
    $("#assignment-dialog-title").textContent = t("assignment.dialog_title");
    submitBtn.textContent = createLabel;
    pendingGeometry = geometry;
    form.reset();
    showFieldErrors(form, {});
    clear(form.querySelector(".form-errors"));
    $("#a-kind").value = kind;
    const n = geometry.type === "Polygon" ? geometry.coordinates[0].length - 1 : geometry.coordinates.length;
    $("#a-geom-info").textContent = t("assignment.geom_info_" + kind, { n });
    $("#a-places").closest(".field").hidden = false;
    dlg.showModal();
    $("#a-title").focus();
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (editBase) { saveEdit(); return; }
    const body = {
      title: $("#a-title").value.trim(),
      kind: $("#a-kind").value,
      geometry: pendingGeometry,
    };
    if ($("#a-team").value) body.team_id = parseInt($("#a-team").value, 10);
    const ins = $("#a-instructions").value.trim();
    if (ins) body.instructions = ins;
    const places = $("#a-places").value.split("\n").map((x) => x.trim()).filter(Boolean);
    if (places.length) body.places = places;
    try {
      const made = await api("POST", `/api/v1/searches/${c.searchId}/assignments`, body, { quiet: true });
      dlg.close("ok");
      toast(t("assignment.created"), "ok");
      const note = repairText(made, t);
      if (note) toast(note, "info");
      c.showTab("assignments");
    } catch (err) {
      showErrors(form, err);
    }
  });

  return { render };
}
