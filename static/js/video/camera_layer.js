/* search-coord: the camera registry on a map, by the map's view (GET /api/v1/cameras/area): the cameras in view with
   their cones when zoomed in, cells with counts when zoomed out; fetched again on moveend (debounced; a later view
   wins), drawn on one canvas (Leaflet's canvas renderer for the cameras and cones, a canvas of its own for the cells),
   never one DOM marker per camera. Used by the console's and the field page's video layer (video/cameras.js) and
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
const FRAME_BUDGET_MS = 8; // work on the drawn cameras is split into slices this long, one an animation frame
const CONES_FROM_ZOOM = 17; // as the server's (services/video/area.py)

/** A camera's view cone as [lat, lng] points, from its direction, field of view and range (metres; 30 when unknown;
    a disc when the direction is unknown or it sees all round), as core/cameras.py builds it (one arc vertex per 5°,
    at least 4), on a local flat approximation, which is exact to the pixel over a few tens of metres. Built here
    rather than sent: the map asks with cones=0, a third of the bytes. */
function conePoints(c) {
  const [lon, lat] = c.location.coordinates;
  const r = c.range_m || 30;
  const perLat = 1 / 111320, perLon = 1 / (111320 * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
  const disc = c.direction_deg === null || c.direction_deg === undefined || !c.fov_deg || c.fov_deg >= 360;
  const from = disc ? 0 : c.direction_deg - c.fov_deg / 2;
  const span = disc ? 360 : c.fov_deg;
  const steps = disc ? 64 : Math.max(4, Math.ceil(span / 5));
  const pts = disc ? [] : [[lat, lon]];
  for (let i = 0; i <= steps; i++) {
    const b = ((from + (span * i) / steps) * Math.PI) / 180;
    pts.push([lat + r * Math.cos(b) * perLat, lon + r * Math.sin(b) * perLon]);
  }
  return pts;
}

/** A layer of cells with counts, drawn on a canvas of its own in the overlay pane (it pans with the map). */
const CellsLayer = L.Layer.extend({
  initialize() { this.cells = []; },
  onAdd(map) {
    this.canvas = L.DomUtil.create("canvas", "sc-cells leaflet-zoom-hide");
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on("moveend zoomend resize", this.redraw, this);
    this.redraw();
  },
  onRemove(map) {
    map.off("moveend zoomend resize", this.redraw, this);
    L.DomUtil.remove(this.canvas);
  },
  setCells(cells) {
    if (!cells.length && !this.cells.length) return;
    this.cells = cells; this.redraw();
  },
  /** The cell under a container point, or null. */
  hit(point) {
    for (const c of this.cells) if (c.px && point.distanceTo(c.px) <= c.r) return c;
    return null;
  },
  redraw() {
    const map = this._map;
    if (!map) return;
    // no cells (the cameras themselves are drawn): an empty canvas of no size, nothing to composite while the map
    // is moved, nothing to clear again after every pan
    if (!this.cells.length) {
      if (!this.blank) { this.canvas.width = 0; this.canvas.height = 0; this.canvas.style.width = "0"; }
      this.blank = true;
      return;
    }
    this.blank = false;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const cv = this.canvas;
    // the canvas is re-allocated only when the map's size changes, not after every pan
    if (cv.width !== size.x * ratio || cv.height !== size.y * ratio) {
      cv.width = size.x * ratio; cv.height = size.y * ratio;
    }
    cv.style.width = size.x + "px"; cv.style.height = size.y + "px";
    L.DomUtil.setPosition(cv, map.containerPointToLayerPoint([0, 0]));
    const ctx = cv.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.font = "700 11px system-ui, sans-serif";
    for (const c of this.cells) {
      const [lon, lat] = c.location.coordinates;
      c.px = map.latLngToContainerPoint([lat, lon]);
      c.r = Math.min(22, 9 + 3.5 * Math.log10(c.count));
      ctx.beginPath(); ctx.arc(c.px.x, c.px.y, c.r, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(24, 100, 171, .62)"; ctx.fill();
      ctx.lineWidth = 1.5; ctx.strokeStyle = "rgba(255, 255, 255, .9)"; ctx.stroke();
      ctx.fillStyle = "#fff";
      ctx.fillText(c.count >= 10000 ? Math.round(c.count / 1000) + "k" : String(c.count), c.px.x, c.px.y);
    }
  },
});

export function areaLayer(map, opts) {
  opts = opts || {};
  // the canvas reaches a fifth of the view beyond each edge (Leaflet's default is half): what is composited on
  // every frame of a pan is 1.96x the view's area instead of 4x, and a pan of up to a fifth of the map shows no edge
  const renderer = L.canvas({ padding: 0.2 });
  const group = L.layerGroup();
  const cells = new CellsLayer();
  const drawn = new Map(); // camera id -> {camera, dot, cone}
  const state = { mode: null, total: 0, drawn: 0, loads: 0, pending: false, seq: 0 };
  let timer = null;
  let shown = true;
  let waiters = [];

  function style(c) {
    const status = c.active === false ? "inactive" : (opts.statusOf ? opts.statusOf(c) : "idle");
    const [stroke, fill] = COLOURS[status] || COLOURS.idle;
    return { stroke, fill };
  }

  function add(c) {
    const [lon, lat] = c.location.coordinates;
    const { stroke, fill } = style(c);
    const dot = L.circleMarker([lat, lon], { renderer, radius: 6, weight: 2, color: "#fff", fillColor: stroke, fillOpacity: 1 });
    let cone = null;
    if (map.getZoom() >= CONES_FROM_ZOOM) {
      cone = L.polygon(conePoints(c), { renderer, weight: 1.5, color: stroke, fillColor: fill, fillOpacity: 0.22 });
      cone.on("click", (e) => opts.onCamera && opts.onCamera(drawn.get(c.id).camera, e.latlng));
      group.addLayer(cone);
    }
    dot.on("click", () => opts.onCamera && opts.onCamera(drawn.get(c.id).camera, dot.getLatLng()));
    dot.on("mouseover", () => {
      if (!dot.getTooltip()) dot.bindTooltip(tip(`${c.code} · ${c.name}`), { direction: "top", offset: [0, -6] });
      dot.openTooltip();
    });
    group.addLayer(dot);
    drawn.set(c.id, { camera: c, dot, cone });
  }

  function drop(id) {
    const d = drawn.get(id);
    group.removeLayer(d.dot);
    if (d.cone) group.removeLayer(d.cone);
    drawn.delete(id);
  }

  function clearDrawn() {
    group.clearLayers();
    drawn.clear();
  }

  function bbox() {
    const b = map.getBounds().pad(0.15);
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90)].map((v) => v.toFixed(6)).join(",");
  }

  async function load() {
    const seq = ++state.seq;
    state.pending = true;
    const base = new URLSearchParams({ bbox: bbox(), zoom: String(Math.round(map.getZoom())), cones: "0" });
    if (opts.searchId) base.set("search_id", String(opts.searchId));
    if (opts.inactive && opts.inactive()) base.set("active", "all");
    let cursor = null;
    let first = true;
    const seen = new Set();
    const fresh = [];
    try {
      do {
        const params = new URLSearchParams(base);
        if (cursor !== null) params.set("cursor", String(cursor));
        const page = await api("GET", "/api/v1/cameras/area?" + params.toString(), null, { quiet: true });
        if (seq !== state.seq) return; // the map moved on: a later view is on its way
        if (first) {
          first = false;
          if (page.mode !== "cameras") clearDrawn();
          state.mode = page.mode;
          state.total = page.total;
          cells.setCells(page.mode === "clusters" ? page.clusters : []);
        }
        // cameras still in view keep what is drawn (a pan redraws only what came into view), unless they changed
        if (page.mode === "cameras") {
          for (const c of page.cameras) {
            seen.add(c.id);
            const had = drawn.get(c.id);
            if (had && had.camera.version === c.version && !!had.cone === (map.getZoom() >= CONES_FROM_ZOOM)) continue;
            if (had) drop(c.id);
            fresh.push(c);
          }
        }
        cursor = page.mode === "cameras" ? page.next_cursor : null;
      } while (cursor !== null && cursor !== undefined);
      const gone = state.mode === "cameras" ? Array.from(drawn.keys()).filter((id) => !seen.has(id)) : [];
      // what left the view is dropped and what came into it drawn in slices of at most FRAME_BUDGET_MS, one an
      // animation frame (Leaflet's canvas renderer redraws the changed area once a frame): no long frame while the
      // map is being moved
      let i = 0, j = 0;
      while (i < gone.length || j < fresh.length) {
        const until = performance.now() + FRAME_BUDGET_MS;
        while (i < gone.length && performance.now() < until) drop(gone[i++]);
        while (j < fresh.length && performance.now() < until) add(fresh[j++]);
        if (i < gone.length || j < fresh.length) await new Promise((resolve) => requestAnimationFrame(resolve));
        if (seq !== state.seq) return;
      }
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

  function refresh(delay) {
    clearTimeout(timer);
    timer = setTimeout(load, delay === undefined ? DEBOUNCE_MS : delay);
  }

  /** The drawn cameras' colours again (their review moved on); nothing fetched. */
  function restyle() {
    for (const { camera, dot, cone } of drawn.values()) {
      const { stroke, fill } = style(camera);
      dot.setStyle({ fillColor: stroke });
      if (cone) cone.setStyle({ color: stroke, fillColor: fill });
    }
  }

  function show(on) {
    shown = !!on;
    if (shown) { group.addTo(map); cells.addTo(map); refresh(0); } else { group.remove(); cells.remove(); }
  }

  map.on("moveend", () => { if (shown) refresh(); });
  map.on("click", (e) => {
    const c = shown && cells.hit(e.containerPoint);
    if (!c) return;
    const [w, s, east, n] = c.bbox;
    if (w === east && s === n) map.setView([s, w], Math.max(map.getZoom() + 2, 16));
    else map.fitBounds([[s, w], [n, east]], { maxZoom: 18, padding: [20, 20] });
  });
  show(true);

  return {
    refresh, restyle, show, state,
    camera: (id) => (drawn.has(id) ? drawn.get(id).camera : null),
    cameras: () => Array.from(drawn.values(), (d) => d.camera),
    /** Resolves when the view in flight (or the next one) has been drawn. */
    loaded: () => new Promise((resolve) => { waiters.push(resolve); }),
  };
}
