"""In Chromium, the dispatcher's console with a real mouse and a burst of live events:

- while the map picks a point (an assignment being drawn), the shapes on the canvas (map/shapes_canvas.js) take no
  hover and no click, and every mouse move over them reaches the map: Geoman's drawing guide follows the pointer and
  the click is a corner of the new outline, not a segment selected; outside picking too the map gets every mouse move
  over a shape (Leaflet's canvas alone would send one every 32 ms);
- the head and the teams list are drawn once a frame (pages/console.js, later()): 12 renames of the subject and 12 of
  a team missed while the socket was cut are applied together on reconnect and each is drawn once, showing the last."""
from __future__ import annotations

import pytest
from browser_helpers import api_client, desk_page, desk_with_segments

pytestmark = pytest.mark.browser

# A segment of "where to look" whole in view and clear of the assignments and markers, nearest the view's middle:
# its id and the page point of its middle
SEGMENT = """() => {
  const map = SC.debug.map, view = map.getBounds().pad(-0.15), box = map.getContainer().getBoundingClientRect();
  const others = [];
  map.eachLayer((l) => { if (l instanceof L.Path && /sc-assignment/.test(l.options.className || "")) others.push(l); });
  const markers = [...document.querySelectorAll("#map .leaflet-marker-pane > *")].map((m) => m.getBoundingClientRect());
  let best = null;
  for (const [id, layer] of SC.debug.where.layerById) {
    const b = layer.getBounds();
    if (!view.contains(b)) continue;
    const c = b.getCenter(), p = map.latLngToContainerPoint(c), d = p.distanceTo(map.getSize().divideBy(2));
    const x = box.left + p.x, y = box.top + p.y;
    if (others.some((o) => (o.getBounds ? o.getBounds().pad(0.1).contains(c)
      : map.latLngToContainerPoint(o.getLatLng()).distanceTo(p) < 40))) continue;
    if (markers.some((r) => x > r.left - 40 && x < r.right + 40 && y > r.top - 40 && y < r.bottom + 40)) continue;
    if (!best || d < best.d) best = { id, x, y, d };
  }
  return best;
}"""

# Counts, in the page: the mouse moves the shapes canvas gets (DOM) and those the map fires for it, the segment's own
# mouseover and click, and the map's last mouse move (page point)
WATCH = """(id) => {
  const map = SC.debug.map, canvas = document.querySelector(".leaflet-scShapes-pane canvas");
  const box = map.getContainer().getBoundingClientRect(), layer = SC.debug.where.layerById.get(id);
  const n = window.__moves = { dom: 0, map: 0, over: 0, clicks: 0, last: null };
  document.addEventListener("mousemove", (e) => { if (e.target === canvas) n.dom += 1; }, true);
  map.on("mousemove", (e) => {
    if (e.originalEvent.target !== canvas) return;
    n.map += 1;
    n.last = [box.left + e.containerPoint.x, box.top + e.containerPoint.y];
  });
  layer.on("mouseover", () => { n.over += 1; });
  layer.on("click", () => { n.clicks += 1; });
}"""
RESET = "() => Object.assign(window.__moves, { dom: 0, map: 0, over: 0, clicks: 0, last: null })"
FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
# Geoman's drawing guide (the marker under the pointer while an outline is drawn): its page point
HINT = """() => { const map = SC.debug.map, box = map.getContainer().getBoundingClientRect();
  const p = map.latLngToContainerPoint(map.pm.Draw.Polygon._hintMarker.getLatLng());
  return [box.left + p.x, box.top + p.y]; }"""


def _sweep(page, seg, dx):
    """The pointer from `dx` px left of the segment's middle onto it, in 24 quick steps (a real mouse's moves)."""
    page.mouse.move(seg["x"] - dx, seg["y"] - 4)
    page.wait_for_timeout(50)
    page.evaluate(RESET)
    page.mouse.move(seg["x"], seg["y"], steps=24)
    page.evaluate(FRAMES)
    return page.evaluate("window.__moves")


def test_while_picking_the_shapes_take_no_hover_or_click_and_the_map_gets_every_move(server, browser):
    base = server
    problems: list[str] = []
    page = desk_with_segments(browser, base, problems)
    page.evaluate(FRAMES)
    seg = page.evaluate(SEGMENT)
    assert seg, "no segment clear of the other shapes in view"
    page.evaluate(WATCH, seg["id"])
    selected = page.text_content(".sc-where-selected")

    # not picking: the map still gets every move over the canvas, and the segment under the pointer is hovered (its
    # tooltip; Leaflet looks for the shape hovered at most every 32 ms: a last move once that has passed)
    moves = _sweep(page, seg, 120)
    assert moves["dom"] >= 5 and moves["map"] == moves["dom"], moves
    page.wait_for_timeout(50)
    page.mouse.move(seg["x"], seg["y"] + 1)
    page.wait_for_function("() => [...document.querySelectorAll('.leaflet-tooltip')]"
                           ".some((t) => t.textContent.includes(': POA '))", timeout=5000)

    # picking: an area being drawn (the assignments' tool)
    page.click("#tab-assignments")
    page.click("[data-draw=area]")
    page.wait_for_function("() => SC.debug.map.getContainer().classList.contains('picking')")
    page.wait_for_selector(".pick-banner")
    moves = _sweep(page, seg, 120)
    # every move reached the map, the last one where the pointer is; the segment was not hovered
    assert moves["dom"] >= 5 and moves["map"] == moves["dom"], moves
    assert moves["last"] and abs(moves["last"][0] - seg["x"]) <= 1 and abs(moves["last"][1] - seg["y"]) <= 1, moves
    assert moves["over"] == 0, moves
    assert "leaflet-interactive" not in page.get_attribute(".leaflet-scShapes-pane canvas", "class")
    # no segment's tooltip (the one hovered before picking closed, faded out)
    page.wait_for_function("() => ![...document.querySelectorAll('.leaflet-tooltip')]"
                           ".some((t) => t.textContent.includes(': POA '))", timeout=5000)
    # Geoman's guide followed the pointer (it may snap onto a segment's edge: within its 20 px snap distance)
    hint = page.evaluate(HINT)
    assert abs(hint[0] - seg["x"]) <= 21 and abs(hint[1] - seg["y"]) <= 21, (hint, seg)

    # the click over the segment is the map's: the outline's first corner, no segment selected
    page.mouse.click(seg["x"], seg["y"])
    page.wait_for_function("() => SC.debug.map.pm.Draw.Polygon._layer.getLatLngs().length === 1")
    assert page.evaluate("window.__moves.clicks") == 0
    assert page.text_content(".sc-where-selected") == selected
    page.keyboard.press("Escape")
    page.wait_for_function("() => !SC.debug.map.getContainer().classList.contains('picking')")
    assert not problems, problems


# Counts, in the page, the drawings of the head (its name set: head.render), of the subject panel (its facts put in:
# head.renderSubject) and of the teams list (its count set: teams.render), each done once per drawing: what later()
# runs. Hooks on the elements themselves, so the console's code is counted as it is.
COUNT = """() => {
  const n = window.__draws = { head: 0, subject: 0, teams: 0 };
  const counted = (sel, key) => {
    const node = document.querySelector(sel), d = Object.getOwnPropertyDescriptor(Node.prototype, "textContent");
    Object.defineProperty(node, "textContent", { configurable: true, get() { return d.get.call(this); },
      set(v) { n[key] += 1; d.set.call(this, v); } });
  };
  counted("#head-name", "head");
  counted("#count-teams", "teams");
  const box = document.querySelector("#subject-details");
  box.append = function (...a) {
    if (a.some((x) => x.tagName === "DL")) n.subject += 1;
    return Element.prototype.append.apply(this, a);
  };
}"""


def test_a_burst_of_search_and_team_events_draws_the_head_and_the_teams_once(server, browser):
    """12 renames of the subject and 12 of a team, missed while the console's socket was cut, are applied together on
    reconnect: the head and the teams list are drawn once each (not once an event) and show the last names."""
    base = server
    disp = api_client(base, "dispatch")
    problems: list[str] = []
    _, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1 && SC.debug.live.connected"
                           " && SC.debug.state.teams.some((t) => !t.disbanded)")
    page.wait_for_load_state("networkidle")
    team = page.evaluate("() => SC.debug.state.teams.find((t) => !t.disbanded)")
    page.evaluate("SC.debug.live.socket.disconnect()")
    page.wait_for_function("() => !SC.debug.live.connected")
    for i in range(12):
        disp("PATCH", "/api/v1/searches/1", {"subject": {"name": f"Subject {i}"}})
        disp("PATCH", f"/api/v1/searches/1/teams/{team['id']}", {"name": f"Relay {i}"})
    page.evaluate(FRAMES)
    page.evaluate(COUNT)
    page.evaluate("() => { SC.debug.live.socket.connect(); }")
    page.wait_for_function("(tid) => SC.debug.state.search.subject.name === 'Subject 11'"
                           " && SC.debug.state.teams.find((t) => t.id === tid).name === 'Relay 11'",
                           arg=team["id"], timeout=15000)
    page.evaluate(FRAMES)
    draws = page.evaluate("window.__draws")
    assert draws == {"head": 1, "subject": 1, "teams": 1}, draws
    # the last state shown
    assert page.text_content("#head-name") == "Subject 11"
    assert "Subject 11" in page.text_content("#subject-details dl")
    title = f"{team['callsign']} · Relay 11" if team.get("callsign") else "Relay 11"
    row = page.locator(f"#team-list li[data-team-id='{team['id']}'] strong")
    assert row.text_content() == title
    assert page.locator("#team-list strong", has_text="Relay 10").count() == 0
    assert not problems, problems
