/* search-coord service worker (served at /sw.js by search_coord/web/pwa.py, which writes SC_VERSION, SC_SETTINGS and
   SC_PRECACHE in front of this file). Built on Workbox (npm, served from /vendor/workbox-*):
   - the pages' scripts, styles and the vendored libraries are precached, each by the hash of its bytes, so a release
     replaces exactly what changed; a new worker waits until the page says it is safe to take over (SKIP_WAITING);
   - the field page (and the home page) network first, from the cache when there is no network;
   - subject and clue photos cache first (a photo never changes), the enum lists network first;
   - map tiles from the page's tile cache (static/js/offline/tiles.js fills it within its budget), else the network;
   - Background Sync: a "sc-outbox" sync wakes the open pages' outboxes (the outbox lives in the page). */
/* global workbox */
importScripts(
  "/vendor/workbox-core/workbox-core.prod.js",
  "/vendor/workbox-routing/workbox-routing.prod.js",
  "/vendor/workbox-strategies/workbox-strategies.prod.js",
  "/vendor/workbox-precaching/workbox-precaching.prod.js",
  "/vendor/workbox-expiration/workbox-expiration.prod.js",
  "/vendor/workbox-cacheable-response/workbox-cacheable-response.prod.js",
);

const { core, routing, strategies, precaching, expiration, cacheableResponse } = workbox;
const PAGES = "sc-pages";
const TILES = "sc-tiles";
const PHOTOS = "sc-photos";

core.setCacheNameDetails({ prefix: "sc", suffix: "", precache: "shell", runtime: "runtime" });
precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute(self.SC_PRECACHE || []);

/** Only a page that is really the page (200, not a redirect to the login form) is kept. */
const pageOnly = {
  cacheWillUpdate: async ({ response }) => (response && response.status === 200 && !response.redirected ? response : null),
};
const pageStrategy = new strategies.NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 6, plugins: [pageOnly] });
routing.registerRoute(new routing.NavigationRoute(pageStrategy, { allowlist: [/^\/field\/\d+$/, /^\/$/] }));

routing.registerRoute(({ url, request }) => url.origin === self.location.origin && request.method === "GET"
  && /^\/api\/v1\/photos\/\d+$/.test(url.pathname),
new strategies.CacheFirst({ cacheName: PHOTOS, plugins: [
  new cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
  new expiration.ExpirationPlugin({ maxEntries: 80, maxAgeSeconds: 14 * 86400, purgeOnQuotaError: true }),
] }));

routing.registerRoute(({ url, request }) => url.origin === self.location.origin && request.method === "GET"
  && url.pathname === "/api/v1/meta",
new strategies.NetworkFirst({ cacheName: "sc-meta", networkTimeoutSeconds: 4,
  plugins: [new cacheableResponse.CacheableResponsePlugin({ statuses: [200] })] }));

/** The tile URL template as a pattern: {s} {z} {x} {y} {r} stand for what they may be. */
function tilePattern(template) {
  if (!template) return null;
  const parts = template.split(/(\{[a-z]+\})/);
  const re = parts.map((p) => {
    if (p === "{s}") return "[a-z0-9-]+";
    if (p === "{z}" || p === "{x}" || p === "{y}") return "\\d+";
    if (p === "{r}") return "(@2x)?";
    if (/^\{[a-z]+\}$/.test(p)) return "[^/?#]*";
    return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("");
  return new RegExp("^" + re + "$");
}
const TILE_RE = tilePattern((self.SC_SETTINGS || {}).tileUrl);
if (TILE_RE) {
  // the area's tiles the page fetched ahead within its budget (tiles.js), else the tiles this phone showed lately
  // (kept as a browser keeps them, a bounded number: what every tile server's terms allow), else the network
  const seen = new strategies.CacheFirst({ cacheName: "sc-tiles-seen", plugins: [
    new cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
    new expiration.ExpirationPlugin({ maxEntries: 400, maxAgeSeconds: 7 * 86400, purgeOnQuotaError: true }),
  ] });
  routing.registerRoute(({ url, request }) => request.method === "GET" && TILE_RE.test(url.href),
    async (options) => (await caches.match(options.request, { cacheName: TILES, ignoreVary: true })) || seen.handle(options));
}

self.addEventListener("message", (event) => {
  const msg = event.data || {};
  if (msg.type === "SKIP_WAITING") self.skipWaiting();
  if (msg.type === "VERSION" && event.ports && event.ports[0]) event.ports[0].postMessage({ version: self.SC_VERSION });
  if (msg.type === "CACHE_URLS" && Array.isArray(msg.urls)) {
    // what the page loaded before this worker first took over (the page itself, the enum lists, the subject's
    // photo): fetched again through here and kept, for the next offline reload
    event.waitUntil(Promise.all(msg.urls.map(keepUrl)));
  }
});

/** Keep one same-origin URL in the cache its route uses (pages, the enum lists, photos); others are ignored. */
async function keepUrl(raw) {
  try {
    const url = new URL(String(raw), self.location.origin);
    if (url.origin !== self.location.origin) return;
    const name = /^\/field\/\d+$/.test(url.pathname) ? PAGES : url.pathname === "/api/v1/meta" ? "sc-meta"
      : /^\/api\/v1\/photos\/\d+$/.test(url.pathname) ? PHOTOS : null;
    if (!name) return;
    const resp = await fetch(url.href, { credentials: "same-origin" });
    const kept = await pageOnly.cacheWillUpdate({ response: resp });
    if (kept) await (await caches.open(name)).put(url.href, kept);
  } catch (e) { /* offline again: the next load tries */ }
}

// A new release waits for the field page's "reload when safe" (static/js/offline/register.js); with no field page
// open (a desk that once opened the field view) nothing can ask, so it takes over at once.
self.addEventListener("install", (event) => {
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((list) => {
    if (!list.some((c) => /^\/field\/\d+$/.test(new URL(c.url).pathname))) return self.skipWaiting();
    return null;
  }));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "sc-outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((list) => {
    for (const c of list) c.postMessage({ type: "SC_SYNC" });
  }));
});
