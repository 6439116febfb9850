/* search-coord: lines drawn in canvas tiles of 512 px (a Leaflet GridLayer), for officers' tracks: 50 officers x 4 h.
   512, not 256: a quarter of the canvases for Chromium to move each frame of a pan (4 h, 3 runs each, load 2-5:
   frame p99 17-50 ms against 33-50 ms; tiles drawn while panning ~12-30 against ~125-140).
   A pan moves the tiles as they are (as map tiles) and draws only the tiles it uncovers, each from the pieces of line
   that cross it; nothing is redrawn at the end of a pan. One big canvas (Leaflet's canvas renderer) redraws every
   line, on an area several times the view, whenever the view leaves the area drawn: at 4 h 100-250 ms frames.
   Per zoom level each line is projected once to that level's pixels and simplified (SMOOTH_PX, as Leaflet's
   smoothFactor), then cut into chunks of CHUNK segments with their boxes, so a tile draws only the chunks that meet
   it. Points appended to a line are projected and added to its last chunk; the tiles their segments cross are
   redrawn once in the next animation frame (whatever the number of batches meanwhile), no other. */

const TILE = 512;
const CHUNK = 64; // segments per chunk
export const SMOOTH_PX = 1; // simplification tolerance per zoom level, in screen pixels

/** Project `lls` (L.LatLng) to the pixels of zoom `z` and simplify: {z, xs, ys, chunks, box}. */
function projectLine(map, lls, z) {
  let pts = lls.map((ll) => map.project(ll, z));
  if (pts.length > 2) pts = L.LineUtil.simplify(pts, SMOOTH_PX);
  const p = { z, xs: pts.map((q) => q.x), ys: pts.map((q) => q.y), chunks: [], box: null };
  rechunk(p, 0);
  return p;
}

/** (Re)build the chunks of `p` from point `from` on (those before are kept); returns the box of the new ones. */
function rechunk(p, from) {
  const n = p.xs.length;
  let box = null;
  for (let i0 = from; i0 < n - 1; i0 += CHUNK) {
    const i1 = Math.min(i0 + CHUNK, n - 1);
    const c = { i0, i1, x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    for (let i = i0; i <= i1; i++) {
      const x = p.xs[i];
      const y = p.ys[i];
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
    }
    p.chunks.push(c);
    box = grow(box, c);
  }
  p.box = grow(p.box, box);
  return box;
}

function grow(a, b) {
  if (!b) return a;
  if (!a) return { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 };
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

const meets = (b, x0, y0, x1, y1) => b && b.x1 >= x0 && b.x0 <= x1 && b.y1 >= y0 && b.y0 <= y1;

/** The tile layer. addLine(lls, style) -> line; extend(line, lls); removeLine(line); getBounds(); screenVertices(line).
    style: {color, weight, opacity}. Lines are drawn in the order they were added. */
export const TrackTiles = L.GridLayer.extend({
  // keepBuffer 1 (Leaflet's default is 2): tiles kept one row beyond the view, not two. Chromium without a GPU copies
  // every canvas on the page to the compositor each frame, seen or not (Canvas2DResourceProvider::ProduceCanvasResource
  // ~0.16 ms a 512 px tile): after a drag 12-15 tiles instead of 21-23, the renderer's main-thread CPU over an 8 s drag
  // of the 4 h console 2.6-2.8 s instead of 3.0-3.1 s (same page, alternated, load 8-9)
  options: { tileSize: TILE, updateWhenIdle: false, updateWhenZooming: false, keepBuffer: 1 },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this.lines = new Set();
    this.dirty = new Set(); // keys of the tiles to redraw at the next animation frame
    this.frame = 0;
    // what tests and bench/ count, since the layer was made: tiles made (each drawn once as it is made), tiles already
    // on the map drawn again (by flush: lines appended, added, removed) and the keys of the last flush's redraws
    this.madeTiles = 0;
    this.redrawnTiles = 0;
    this.redrawnKeys = [];
  },

  createTile(coords) {
    const tile = document.createElement("canvas");
    const dpr = window.devicePixelRatio || 1;
    tile.width = tile.height = Math.round(TILE * dpr);
    tile.scDpr = dpr;
    this.madeTiles += 1;
    this.drawTile(tile, coords);
    return tile;
  },

  /** Draw every chunk of line that meets the tile (its box grown by half the line's width). */
  drawTile(tile, coords) {
    const ctx = tile.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, tile.width, tile.height);
    const ox = coords.x * TILE;
    const oy = coords.y * TILE;
    // coordinates relative to the tile's corner (in JS doubles): at zoom 18 a pixel's number is ~6.7e7, past a
    // float's precision in the canvas's own transform
    ctx.setTransform(tile.scDpr, 0, 0, tile.scDpr, 0, 0);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const line of this.lines) {
      const p = this.projected(line, coords.z);
      const m = line.style.weight / 2 + 1;
      const x0 = ox - m, y0 = oy - m, x1 = ox + TILE + m, y1 = oy + TILE + m;
      if (!meets(p.box, x0, y0, x1, y1)) continue;
      ctx.beginPath();
      for (const c of p.chunks) {
        if (!meets(c, x0, y0, x1, y1)) continue;
        ctx.moveTo(p.xs[c.i0] - ox, p.ys[c.i0] - oy);
        for (let i = c.i0 + 1; i <= c.i1; i++) ctx.lineTo(p.xs[i] - ox, p.ys[i] - oy);
      }
      ctx.strokeStyle = line.style.color;
      ctx.lineWidth = line.style.weight;
      ctx.globalAlpha = line.style.opacity;
      ctx.stroke();
    }
  },

  /** The line in the pixels of zoom z (made once per zoom level). */
  projected(line, z) {
    if (!line.proj || line.proj.z !== z) line.proj = projectLine(this._map, line.lls, z);
    return line.proj;
  },

  addLine(lls, style) {
    const line = { lls: lls.slice(), style, proj: null };
    this.lines.add(line);
    if (this._map && this._tileZoom !== undefined) this.redrawBox(this.projected(line, this._tileZoom).box, line);
    return line;
  },

  /** Points appended to `line`: its last chunk grows (or a new one starts); only the tiles they cross are redrawn. */
  extend(line, lls) {
    const first = line.lls.length;
    for (const ll of lls) line.lls.push(ll);
    if (!this._map || !line.proj || line.proj.z !== this._tileZoom) return;
    const p = line.proj;
    const from = Math.max(0, p.xs.length - 1);
    for (let i = first; i < line.lls.length; i++) {
      const q = this._map.project(line.lls[i], p.z);
      p.xs.push(q.x);
      p.ys.push(q.y);
    }
    // the last chunk is cut again from its first point (or a new one starts at the old last point)
    const last = p.chunks[p.chunks.length - 1];
    let start = from;
    if (last && last.i1 - last.i0 < CHUNK) { p.chunks.pop(); start = last.i0; }
    this.redrawBox(rechunk(p, start), line);
  },

  removeLine(line) {
    if (!this.lines.delete(line)) return;
    if (this._map && line.proj && line.proj.z === this._tileZoom) this.redrawBox(line.proj.box, line);
  },

  /** Queue the loaded tiles (of the current zoom) that a box of pixels meets, for the next animation frame. */
  redrawBox(box, line) {
    if (!box || !this._map || this._tileZoom === undefined) return;
    const m = line.style.weight / 2 + 1;
    const z = this._tileZoom;
    for (let x = Math.floor((box.x0 - m) / TILE); x <= Math.floor((box.x1 + m) / TILE); x++) {
      for (let y = Math.floor((box.y0 - m) / TILE); y <= Math.floor((box.y1 + m) / TILE); y++) {
        const key = `${x}:${y}:${z}`;
        if (this._tiles[key]) this.dirty.add(key);
      }
    }
    if (this.dirty.size && !this.frame) this.frame = requestAnimationFrame(() => this.flush());
  },

  flush() {
    this.frame = 0;
    const keys = this.dirty;
    this.dirty = new Set();
    this.redrawnKeys = [];
    for (const key of keys) {
      const t = this._tiles[key];
      if (!t) continue; // removed meanwhile (a pan or zoom): a tile made again draws the lines as they are
      this.drawTile(t.el, t.coords);
      this.redrawnTiles += 1;
      this.redrawnKeys.push(key);
    }
  },

  /** Every tile drawn again (a new snapshot). */
  redrawAll() {
    if (this._map) this.redraw();
  },

  /** The lines' extent (L.LatLngBounds; not valid when there are none). */
  getBounds() {
    const b = L.latLngBounds([]);
    for (const line of this.lines) for (const ll of line.lls) b.extend(ll);
    return b;
  },

  /** The key ("x:y:z") of the tile of the current zoom under `latlng` (what tests read). */
  keyAt(latlng) {
    if (!this._map || this._tileZoom === undefined) return null;
    const q = this._map.project(latlng, this._tileZoom);
    return `${Math.floor(q.x / TILE)}:${Math.floor(q.y / TILE)}:${this._tileZoom}`;
  },

  /** The opacity (0-255) drawn at `latlng` in the tile of the current zoom under it, or null when that tile is not
      loaded (what tests read). */
  alphaAt(latlng) {
    const key = this.keyAt(latlng);
    const t = key && this._tiles[key];
    if (!t) return null;
    const q = this._map.project(latlng, this._tileZoom);
    const x = t.coords.x;
    const y = t.coords.y;
    const d = t.el.scDpr;
    return t.el.getContext("2d").getImageData(Math.floor((q.x - x * TILE) * d), Math.floor((q.y - y * TILE) * d), 1, 1)
      .data[3];
  },

  /** Vertices of `line` drawn at the map's zoom (after the per-zoom simplification). */
  screenVertices(line) {
    return this._map ? this.projected(line, Math.round(this._map.getZoom())).xs.length : line.lls.length;
  },
});
