/* search-coord: a clue's photo on its way. Phones take 12-200 MP photos: before upload the photo is shrunk here
   (longest side 2560 px, JPEG quality 0.85, the camera's orientation applied; at most ~3 MB), or sent as it is when
   this browser cannot decode it (e.g. HEIC on a desktop; the server takes it). The photo is an outbox item of its
   own, after its clue: the clue's text goes first and never waits for it; the photo is attached to the clue on the
   server once both are there, or its failure is said in the outbox ("photo could not be sent: ..."; the clue stays). */
import { api } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { Outbox } from "./outbox.js";
import { searchIdOf } from "./outbox_rules.js";

const MAX_SIDE = 2560;
const QUALITY = 0.85;
const MAX_BYTES = 3 * 1024 * 1024;

function encode(source, w, h, quality) {
  if (typeof OffscreenCanvas !== "undefined") {
    const c = new OffscreenCanvas(w, h);
    c.getContext("2d").drawImage(source, 0, 0, w, h);
    return c.convertToBlob({ type: "image/jpeg", quality });
  }
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  c.getContext("2d").drawImage(source, 0, 0, w, h);
  return new Promise((resolve) => c.toBlob(resolve, "image/jpeg", quality));
}

/** A photo small enough to send from the field (a JPEG File), or the original when it cannot be decoded here. */
export async function shrinkPhoto(file) {
  if (typeof createImageBitmap !== "function") return file;
  let bmp;
  try {
    bmp = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (e) {
    return file; // not decodable in this browser: the server gets the original
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
    if (scale === 1 && file.size <= MAX_BYTES && file.type === "image/jpeg") return file;
    const w = Math.max(1, Math.round(bmp.width * scale));
    const h = Math.max(1, Math.round(bmp.height * scale));
    let blob = await encode(bmp, w, h, QUALITY);
    for (const q of [0.7, 0.55]) {
      if (!blob || blob.size <= MAX_BYTES) break;
      blob = await encode(bmp, w, h, q);
    }
    if (!blob) return file;
    const name = String(file.name || "photo").replace(/\.[A-Za-z0-9]+$/, "") + ".jpg";
    try { return new File([blob], name, { type: "image/jpeg" }); } catch (e) { return blob; }
  } catch (e) {
    console.warn("photo: could not shrink, sending the original", e);
    return file;
  } finally {
    bmp.close();
  }
}

/** A clue's photo follows its clue: sent after it, attached to it by the clue's id (reports never wait for it). */
Outbox.prototype.addPhotoFor = async function addPhotoFor(clueItem, photo) {
  return this.add({ kind: "photo", url: "/api/v1/photos", searchId: searchIdOf(clueItem), clueUrl: clueItem.url,
    clueClientId: clueItem.clientId, clientId: "photo-" + clueItem.clientId.slice(0, 58), noClientId: true,
    photo, searchTitle: clueItem.searchTitle, label: clueItem.label, body: {} });
};

/** A clue's photo: shrunk (once), uploaded, then attached to the clue already on the server. */
Outbox.prototype.sendPhoto = async function sendPhoto(item) {
  if (!item.clueId) {
    const clue = this.items.find((i) => i.kind === "clue" && i.clientId === item.clueClientId);
    if (!clue || clue.state === "failed") {
      await this.mark(item, { state: "failed", status: 0, errData: {}, error: t("outbox.photo_no_clue") });
      this.changed(true);
      this.settle(item.key, "failed");
      return "failed";
    }
    return "retry"; // its clue is still waiting (it is sent first)
  }
  try {
    if (!item.photoId) {
      if (item.photo && !item.shrunk && shrinkPhoto) {
        const small = await shrinkPhoto(item.photo instanceof Blob ? item.photo : new Blob([item.photo.buffer], { type: item.photo.type }));
        await this.mark(item, { photo: small, shrunk: true });
      }
      const fd = new FormData();
      const blob = item.photo instanceof Blob ? item.photo : new Blob([item.photo.buffer], { type: item.photo.type });
      fd.append("photo", blob, blob.name || item.photo.name || "photo.jpg");
      fd.append("search_id", String(searchIdOf(item)));
      fd.append("client_id", item.clientId);
      const up = await api("POST", "/api/v1/photos", fd, { quiet: true });
      await this.mark(item, { photoId: up.id, photo: null });
    }
    const res = await api("POST", `${item.clueUrl}/${item.clueId}/photo`, { photo_id: item.photoId }, { quiet: true });
    await this.store.remove(item.key);
    this.items = this.items.filter((i) => i.key !== item.key);
    this.sentOk(item, res);
    return "sent";
  } catch (err) {
    return this.classify(item, err);
  }
};
