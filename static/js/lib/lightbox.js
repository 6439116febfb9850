/* search-coord: a photo opened full screen (the subject's, a clue's, a still): tap a photo to show it to a witness,
   pinch or the buttons to zoom, drag to move, tap ✕ or Escape to close. installLightbox() wires every page's photos at
   once (delegated: photos drawn later are covered too). */
import { clear, el } from "./dom.js";
import { t } from "./i18n.js";

const PHOTO_SELECTOR = "img.subject-photo, img.thumb, img.popup-photo, img.vs-photo, img.zoomable";

let dlg = null;
function dialog() {
  if (dlg) return dlg;
  dlg = el("dialog", { id: "lightbox", class: "lightbox", "aria-label": t("photo.enlarged") });
  document.body.append(dlg);
  dlg.addEventListener("click", (e) => { if (e.target === dlg) dlg.close(); });
  return dlg;
}

/** Show the image at ``src`` full screen (``alt`` its text). */
export function openPhoto(src, alt) {
  const d = dialog();
  let scale = 1;
  const img = el("img", { class: "lightbox-img", src, alt: alt || t("clue.photo") });
  const apply = () => { img.style.transform = `scale(${scale})`; img.classList.toggle("zoomed", scale > 1); };
  const zoom = (f) => { scale = Math.min(6, Math.max(1, scale * f)); apply(); };
  const frame = el("div", { class: "lightbox-frame" }, img);
  clear(d).append(frame, el("div", { class: "lightbox-bar" },
    el("button", { type: "button", class: "btn", "aria-label": t("photo.zoom_out"), onclick: () => zoom(1 / 1.6) }, "−"),
    el("button", { type: "button", class: "btn", "aria-label": t("photo.zoom_in"), onclick: () => zoom(1.6) }, "+"),
    el("button", { type: "button", class: "btn btn-primary lightbox-close", onclick: () => d.close() }, "✕ " + t("photo.close"))));
  img.addEventListener("dblclick", () => { scale = scale > 1 ? 1 : 2.5; apply(); });
  if (!d.open) d.showModal();
}

/** Every photo the page shows (now or later) opens full screen when tapped. */
export function installLightbox() {
  document.addEventListener("click", (e) => {
    const img = e.target.closest && e.target.closest(PHOTO_SELECTOR);
    if (!img || img.closest("#lightbox")) return;
    e.preventDefault();
    openPhoto(img.currentSrc || img.src, img.alt);
  });
}
