"""In Chromium: drawing an area, the map refuses the corner that would make the outline cross itself (a bow-tie), on
the console's assignment tool and on the where-to-look panel; the shape that is made has no crossing."""
from __future__ import annotations

import pytest
from browser_helpers import desk_page, wait_console_fitted

pytestmark = pytest.mark.browser

# A bow-tie clicked corner by corner, in pixels from the map's centre: top-left, bottom-right, top-right, then
# bottom-left, whose edge from top-right would cross the first edge; then back on the first corner to finish.
BOWTIE = [(-90, -70), (90, 70), (90, -70), (-90, 70)]


def _click_outline(page, corners):
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in corners:
        page.mouse.move(cx + dx - 5, cy + dy - 5)
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(120)


def _finish_on_first_corner(page):
    """Click the first corner's own marker, where the map put it: a corner clicked near an edge (a segment of the
    where-to-look grid, a track) is snapped onto it, so the pixel first clicked may lie off the marker."""
    first = page.locator("#map .leaflet-marker-pane .marker-icon:not(.cursor-marker)").first.bounding_box()
    x, y = first["x"] + first["width"] / 2, first["y"] + first["height"] / 2
    page.mouse.move(x - 5, y - 5)
    page.mouse.click(x, y)
    page.wait_for_timeout(120)


def _crosses(ring) -> bool:
    from shapely.geometry import Polygon

    return not Polygon(ring).is_valid


def test_a_self_crossing_outline_is_refused_while_drawing(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base = server
    problems: list[str] = []
    _ctx, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.wait_for_function("() => SC.debug.repairText && document.querySelector('#map .leaflet-tile-pane')")
    # the live state in and the map fitted to it, its zoom animation over (the map still for 300 ms): a fit, or
    # the end of its animation, after the first corners would move them (a fresh-clone run under load)
    wait_console_fitted(page)

    # the console's assignment tool
    page.click("#tab-assignments")
    page.click("[data-draw=area]")
    _click_outline(page, BOWTIE)
    banner = page.locator(".pick-banner span").first
    # said once the map has handled the last corner's mouse events (under load, after the click has returned)
    expect(banner).to_have_text(page.evaluate("SC.debug.t('geomfix.self_cross')"), timeout=5000)
    _finish_on_first_corner(page)  # a triangle, the crossing corner left out
    page.wait_for_selector("#assignment-dialog[open]", timeout=10000)
    info = page.locator("#a-geom-info").text_content()
    assert info == page.evaluate("SC.debug.t('assignment.geom_info_area', {n: 3})"), info
    page.keyboard.press("Escape")

    # the where-to-look panel's segment tool: the same refusal, said in a toast
    page.click("#tab-where")
    page.check("#show-where")
    page.wait_for_selector(".sc-where-draw [data-draw=Polygon]")
    page.click(".sc-where-draw [data-draw=Polygon]")
    _click_outline(page, [(-60, -50), (60, 50), (60, -50), (-60, 50)])
    page.locator(".toast-text", has_text=page.evaluate("SC.debug.t('geomfix.self_cross')")).first.wait_for(
        timeout=10000)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/segments"), timeout=10000) as rq:
        _finish_on_first_corner(page)
    geo = rq.value.post_data_json["geometry"]
    assert geo["type"] == "Polygon" and len(geo["coordinates"][0]) == 4  # a triangle, closed
    assert not _crosses(geo["coordinates"][0])

    # a bow-tie sent by another client is stored repaired; the page words the server's note
    note = page.evaluate("""async () => {
        const c = [116.1985, 39.7712], d = 0.0008;
        const geo = {type: "Polygon", coordinates: [[[c[0] - d, c[1] - d], [c[0] + d, c[1] + d],
            [c[0] + d, c[1] - d], [c[0] - d, c[1] + d], [c[0] - d, c[1] - d]]]};
        const made = await SC.debug.api("POST", "/api/v1/searches/1/assignments",
                                  {title: "Bow-tie", kind: "area", geometry: geo});
        return [made.geometry.type, SC.debug.repairText(made, SC.debug.t)];
    }""")
    assert note == ["MultiPolygon", "The drawn shape was repaired: the outline crossed itself, so it was split "
                                    "into 2 parts."]
    assert not problems, problems
