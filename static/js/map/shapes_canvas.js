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
