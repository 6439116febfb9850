/* search-coord: how the outbox sends one item. A track batch goes over the page's open Socket.IO connection when it
   has one (the /live 'track' message, acknowledged once the server has committed the batch, with POST .../tracks's
   answer): no new request, headers or session look-up per batch. Everything else, and a batch when there is no
   open socket (or no ack in time), goes over HTTP (api.js). Both carry the item's own client id, so a batch sent
   over both (an ack lost with the connection, then the retry over HTTP) is stored once, answered "duplicate" the
   second time; the outbox deletes an item only after either answer. A clue's photo is uploaded first (once). */
import { api, deviceId } from "../lib/api.js";

/** How long an ack may take before the batch is sent again over HTTP (the server's own limit is 30 s). */
export const ACK_TIMEOUT_MS = 35000;
const TRACK_URL = /^\/api\/v1\/searches\/(\d+)\/tracks$/;

let socketOf = null; // () => the page's Socket.IO /live connection, or null
// "http" in localStorage sc.outboxTransport keeps every batch on HTTP (field trouble-shooting; tests of the HTTP path)
const httpOnly = (() => { try { return localStorage.getItem("sc.outboxTransport") === "http"; } catch (e) { return false; } })();

/** The page that owns the live socket (lib/live.js) hands it over: fn() returns it (or null). */
export function useSocket(fn) { socketOf = typeof fn === "function" ? fn : null; }

function openSocket() {
  const socket = socketOf && !httpOnly ? socketOf() : null;
  return socket && socket.connected ? socket : null;
}

/** A refused ack as the error api.js would have thrown for the same answer over HTTP ({status, data}). */
function ackError(ack) {
  const data = { error: ack.error, message: ack.message };
  if (ack.errors) data.errors = ack.errors;
  const err = new Error(ack.message || ack.error || "refused");
  err.status = ack.error === "session_ended" ? 401 : ack.status || (ack.error === "invalid" ? 400 : 500);
  err.data = data;
  return err;
}

/** Resolves with the ack, or null when none came in time or the socket went away meanwhile (the batch may still
    be stored: its retry, with the same client id, is answered "duplicate"). */
function emitTrack(socket, message) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ack) => {
      if (done) return;
      done = true;
      socket.off("disconnect", gone);
      resolve(ack);
    };
    const gone = () => finish(null);
    socket.on("disconnect", gone);
    socket.timeout(ACK_TIMEOUT_MS).emit("track", message, (err, ack) => finish(err ? null : ack || null));
  });
}

/** One track batch over the socket: the answer, a refusal thrown as api.js throws it, or null (send over HTTP). */
async function overSocket(item, body) {
  const m = item.kind === "track" && item.method === "POST" ? TRACK_URL.exec(item.url) : null;
  const socket = m ? openSocket() : null;
  if (!socket) return null;
  // the device named as HTTP names it (X-Device-Id): a retry over either transport is the same device's batch
  const ack = await emitTrack(socket, Object.assign({ search_id: parseInt(m[1], 10), device: deviceId }, body));
  if (!ack || ack.error === "rate_limited") return null; // no ack, or too many messages: this attempt goes over HTTP
  if (!ack.ok) throw ackError(ack);
  const answer = Object.assign({}, ack);
  delete answer.ok;
  answer.via = "socket";
  return answer;
}

/** Upload a clue's photo before the clue (once: its id is kept on the item by `keep`). */
async function uploadPhoto(item, keep) {
  const fd = new FormData();
  const blob = item.photo instanceof Blob ? item.photo : new Blob([item.photo.buffer], { type: item.photo.type });
  fd.append("photo", blob, (item.photo && item.photo.name) || "photo.jpg");
  const sid = /\/searches\/(\d+)\//.exec(item.url);
  if (sid) fd.append("search_id", sid[1]);
  // the item's own id, so a retry after a lost answer gets the same photo back instead of a second copy
  if (item.body && item.body.client_id) fd.append("client_id", "photo-" + item.body.client_id.slice(0, 58));
  const res = await api("POST", "/api/v1/photos", fd, { quiet: true });
  await keep({ photoId: res.id, photo: null }); // kept at once: a retry of the clue does not upload it again
}

/** Send an item (not a photo item): resolves with the server's answer, rejects as api.js does. `keep(fields)`
    stores fields on the item. */
export async function deliver(item, keep) {
  if (item.photo && !item.photoId) await uploadPhoto(item, keep);
  const body = Object.assign({}, item.body);
  if (item.photoId) body.photo_id = item.photoId;
  // the phone's own clock when it sends: the server measures this phone's clock offset from it
  if (item.kind === "track") body.sent_at = new Date().toISOString();
  const answer = await overSocket(item, body);
  return answer || api(item.method, item.url, body, { quiet: true });
}
