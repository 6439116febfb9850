/* search-coord: the console's Clues panel, newest first; a clue's row shows it on the map.
   cluesPanel(c) -> {render()}; c is the console's context (pages/console.js). */
import { $, clear, el } from "../lib/dom.js";
import { fmtDateTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";

export function cluesPanel(c) {
  function render() {
    const list = clear($("#clue-list"));
    const clues = c.st().clues.slice().sort((a, b) => (a.time < b.time ? 1 : -1));
    $("#count-clues").textContent = clues.length ? ` ${clues.length}` : "";
    for (const x of clues) {
      list.append(el("li", { class: "list-item clue-item kind-" + x.kind },
        el("span", { class: "sc-icon sc-icon-" + x.kind + " inline-icon", "aria-hidden": "true" }, el("span", {}, t("map." + x.kind + "_short"))),
        el("button", { type: "button", class: "link-button grow left", onclick: () => {
          const m = c.layers.clueMarkers[x.id];
          if (m) { c.map.setView(m.getLatLng(), 18); m.openPopup(); }
        } },
        el("strong", {}, tEnum("clue_kind", x.kind)), " · ", fmtDateTime(x.time), el("br"),
        x.text,
        x.direction ? el("span", { class: "small block" }, t("clue.direction") + ": " + tEnum("dir", x.direction)) : null,
        el("span", { class: "small muted block" }, t("clue.reported_by", { name: c.userName(x.reported_by) }))),
        x.photo_id ? el("img", { class: "thumb", src: `/api/v1/photos/${x.photo_id}`, alt: t("clue.photo") }) : null));
    }
    if (!clues.length) list.append(el("li", { class: "muted" }, t("clue.none")));
  }
  $("#clue-btn-2").addEventListener("click", () => c.clueDialog.open());
  return { render };
}
