"""In Chromium: the console's shapes (segments, rings, assignments, areas marked searched) are drawn on one canvas
(map/shapes_canvas.js), not an SVG path each, and the dispatcher uses them as before with a real mouse: hovering a
segment shows its tooltip, a click selects it, a segment marked searched from the form is drawn and its area's popup
opens on a click; while the map is picking a point a click on a segment is the map's alone; and a segment's outline
is changed by dragging a corner (Geoman on the canvas) and saved."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from browser_helpers import api_client, desk_page, desk_with_segments, iso

pytestmark = pytest.mark.browser

# A segment to use with the mouse: whole in view and clear of the other shapes (not inside an assignment's outline),
# nearest the view's middle; its id, name and the page point of its middle
PICK = """() => {
  const map = SC.debug.map, view = map.getBounds().pad(-0.15), box = map.getContainer().getBoundingClientRect();
  const others = [];
  map.eachLayer((l) => { if (l instanceof L.Path && /sc-assignment/.test(l.options.className || "")) others.push(l); });
  let best = null;
  for (const [id, layer] of SC.debug.where.layerById) {
    const b = layer.getBounds();
    if (!view.contains(b)) continue;
    const c = b.getCenter(), p = map.latLngToContainerPoint(c), d = p.distanceTo(map.getSize().divideBy(2));
    if (others.some((o) => (o.getBounds ? o.getBounds().pad(0.1).contains(c)
      : map.latLngToContainerPoint(o.getLatLng()).distanceTo(p) < 30))) continue;
    if (!best || d < best.d) best = { id, name: SC.debug.where.segments.get(id).name, x: box.left + p.x, y: box.top + p.y, d };
  }
  return best;
}"""
SHAPES = "(cls) => SC.debug.shapes(cls)"
# The swept area drawn again alone (Leaflet redraws the part of the canvas under it in the next frame): the pictures
# copied onto the shapes canvas, and the lines drawn that are not the other shapes drawn there again
SWEPT_REDRAWN = """async () => {
  const ctx = document.querySelector(".leaflet-scShapes-pane canvas").getContext("2d");
  const proto = CanvasRenderingContext2D.prototype, n = { images: 0, lines: 0 };
  const drawImage = proto.drawImage, lineTo = proto.lineTo;
  let swept = null, other = 0;
  SC.debug.map.eachLayer((l) => { if (/sc-swept/.test(l.options.className || "")) swept = l; });
  const b = swept.getBounds();
  SC.debug.map.eachLayer((l) => { if (l !== swept && l instanceof L.Polyline && l.getBounds().intersects(b))
    other += l.getLatLngs().flat(3).length; });
  proto.drawImage = function (...a) { if (this === ctx) n.images += 1; return drawImage.apply(this, a); };
  proto.lineTo = function (...a) { if (this === ctx) n.lines += 1; return lineTo.apply(this, a); };
  try {
    swept.redraw();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  } finally { proto.drawImage = drawImage; proto.lineTo = lineTo; }
  return { images: n.images, lines: Math.max(0, n.lines - other) };
}"""


def test_shapes_on_canvas_hover_click_mark_pick_and_edit(server, browser):
    base = server
    problems: list[str] = []
    page = desk_with_segments(browser, base, problems)

    # on the canvas: no SVG path per segment, ring or assignment; one canvas in the shapes pane
    for cls in ("sc-segment", "sc-ring", "sc-reach", "sc-assignment"):
        assert page.evaluate(SHAPES, cls)["svg"] == 0, cls
    assert page.evaluate(SHAPES, "sc-assignment")["canvas"] >= 1
    assert page.locator("path.sc-segment, path.sc-assignment, path.sc-ring").count() == 0
    assert page.locator(".leaflet-scShapes-pane canvas").count() == 1
    assert len(page.evaluate(SHAPES, "sc-segment")["fills"]) >= 5   # coloured by probability
    # the swept area, under them on the same canvas, is copied from a picture of its fill when drawn again
    page.wait_for_function(f"() => ({SHAPES})('sc-swept').canvas === 1", timeout=20000)
    assert page.evaluate(SWEPT_REDRAWN) == {"images": 1, "lines": 0}

    seg = page.evaluate(PICK)
    assert seg, "no segment clear of the other shapes in view"
    # hover: the segment's sticky tooltip; click: selected (its figures, the edit form with its name)
    page.mouse.move(seg["x"] - 3, seg["y"] - 3)
    page.mouse.move(seg["x"], seg["y"], steps=3)
    page.wait_for_function("(name) => [...document.querySelectorAll('.leaflet-tooltip')]"
                           ".some((t) => t.textContent.startsWith(name + ': POA'))", arg=seg["name"])
    page.mouse.click(seg["x"], seg["y"])
    page.wait_for_function("(name) => document.querySelector('.sc-where-selected').textContent"
                           ".startsWith(name + ':')", arg=seg["name"])
    assert page.input_value(".sc-where-edit [name=name]") == seg["name"]

    # while the map picks a point a click on a segment is the map's: nothing else is selected
    other = page.evaluate(f"""() => {{ const map = SC.debug.map, box = map.getContainer().getBoundingClientRect();
        for (const [id, layer] of SC.debug.where.layerById) {{
          if (id === {seg['id']} || !map.getBounds().pad(-0.15).contains(layer.getBounds())) continue;
          const p = map.latLngToContainerPoint(layer.getBounds().getCenter());
          return {{ x: box.left + p.x, y: box.top + p.y }};
        }} }}""")
    page.evaluate("() => { window.__mapClicks = 0; SC.debug.map.on('click', () => { window.__mapClicks += 1; });"
                  " SC.debug.map.getContainer().classList.add('picking'); }")
    page.mouse.click(other["x"], other["y"])
    page.wait_for_function("() => window.__mapClicks === 1")
    assert page.text_content(".sc-where-selected").startswith(seg["name"] + ":")
    # the segment's tooltip closed (faded out), none opened
    page.wait_for_function("() => ![...document.querySelectorAll('.leaflet-tooltip')]"
                           ".some((t) => t.textContent.includes(': POA '))")
    page.evaluate("() => SC.debug.map.getContainer().classList.remove('picking')")

    # marked searched from the form: drawn on the canvas; with the where-to-look layers off, a click on it
    # opens the area's popup
    page.mouse.click(seg["x"], seg["y"])
    page.fill(".sc-where-mark [name=pod]", "0.6")
    page.click(".sc-where-mark button[type=submit]")
    page.wait_for_function(f"() => ({SHAPES})('sc-searched').canvas === 1", timeout=10000)
    assert page.evaluate(SHAPES, "sc-searched")["svg"] == 0
    page.uncheck("#show-where")
    page.wait_for_function(f"() => ({SHAPES})('sc-segment').canvas === 0")
    page.mouse.click(seg["x"], seg["y"])
    page.wait_for_function("() => [...document.querySelectorAll('.leaflet-popup')]"
                           ".some((p) => p.textContent.includes('POD 60 %'))")
    page.evaluate("() => SC.debug.map.closePopup()")

    # the outline changed by dragging a corner (Geoman on the canvas shape), then saved
    page.check("#show-where")
    page.wait_for_function(f"() => ({SHAPES})('sc-segment').canvas === SC.debug.where.segments.size")
    page.mouse.click(seg["x"], seg["y"])
    page.wait_for_function("(name) => document.querySelector('.sc-where-edit [name=name]').value === name",
                           arg=seg["name"])
    before = page.evaluate(f"() => JSON.stringify(SC.debug.where.segments.get({seg['id']}).geometry)")
    page.click(".sc-where-edit [data-shape]")
    corner = page.locator(".leaflet-marker-pane .marker-icon:not(.marker-icon-middle)").first
    corner.wait_for()
    b = corner.bounding_box()
    cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 15, cy + 25, steps=6)
    page.mouse.up()
    page.click(".sc-where-edit [data-shape]")
    page.wait_for_function(f"(g) => JSON.stringify(SC.debug.where.segments.get({seg['id']}).geometry) !== g",
                           arg=before, timeout=10000)
    assert page.evaluate(SHAPES, "sc-segment")["svg"] == 0
    assert not problems, problems


# Counts, in the page, the calls of what a console redraws whole (the map's assignments and clues)
COUNT = """() => {
  const n = window.__draws = { assignments: 0, clues: 0 };
  const lay = SC.debug.layers;
  for (const [name, key] of [["renderAssignments", "assignments"], ["renderClues", "clues"]]) {
    const f = lay[name].bind(lay);
    lay[name] = (st) => { n[key] += 1; return f(st); };
  }
}"""


def test_a_catch_up_of_many_events_draws_the_map_layers_and_lists_once(server, browser):
    """Work that can wait is done once a frame: 12 assignments and 12 clues missed while the console's socket was cut
    are applied together on reconnect, and the map's assignments and clues are drawn once each, not once an event."""

    base = server
    disp = api_client(base, "dispatch")
    now = datetime.now(timezone.utc)
    lon, lat = 116.1985, 39.7712
    problems: list[str] = []
    _, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1 && SC.debug.live.connected")
    page.wait_for_load_state("networkidle")
    page.evaluate("SC.debug.live.socket.disconnect()")
    page.wait_for_function("() => !SC.debug.live.connected")
    for i in range(12):
        d = 0.0005 * i
        disp("POST", "/api/v1/searches/1/assignments", {"title": f"Block {i}", "kind": "area", "geometry": {
            "type": "Polygon", "coordinates": [[[lon + d, lat], [lon + d + 0.0004, lat],
                                                [lon + d + 0.0004, lat + 0.0004], [lon + d, lat + 0.0004],
                                                [lon + d, lat]]]}})
        disp("POST", "/api/v1/searches/1/clues", {"kind": "clue", "text": f"glove {i}", "time": iso(now),
                                                   "location": {"type": "Point", "coordinates": [lon + d, lat]}})
    page.evaluate(COUNT)
    page.evaluate("() => { SC.debug.live.socket.connect(); }")
    page.wait_for_function("() => SC.debug.state.assignments.filter((a) => /^Block /.test(a.title)).length"
                           " === 12 && SC.debug.state.clues.filter((c) => /^glove /.test(c.text)).length === 12",
                           timeout=15000)
    page.wait_for_function("() => Object.keys(SC.debug.layers.assignmentLayers).length"
                           " === SC.debug.state.assignments.filter((a) => a.geometry).length")
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    draws = page.evaluate("window.__draws")
    assert draws["assignments"] == 1 and draws["clues"] == 1, draws
    assert page.evaluate(SHAPES, "sc-assignment")["svg"] == 0
    assert not problems, problems
