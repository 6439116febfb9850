/* search-coord: the event catalogue (search_coord/core/catalogue.py, given by GET /api/v1/meta). The live reducer
   asks about every event type it has no case for: a type the server never declared is logged once, never silently
   dropped. */
import { meta } from "./api.js";

/** Types lib/live.js makes itself from a coalesced `positions` message (not events of the log). */
const CLIENT_TYPES = new Set(["positions", "track.coalesced"]);
let known = null; //          Set of the catalogue's names, once /api/v1/meta has answered
let loading = null;
const waiting = new Set(); // types met before it answered
const warned = new Set();

function load() {
  if (!loading) {
    loading = meta().then((m) => {
      known = new Set(Object.keys((m && m.event_types) || {}));
      for (const type of waiting) warnIfUnknown(type);
      waiting.clear();
    }).catch(() => { loading = null; }); // tried again with the next event
  }
  return loading;
}

function warnIfUnknown(type) {
  if (known.has(type) || CLIENT_TYPES.has(type) || warned.has(type)) return;
  warned.add(type);
  console.warn(`search-coord: event type "${type}" is not in the server's event catalogue; ignored`);
}

/** Check an incoming event's type against the catalogue (loaded on first use); an unknown one is logged once. */
export function checkEventType(type) {
  if (known) warnIfUnknown(type);
  else { waiting.add(type); load(); }
}

/** The catalogue's entry of `type` ({summary, payload, optional, audience, timeline}) once loaded, else undefined. */
export async function eventType(type) {
  const m = await meta();
  return m && m.event_types ? m.event_types[type] : undefined;
}

/** Types logged as unknown so far (for tests and the debug panel). */
export const unknownEventTypes = () => Array.from(warned);
