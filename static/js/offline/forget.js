/* search-coord: on the login page (after a logout, or a session that ended), the phone forgets what it kept of the
   last user's searches for use with no network: the IndexedDB copy of their live state (static/js/offline/store.js),
   the field pages, photos and tiles the service worker kept. The precached app and the outbox stay: what an officer
   recorded and the server has not acknowledged is never thrown away here (it waits for the same user's login). */
const KEPT = ["sc-pages", "sc-meta", "sc-photos", "sc-tiles", "sc-tiles-seen"];

async function forget() {
  try { indexedDB.deleteDatabase("sc-offline"); } catch (e) { /* no IndexedDB */ }
  if (!("caches" in window)) return;
  for (const name of KEPT) {
    try { await caches.delete(name); } catch (e) { /* nothing kept */ }
  }
  document.body.dataset.offlineForgotten = "1";
}
forget();
