"""In Chromium, the camera map layer (video/camera_layer.js, the Cameras page's and the console's): the cameras and
their cones are drawn straight onto one canvas (no Leaflet layer per camera), found under the pointer by the layer
itself (a click opens the camera, hovering names it), and a pan within the margin read around the view reads
and draws nothing again (a pan further does)."""
from __future__ import annotations

import pytest
from browser_helpers import api_client, desk_page

pytestmark = pytest.mark.browser

CENTRE = (116.30, 39.90)


def test_cameras_on_one_canvas_found_under_the_pointer_and_not_read_again_on_a_short_pan(server, browser):
    from playwright.sync_api import expect

    disp = api_client(server, "dispatch")
    for i in range(60):
        disp("POST", "/api/v1/cameras", {"code": f"MC{i}", "name": f"Gate {i} 门", "kind": "shop",
                                         "location": [CENTRE[0] + (i % 10 - 5) * 0.0004,
                                                      CENTRE[1] + (i // 10 - 3) * 0.0003],
                                         "direction_deg": (i * 37) % 360, "fov_deg": 80, "range_m": 25})
    problems: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    reads = []
    page.on("request", lambda r: reads.append(r.url) if "/api/v1/cameras/area" in r.url else None)
    page.goto(server + "/cameras")
    page.wait_for_function("() => SC.debug.cameras && SC.debug.cameras.loads > 0")
    page.evaluate(f"() => SC.debug.map.setView([{CENTRE[1]}, {CENTRE[0]}], 18, {{animate: false}})")
    page.wait_for_function("() => SC.debug.cameras.mode === 'cameras' && !SC.debug.cameras.pending"
                           " && SC.debug.cameras.drawn >= 20", timeout=60_000)
    page.wait_for_timeout(300)
    # every camera drawn on the layer's one canvas: a handful of Leaflet layers, not two a camera
    assert page.evaluate("Object.keys(SC.debug.map._layers).length") < 10
    assert page.locator("#cam-map canvas.sc-cameras").count() == 1
    assert page.locator("#cam-map .leaflet-overlay-pane path").count() == 0

    # a short pan: what was read around the view still covers it, nothing is read again
    # (nor drawn again: the canvas, placed at each drawing, holds what lies beyond the view's edges)
    placed = "document.querySelector('#cam-map canvas.sc-cameras').style.transform"
    loads, before, at = page.evaluate("SC.debug.cameras.loads"), len(reads), page.evaluate(placed)
    page.evaluate("() => SC.debug.map.panBy([40, 20], {animate: false})")
    page.wait_for_timeout(800)
    assert len(reads) == before and page.evaluate("SC.debug.cameras.loads") == loads
    assert page.evaluate(placed) == at
    # a pan of a whole view: read again
    page.evaluate("() => SC.debug.map.panBy([-40, -20], {animate: false})")
    page.evaluate("() => SC.debug.map.panBy([SC.debug.map.getSize().x, 0], {animate: false})")
    page.wait_for_function(f"() => SC.debug.cameras.loads > {loads} && !SC.debug.cameras.pending")
    assert len(reads) > before and page.evaluate(placed) != at
    page.evaluate(f"() => SC.debug.map.setView([{CENTRE[1]}, {CENTRE[0]}], 18, {{animate: false}})")
    page.wait_for_function(f"() => SC.debug.cameras.loads > {loads + 1} && !SC.debug.cameras.pending")
    page.wait_for_timeout(300)

    # the camera under the pointer: hovering names it (as text), a click opens its details
    lon, lat = CENTRE                                                          # MC35, at the centre
    box = page.locator("#cam-map").bounding_box()
    pt = page.evaluate(f"() => SC.debug.map.latLngToContainerPoint([{lat}, {lon}])")
    page.mouse.move(box["x"] + pt["x"], box["y"] + pt["y"])
    expect(page.locator("#cam-map .leaflet-tooltip")).to_have_text("MC35 · Gate 35 门")
    page.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
    expect(page.locator("#cam-map .leaflet-popup .cam-title")).to_have_text("MC35 · Gate 35 门")
    ctx.close()
    assert problems == []
