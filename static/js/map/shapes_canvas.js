/* search-coord: a search map's shapes (the assignments and the areas marked searched of map/layers.js, the segments
   of "where to look" by the hundred and its rings and reach, map/where.js) drawn on one canvas (Leaflet's canvas
   renderer, L.Canvas) instead of an SVG path each: at 4 h a console had ~530 paths that the SVG renderer clipped and
   re-rasterised at the end of every pan. Leaflet hit-tests the canvas itself, so clicks, hover, sticky tooltips,
   popups and Geoman's editing of a shape work as on SVG.

   One renderer per map, in a pane of its own just under the overlay pane (399; above the swept area's canvas, 390).
   Leaflet's SVG root takes no pointer events, so the canvas gets them wherever no SVG path (a trail, a route being
   picked, a shape being drawn) is. On the canvas a shape drawn later is on top, as a path appended to the SVG was:
   the same shapes in the same order as before (the segments, drawn after the assignments, on top of them and
   picked by a click; an assignment drawn again comes on top until the segments are).
     const r = shapesCanvas(map);  L.geoJSON(geo, {renderer: r, ...})
     shapeStats(map, "sc-segment") -> {canvas, svg, fills}: the map's paths of that class by how they are drawn
     pictureFill(geometry, options): a big fill nobody clicks (the swept area), drawn from a picture kept per zoom
   Differences kept away from the user:
   - while the map is picking a point (class "picking" on its container: a clue's place, an assignment drawn) the
     shapes take no clicks and show no tooltips, as the CSS rule `.map.picking path.leaflet-interactive` has it for
     SVG: the click is the map's alone;
   - Leaflet's canvas sends the map's mousemove at most every 32 ms while it looks for the shape under the pointer;
     here the map still gets every mousemove (Geoman's drawing guide follows the pointer as smoothly as over SVG). */
import { KeptCanvas } from "./tracks_canvas.js";

const PANE = "scShapes";
const PANE_Z = 399; // under the overlay pane (400), over the swept area (390) and the phone's tracks (395)

const picking = (map) => map.getContainer().classList.contains("picking");

/** KeptCanvas (no redraw at the end of a pan while the view is inside the area drawn) that gives the map the events
    it would have over SVG (see the module's notes). */
const ShapeCanvas = KeptCanvas.extend({
  _onClick(e) {
    if (!this._map) return;
    if (picking(this._map)) { this._handleMouseOut(e); this._fireEvent(false, e); return; }
    KeptCanvas.prototype._onClick.call(this, e);
  },

  _onMouseMove(e) {
    if (!this._map) return;
    if (picking(this._map)) { this._handleMouseOut(e); this._fireEvent(false, e); return; }
    if (this._mouseHoverThrottled) {   // Leaflet would send nothing: the map (and the shape hovered) get it
      this._fireEvent(this._hoveredLayer ? [this._hoveredLayer] : false, e);
      return;
    }
    KeptCanvas.prototype._onMouseMove.call(this, e);
  },
});

const PICTURE_SIDE = 4096; // px: a bigger picture (zoomed far in) is not kept; the fill is drawn as Leaflet draws it
const PICTURE_PIXELS = 8e6;
const TINY_PX = 1; // a ring smaller than this each way at the zoom drawn is left out of the picture (it shows nothing)

/** A filled polygon nobody clicks (the swept area: ~3,500 rings and ~29,000 vertices at 4 h of 50 officers) whose
    fill is drawn once per zoom level into a picture of its own (an offscreen canvas in the zoom's pixels, rings of
    under TINY_PX left out), then copied onto the shapes canvas at each redraw of it (the end of a pan that leaves the
    area drawn, a segment recoloured) instead of clipping and filling every ring again: at 4 h 30 ms of clipping and
    100-300 ms of filling at every such redraw, a long frame at the end of every drag. Zoomed in so far that the
    picture would be too big, it is drawn as any polygon. Options as L.Polygon's (fillColor, fillOpacity, fillRule). */
const PictureFill = L.Polygon.extend({
  _update() {
    if (!this._map) return;
    if (this._picture()) this._updatePath(); // no clipping or simplifying: the picture has its own
    else L.Polygon.prototype._update.call(this);
  },

  _updatePath() {
    const pic = this._map && this._picture();
    if (!pic) { L.Polygon.prototype._updatePath.call(this); return; }
    const r = this._renderer;
    if (!r._drawing) return;
    const o = this._map.getPixelOrigin(); // layer points: the map's pixels less the origin
    r._ctx.globalAlpha = this.options.fillOpacity;
    r._ctx.drawImage(pic.canvas, pic.x - o.x, pic.y - o.y, pic.w, pic.h);
    r._ctx.globalAlpha = 1;
  },

  /** The fill at the map's zoom, {z, canvas, x, y, w, h} in that zoom's pixels, or null when too big (made once). */
  _picture() {
    const map = this._map;
    const z = map.getZoom();
    if (this._pic && this._pic.z === z) return this._pic.canvas ? this._pic : null;
    const rings = [];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const walk = (lls) => {
      if (!L.LineUtil.isFlat(lls)) { for (const sub of lls) walk(sub); return; }
      let pts = lls.map((ll) => map.project(ll, z));
      const b = L.bounds(pts);
      if (!b.isValid() || (b.max.x - b.min.x < TINY_PX && b.max.y - b.min.y < TINY_PX)) return;
      if (pts.length > 3) pts = L.LineUtil.simplify(pts, 0.5);
      rings.push(pts);
      x0 = Math.min(x0, b.min.x); y0 = Math.min(y0, b.min.y); x1 = Math.max(x1, b.max.x); y1 = Math.max(y1, b.max.y);
    };
    walk(this._latlngs);
    this._pic = { z, canvas: null };
    const dpr = L.Browser.retina ? 2 : 1; // as Leaflet's canvas renderer
    const w = Math.ceil(x1 - x0) + 2, h = Math.ceil(y1 - y0) + 2;
    if (!rings.length || w * dpr > PICTURE_SIDE || h * dpr > PICTURE_SIDE || w * h * dpr * dpr > PICTURE_PIXELS) return null;
    const canvas = document.createElement("canvas");
    canvas.width = w * dpr;
    canvas.height = h * dpr;
    const ctx = canvas.getContext("2d");
    ctx.scale(dpr, dpr);
    ctx.translate(1 - x0, 1 - y0);
    ctx.beginPath();
    for (const pts of rings) {
      ctx.moveTo(pts[0].x, pts[0].y);
      for (let i = 1; i < pts.length; i++) ctx.lineTo(pts[i].x, pts[i].y);
      ctx.closePath();
    }
    ctx.fillStyle = this.options.fillColor || this.options.color;
    ctx.fill(this.options.fillRule || "evenodd");
    this._pic = { z, canvas, x: x0 - 1, y: y0 - 1, w, h };
    return this._pic;
  },
});

/** A GeoJSON polygon or multipolygon geometry as a PictureFill (see above), or null for any other geometry. */
export function pictureFill(geometry, options) {
  if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) return null;
  const levels = geometry.type === "Polygon" ? 1 : 2;
  return new PictureFill(L.GeoJSON.coordsToLatLngs(geometry.coordinates, levels), options);
}

/** The map's one canvas renderer for its shapes (made on first use). */
export function shapesCanvas(map) {
  const p = map.getPane(PANE) || map.createPane(PANE);
  p.style.zIndex = String(PANE_Z);
  if (!p.scRenderer) p.scRenderer = new ShapeCanvas({ pane: PANE, padding: 0.3 });
  return p.scRenderer;
}

/** The paths on the map whose className has `cls`: how many on a canvas, how many as SVG elements, and their
    distinct fill colours (what tests and bench/ read). */
export function shapeStats(map, cls) {
  const out = { canvas: 0, svg: 0, fills: [] };
  const fills = new Set();
  map.eachLayer((l) => {
    if (!(l instanceof L.Path) || !String(l.options.className || "").split(" ").includes(cls)) return;
    if (l.options.renderer instanceof L.Canvas) out.canvas += 1;
    else if (l.getElement && l.getElement()) out.svg += 1;
    fills.add(l.options.fillColor || l.options.color);
  });
  out.fills = [...fills];
  return out;
}
