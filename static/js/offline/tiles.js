/* search-coord: map tiles for the search's area kept on the phone, within a budget, for the map with no network.
   While online, the tiles covering the area (the last known point and its surroundings, every assignment, searched
   area, clue and the confirmed trail) are fetched at street zooms, whole area first at the lower zooms, then outward
   from the middle at the higher ones, into the Cache "sc-tiles" (the service worker serves them from there,
   static/js/offline/sw.js), until the budget is spent. When the area grows the missing tiles are fetched; tiles of
   other searches are the first to go when the budget is short. The tile server must allow it (CORS and its terms:
   tile.openstreetmap.org's usage policy forbids bulk download, so its tiles are never fetched ahead, docs/phone.md).
   new TileCache({template, subdomains, budgetMb, searchId, radiusM, minZoom, maxZoom}).update(state) -> stats. */
import { putTileRecord, removeTileRecords, tileRecords } from "./store.js";

const CACHE = "sc-tiles";
const PARALLEL = 4;
const NO_PREFETCH = /(^|\.)tile\.openstreetmap\.org$/i; // usage policy: no bulk downloading

const lon2x = (lon, z) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (lat, z) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** [west, south, east, north] of everything the search has on the map, with radiusM round the last known point. */
export function searchArea(state, radiusM) {
  const pts = [];
  const addCoords = (c) => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === "number" && typeof c[1] === "number") pts.push(c);
    else for (const x of c) addCoords(x);
  };
  const s = (state && state.search) || {};
  if (s.lkp && s.lkp.coordinates) {
    const [lon, lat] = s.lkp.coordinates;
    const dLat = radiusM / 111320;
    const dLon = radiusM / (111320 * Math.max(0.1, Math.cos((lat * Math.PI) / 180)));
    pts.push([lon - dLon, lat - dLat], [lon + dLon, lat + dLat]);
  }
  for (const a of (state && state.assignments) || []) if (a.geometry) addCoords(a.geometry.coordinates);
  for (const a of (state && state.searched_areas) || []) if (a.geometry) addCoords(a.geometry.coordinates);
  for (const c of (state && state.clues) || []) if (c.location) addCoords(c.location.coordinates);
  for (const p of (state && state.trail && state.trail.points) || []) if (p && p.location) addCoords(p.location.coordinates);
  if (!pts.length) return null;
  const lons = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

/** The tiles [z, x, y] over `box` from minZoom to maxZoom: each zoom whole, nearest the middle first. */
export function tilesFor(box, minZoom, maxZoom) {
  const out = [];
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  for (let z = minZoom; z <= maxZoom; z++) {
    const x0 = lon2x(box[0], z), x1 = lon2x(box[2], z), y0 = lat2y(box[3], z), y1 = lat2y(box[1], z);
    const mx = lon2x(cx, z), my = lat2y(cy, z);
    const level = [];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) level.push([z, x, y]);
    level.sort((a, b) => Math.hypot(a[1] - mx, a[2] - my) - Math.hypot(b[1] - mx, b[2] - my));
    out.push(...level);
  }
  return out;
}

/** The URL Leaflet asks for this tile (the same subdomain rule as L.TileLayer: |x + y| mod the subdomains). */
export function tileUrl(template, subdomains, z, x, y) {
  const subs = subdomains || "abc";
  return template.replace(/\{(\w+)\}/g, (m, k) => {
    if (k === "s") return subs[Math.abs(x + y) % subs.length];
    if (k === "z") return String(z);
    if (k === "x") return String(x);
    if (k === "y") return String(y);
    if (k === "r") return "";
    return m;
  });
}

export class TileCache {
  constructor(opts) {
    this.template = opts.template || "";
    this.subdomains = opts.subdomains || "abc";
    this.budget = Math.max(0, Number(opts.budgetMb) || 0) * 1024 * 1024;
    this.searchId = opts.searchId;
    this.radiusM = opts.radiusM || 2000;
    this.minZoom = opts.minZoom || 13;
    this.maxZoom = opts.maxZoom || 17;
    this.running = null;
    this.again = false;
    this.stats = { bytes: 0, count: 0, searchBytes: 0, searchCount: 0, wanted: 0, full: false, reason: null, box: null };
    let host = "";
    try { host = new URL(this.template.replace(/\{s\}/g, "a")).hostname; } catch (e) { host = ""; }
    this.allowed = !!(this.template && this.budget > 0 && "caches" in window && !NO_PREFETCH.test(host));
    if (!this.allowed) this.stats.reason = !this.template ? "no_tiles" : NO_PREFETCH.test(host) ? "terms" : "off";
  }

  /** Fetch what is missing for the search's area now (one run at a time; a call during a run runs again after). */
  update(state) {
    this.state = state;
    if (!this.allowed || !navigator.onLine) return Promise.resolve(this.stats);
    // the user asked the phone to save data (Data Saver): only the tiles it shows are kept
    if (navigator.connection && navigator.connection.saveData) { this.stats.reason = "save_data"; return Promise.resolve(this.stats); }
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      try {
        do { this.again = false; await this.fill(this.state); } while (this.again);
      } catch (e) {
        console.warn("tile cache:", e);
        this.stats.reason = "error";
      } finally { this.running = null; }
      document.body.dataset.tileCacheBytes = String(this.stats.bytes);
      return this.stats;
    })();
    return this.running;
  }

  async fill(state) {
    const box = searchArea(state, this.radiusM);
    if (!box) return;
    this.stats.box = box;
    const wanted = tilesFor(box, this.minZoom, this.maxZoom).map(([z, x, y]) => tileUrl(this.template, this.subdomains, z, x, y));
    this.stats.wanted = wanted.length;
    const cache = await caches.open(CACHE);
    const records = await tileRecords();
    const have = new Map(records.map((r) => [r.url, r]));
    let total = records.reduce((n, r) => n + (r.bytes || 0), 0);
    // the other searches' tiles, oldest first: these go when the budget is short
    const wantedSet = new Set(wanted);
    const others = records.filter((r) => r.searchId !== this.searchId && !wantedSet.has(r.url)).sort((a, b) => (a.at < b.at ? -1 : 1));
    const missing = wanted.filter((u) => !have.has(u));
    this.stats.full = false;
    let i = 0;
    const worker = async () => {
      while (i < missing.length && !this.stats.full && navigator.onLine) {
        const url = missing[i++];
        while (total > this.budget * 0.97 && others.length) {
          const old = others.shift();
          await cache.delete(old.url);
          await removeTileRecords([old.url]);
          total -= old.bytes || 0;
        }
        if (total > this.budget * 0.97) { this.stats.full = true; break; }
        let resp;
        try { resp = await fetch(url, { mode: "cors", credentials: "omit" }); } catch (e) { this.stats.reason = "cors_or_network"; break; }
        if (!resp.ok) continue;
        const blob = await resp.blob();
        if (total + blob.size > this.budget) { this.stats.full = true; break; }
        await cache.put(url, new Response(blob, { headers: { "Content-Type": resp.headers.get("Content-Type") || "image/png" } }));
        await putTileRecord({ url, bytes: blob.size, searchId: this.searchId, at: new Date().toISOString() });
        have.set(url, { url, bytes: blob.size, searchId: this.searchId });
        total += blob.size;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const mine = wanted.filter((u) => have.has(u));
    this.stats.bytes = total;
    this.stats.searchCount = mine.length;
    this.stats.searchBytes = mine.reduce((n, u) => n + (have.get(u).bytes || 0), 0);
    this.stats.count = have.size;
  }

  /** Forget this search's tiles (the search has ended): the budget goes to the others. */
  async forget() {
    if (!("caches" in window)) return;
    const cache = await caches.open(CACHE);
    const mine = (await tileRecords()).filter((r) => r.searchId === this.searchId).map((r) => r.url);
    for (const u of mine) await cache.delete(u);
    await removeTileRecords(mine);
  }
}
