/* search-coord: what this phone last knew, in IndexedDB ("sc-offline"), so the field page opens with no network.
   "states": one record per user and search {key, userId, searchId, state (the live state with its last sequence
   number), unacknowledged (broadcasts), savedAt (ISO), title}. "tiles": one record per cached map tile
   {url, bytes, searchId, at} (the tiles themselves are in the Cache "sc-tiles", static/js/offline/tiles.js).
   Every function resolves to null / does nothing when IndexedDB cannot be opened (private mode): the page then
   works online as before. */

const DB_NAME = "sc-offline";
let opening = null;

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve) => {
      if (!window.indexedDB) { resolve(null); return; }
      const r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains("states")) db.createObjectStore("states", { keyPath: "key" });
        if (!db.objectStoreNames.contains("tiles")) {
          const os = db.createObjectStore("tiles", { keyPath: "url" });
          os.createIndex("searchId", "searchId");
        }
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => { console.warn("offline store unavailable", r.error); resolve(null); };
      r.onblocked = () => resolve(null);
    });
  }
  return opening;
}

const stateKey = (userId, searchId) => `${userId}:${searchId}`;

/** Keep the live state of a search as this phone knows it now. */
export async function saveState(userId, searchId, record) {
  const db = await openDb();
  if (!db) return;
  const tx = db.transaction("states", "readwrite");
  tx.objectStore("states").put(Object.assign({ key: stateKey(userId, searchId), userId, searchId }, record));
  await done(tx);
}

/** The last kept state of a search, or null. */
export async function loadState(userId, searchId) {
  const db = await openDb();
  if (!db) return null;
  return (await req(db.transaction("states").objectStore("states").get(stateKey(userId, searchId)))) || null;
}

export async function removeState(userId, searchId) {
  const db = await openDb();
  if (!db) return;
  const tx = db.transaction("states", "readwrite");
  tx.objectStore("states").delete(stateKey(userId, searchId));
  await done(tx);
}

/** Every tile record [{url, bytes, searchId, at}]. */
export async function tileRecords() {
  const db = await openDb();
  if (!db) return [];
  return req(db.transaction("tiles").objectStore("tiles").getAll());
}

export async function putTileRecord(rec) {
  const db = await openDb();
  if (!db) return;
  const tx = db.transaction("tiles", "readwrite");
  tx.objectStore("tiles").put(rec);
  await done(tx);
}

export async function removeTileRecords(urls) {
  const db = await openDb();
  if (!db || !urls.length) return;
  const tx = db.transaction("tiles", "readwrite");
  const os = tx.objectStore("tiles");
  for (const u of urls) os.delete(u);
  await done(tx);
}
