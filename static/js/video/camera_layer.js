/* search-coord: the camera registry on a map, by the map's view (GET /api/v1/cameras/area): the cameras in view with
   their cones when zoomed in, cells with counts when zoomed out; fetched again on moveend (debounced; a later view
   wins), drawn straight onto one canvas of its own (CameraCanvas: no Leaflet layer, DOM marker or SVG path per camera;
   cells or cameras and cones, a path per colour), hit-tested by the layer for clicks and hover. Used by the console's and the field page's video layer (video/cameras.js) and
   the Cameras page.
   areaLayer(map, opts) -> {refresh(), restyle(), show(on), camera(id), cameras(), loaded(), state}
   opts: {searchId?, inactive?: () => bool, statusOf?: (camera) => status, onCamera?: (camera, latlng) => void,
          onLoad?: (state) => void}. Text (codes, names) reaches the DOM only through tip() (as text). */
import { api } from "../lib/api.js";
import { tip } from "../map/base.js";

/** Colours by how far a camera's review has got (as the badges in app.css): stroke, fill. */
const COLOURS = {
  idle: ["#1864ab", "#339af0"], tasked: ["#0b7285", "#66d9e8"], partly: ["#5c940d", "#94d82d"],
  clear: ["#2b8a3e", "#51cf66"], pending: ["#ae3ec9", "#da77f2"], seen: ["#6741d9", "#9775fa"],
  inactive: ["#868e96", "#ced4da"],
};
const DEBOUNCE_MS = 150;
const MARGIN = 0.25; // the view is read with this fraction of its size beyond each edge (a pan of that much reads nothing)
const CONES_FROM_ZOOM = 17; // as the server's (services/video/area.py)

/** Metres to screen pixels at latitude `lat` (degrees) and `zoom` on 256-pixel Web Mercator tiles. */
function pxPerMetre(zoom, lat) {
  return (256 * 2 ** zoom) / (40075016.686 * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
}

/** Whether the camera's view is a disc (direction unknown, or it sees all round), as core/cameras.py has it. */
function isDisc(c) {
  return c.direction_deg === null || c.direction_deg === undefined || !c.fov_deg || c.fov_deg >= 360;
}

/** The camera layer's one canvas, in the overlay pane (it pans with the map, PAD of the view beyond each edge):
    either cells with counts, or the cameras with their cones (from CONES_FROM_ZOOM), each drawn straight onto it, no
    Leaflet layer (nor DOM node) per camera; redrawn at most once an animation frame, and only when the view or what
    is drawn changed, never while the map is moved. Hit tests (clicks, hover) are done on the positions of the last
    drawing, in layer points (which do not change while the map is moved). */
const PAD = 0.25; // as MARGIN: the canvas holds all that was read
const CameraCanvas = L.Layer.extend({
  initialize(styleOf) { this.cells = []; this.cams = []; this.styleOf = styleOf; this.frame = 0; },
  onAdd(map) {
    this.canvas = L.DomUtil.create("canvas", "sc-cameras leaflet-zoom-hide");
    this.canvas.style.pointerEvents = "none"; // the map's own events find what is under it (hit tests: areaLayer)
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on("moveend zoomend resize", this.moved, this);
    map.on("viewreset", this.schedule, this);   // layer points start again from a new origin
    this.draw();
  },
  onRemove(map) {
    map.off("moveend zoomend resize", this.moved, this);
    map.off("viewreset", this.schedule, this);
    cancelAnimationFrame(this.frame); this.frame = 0;
    L.DomUtil.remove(this.canvas);
  },
  setCells(cells) { this.cells = cells; this.schedule(); },
  setCameras(cams) { this.cams = cams; this.schedule(); },
  /** The map moved: drawn again only when the view has left what the canvas holds (a short pan shows what it drew
      beyond the edges: nothing is drawn, rastered or sent to the compositor again). */
  moved() {
    const map = this._map;
    if (!map || !this.box || this.box.zoom !== map.getZoom()) { this.schedule(); return; }
    const view = map.getPixelBounds(), origin = map.getPixelOrigin();
    if (!this.box.bounds.contains(view.min.subtract(origin)) || !this.box.bounds.contains(view.max.subtract(origin))) {
      this.schedule();
    }
  },
  schedule() {
    if (!this._map || this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  },
  /** The cell or camera under a layer point: {cell} or {camera}, or null. */
  hit(lp) {
    for (const c of this.cells) if (c.lp && lp.distanceTo(c.lp) <= c.r) return { cell: c };
    let best = null, bestD = Infinity;
    for (const d of this.cams) {
      if (!d.lp) continue;
      const dx = lp.x - d.lp.x, dy = lp.y - d.lp.y, dist = Math.hypot(dx, dy);
      if (dist <= 8 && dist < bestD) { best = d; bestD = dist; continue; }
      if (best || !d.r || dist > d.r) continue;
      if (isDisc(d.camera)) { best = d; continue; }
      const bearing = ((Math.atan2(dx, -dy) * 180) / Math.PI + 360) % 360;
      const off = Math.abs(((bearing - d.camera.direction_deg + 540) % 360) - 180);
      if (off <= d.camera.fov_deg / 2) best = d;
    }
    return best ? { camera: best.camera } : null;
  },
  draw() {
    const map = this._map;
    if (!map) return;
    const cv = this.canvas;
    if (!this.cells.length && !this.cams.length) {
      // nothing to draw: an empty canvas of no size, nothing to composite while the map is moved
      if (!this.blank) { cv.width = 0; cv.height = 0; cv.style.width = "0"; cv.style.height = "0"; }
      this.blank = true;
      this.box = null;
      return;
    }
    this.blank = false;
    const size = map.getSize();
    const w = Math.round(size.x * (1 + 2 * PAD)), h = Math.round(size.y * (1 + 2 * PAD));
    const ratio = window.devicePixelRatio || 1;
    // the canvas is re-allocated only when the map's size changes, not after every pan
    if (cv.width !== Math.round(w * ratio) || cv.height !== Math.round(h * ratio)) {
      cv.width = Math.round(w * ratio); cv.height = Math.round(h * ratio);
    }
    cv.style.width = w + "px"; cv.style.height = h + "px";
    const origin = map.containerPointToLayerPoint([-size.x * PAD, -size.y * PAD]).round();
    L.DomUtil.setPosition(cv, origin);
    this.box = { zoom: map.getZoom(), bounds: L.bounds(origin, origin.add([w, h])) };
    const ctx = cv.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (this.cells.length) this.drawCells(ctx, map, origin);
    if (this.cams.length) this.drawCameras(ctx, map, origin, w, h);
  },
  drawCells(ctx, map, origin) {
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.font = "700 11px system-ui, sans-serif";
    for (const c of this.cells) {
      const [lon, lat] = c.location.coordinates;
      c.lp = map.latLngToLayerPoint([lat, lon]);
      c.r = Math.min(22, 9 + 3.5 * Math.log10(c.count));
      const x = c.lp.x - origin.x, y = c.lp.y - origin.y;
      ctx.beginPath(); ctx.arc(x, y, c.r, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(24, 100, 171, .62)"; ctx.fill();
      ctx.lineWidth = 1.5; ctx.strokeStyle = "rgba(255, 255, 255, .9)"; ctx.stroke();
      ctx.fillStyle = "#fff";
      ctx.fillText(c.count >= 10000 ? Math.round(c.count / 1000) + "k" : String(c.count), x, y);
    }
  },
  drawCameras(ctx, map, origin, w, h) {
    const zoom = map.getZoom();
    const cones = zoom >= CONES_FROM_ZOOM;
    const groups = new Map(); // colour -> the cameras drawn in it (one path a colour)
    for (const d of this.cams) {
      const [lon, lat] = d.camera.location.coordinates;
      d.lp = map.latLngToLayerPoint([lat, lon]);
      d.r = cones ? (d.camera.range_m || 30) * pxPerMetre(zoom, lat) : 0;
      const x = d.lp.x - origin.x, y = d.lp.y - origin.y, m = d.r + 8;
      if (x < -m || y < -m || x > w + m || y > h + m) continue;
      const key = this.styleOf(d.camera);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push([d, x, y]);
    }
    if (cones) {
      ctx.lineWidth = 1.5;
      for (const [key, list] of groups) {
        const [stroke, fill] = COLOURS[key] || COLOURS.idle;
        ctx.beginPath();
        for (const [d, x, y] of list) {
          const c = d.camera;
          if (isDisc(c)) { ctx.moveTo(x + d.r, y); ctx.arc(x, y, d.r, 0, 2 * Math.PI); continue; }
          const from = ((c.direction_deg - c.fov_deg / 2 - 90) * Math.PI) / 180;
          ctx.moveTo(x, y);
          ctx.arc(x, y, d.r, from, from + (c.fov_deg * Math.PI) / 180);
          ctx.closePath();
        }
        ctx.globalAlpha = 0.22; ctx.fillStyle = fill; ctx.fill();
        ctx.globalAlpha = 1; ctx.strokeStyle = stroke; ctx.stroke();
      }
    }
    ctx.lineWidth = 2; ctx.strokeStyle = "#fff";
    for (const [key, list] of groups) {
      ctx.beginPath();
      for (const [, x, y] of list) { ctx.moveTo(x + 6, y); ctx.arc(x, y, 6, 0, 2 * Math.PI); }
      ctx.fillStyle = (COLOURS[key] || COLOURS.idle)[0]; ctx.fill(); ctx.stroke();
    }
  },
});

export function areaLayer(map, opts) {
  opts = opts || {};
  const drawn = new Map(); // camera id -> {camera, lp, r}: the cameras in view (their positions as last drawn)
  const state = { mode: null, total: 0, drawn: 0, loads: 0, pending: false, seq: 0 };
  const status = (c) => (c.active === false ? "inactive" : (opts.statusOf ? opts.statusOf(c) : "idle"));
  const layer = new CameraCanvas(status);
  const hover = L.tooltip({ direction: "top", offset: [0, -6] });
  let hovered = null;
  let timer = null;
  let shown = true;
  let waiters = [];

  let fetched = null; // what the drawn view was read for: {bounds (the view and a margin), zoom, inactive}

  function bbox(b) {
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90)].map((v) => v.toFixed(6)).join(",");
  }

  /** Whether the view still lies within what was read for the same zoom (a pan of up to MARGIN of the map): then
      the cameras drawn are all the view holds and only their drawing moves. */
  function stillCovered() {
    const inactive = !!(opts.inactive && opts.inactive());
    return !!fetched && fetched.zoom === Math.round(map.getZoom()) && fetched.inactive === inactive
      && fetched.bounds.contains(map.getBounds());
  }

  async function load() {
    const seq = ++state.seq;
    state.pending = true;
    const bounds = map.getBounds().pad(MARGIN);
    const zoom = Math.round(map.getZoom());
    const inactive = !!(opts.inactive && opts.inactive());
    const base = new URLSearchParams({ bbox: bbox(bounds), zoom: String(zoom), cones: "0" });
    if (opts.searchId) base.set("search_id", String(opts.searchId));
    if (inactive) base.set("active", "all");
    let cursor = null;
    let first = true;
    let lastCells = [];
    const fresh = [];
    try {
      do {
        const params = new URLSearchParams(base);
        if (cursor !== null) params.set("cursor", String(cursor));
        const page = await api("GET", "/api/v1/cameras/area?" + params.toString(), null, { quiet: true });
        if (seq !== state.seq) return; // the map moved on: a later view is on its way
        if (page.mode === "clusters") lastCells = page.clusters;
        if (first) {
          first = false;
          state.mode = page.mode;
          state.total = page.total;
        }
        if (page.mode === "cameras") for (const c of page.cameras) fresh.push(c);
        cursor = page.mode === "cameras" ? page.next_cursor : null;
      } while (cursor !== null && cursor !== undefined);
      // the whole view at once, drawn on the next animation frame (what is still in view keeps its last position
      // for hit tests until then)
      const had = new Map(drawn);
      drawn.clear();
      for (const c of fresh) drawn.set(c.id, { ...(had.get(c.id) || {}), camera: c });
      fetched = { bounds, zoom, inactive };
      layer.setCells(state.mode === "clusters" ? lastCells : []);
      layer.setCameras(Array.from(drawn.values()));
      if (hovered && !drawn.has(hovered.id)) unhover();
    } catch (e) {
      // a failed read leaves no empty map behind: the same view is read again shortly
      if (seq === state.seq) { state.error = e; setTimeout(() => { if (seq === state.seq) refresh(0); }, 2000); }
      return;
    } finally {
      if (seq === state.seq) state.pending = false;
    }
    state.drawn = drawn.size;
    state.loads += 1;
    document.body.dataset.camerasDrawn = String(state.mode === "clusters" ? -state.total : drawn.size);
    if (opts.onLoad) opts.onLoad(state);
    const done = waiters;
    waiters = [];
    for (const w of done) w();
  }

  /** Read the view again (after `delay` ms, DEBOUNCE_MS by default), whatever was read before. */
  function refresh(delay) {
    clearTimeout(timer);
    timer = setTimeout(load, delay === undefined ? DEBOUNCE_MS : delay);
  }

  /** The drawn cameras' colours again (their review moved on); nothing fetched. */
  function restyle() { layer.schedule(); }

  function unhover() {
    hovered = null;
    map.closeTooltip(hover);
    map.getContainer().style.cursor = "";
  }

  function show(on) {
    shown = !!on;
    if (shown) { layer.addTo(map); refresh(0); } else { layer.remove(); unhover(); }
  }

  map.on("moveend", () => {
    if (!shown) return;
    if (!stillCovered() || state.pending) refresh(); // else nothing new can be in view: no read (nor drawing)
  });
  map.on("click", (e) => {
    const found = shown && layer.hit(e.layerPoint);
    if (!found) return;
    if (found.camera) {
      if (opts.onCamera) opts.onCamera(found.camera, e.latlng);
      return;
    }
    const [w, s, east, n] = found.cell.bbox;
    if (w === east && s === n) map.setView([s, w], Math.max(map.getZoom() + 2, 16));
    else map.fitBounds([[s, w], [n, east]], { maxZoom: 18, padding: [20, 20] });
  });
  map.on("mousemove", (e) => {
    if (!shown) return;
    const found = layer.hit(e.layerPoint);
    const c = found && found.camera;
    map.getContainer().style.cursor = found ? "pointer" : "";
    if (!c) { if (hovered) unhover(); return; }
    if (hovered && hovered.id === c.id) return;
    hovered = c;
    const [lon, lat] = c.location.coordinates;
    hover.setLatLng([lat, lon]).setContent(tip(`${c.code} · ${c.name}`));
    map.openTooltip(hover);
  });
  map.on("mouseout", () => { if (hovered) unhover(); });
  show(true);

  return {
    refresh, restyle, show, state,
    camera: (id) => (drawn.has(id) ? drawn.get(id).camera : null),
    cameras: () => Array.from(drawn.values(), (d) => d.camera),
    /** Resolves when the view in flight (or the next one) has been drawn. */
    loaded: () => new Promise((resolve) => { waiters.push(resolve); }),
  };
}
