"""In Chromium: an officer on a phone marks the team's area assignment searched with a stated POD; it is stored as
a searched area (adding coverage), reaches the dispatcher's log and is drawn at once on the dispatcher's map and
the phone's own."""
from __future__ import annotations

import pytest
from browser_helpers import login as _login, desk_page
from test_where_map import _api_login

pytestmark = pytest.mark.browser


def test_officer_marks_assignment_area_searched(server, browser):  # noqa: F811
    base = server
    disp = _api_login(base, "dispatch")
    problems: list[str] = []
    _, desk = desk_page(browser, base, problems)
    desk.goto(base + "/searches/1")
    desk.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
    assert desk.evaluate("SC.debug.shapes('sc-searched').canvas") == 0
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True).new_page()
    _login(page, base, "patrol1")   # leads the demo's patrol team, which has the compound area assignment
    page.goto(base + "/field/1")
    page.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
    page.locator("#my-assignments .mark-searched").first.tap()
    page.locator("dialog[open] textarea").fill("70")
    page.locator("dialog[open] button[type=submit]").tap()
    page.wait_for_function("() => SC.debug.state.appliedSeq > 0 && document.querySelectorAll('dialog[open]').length === 0")
    for _ in range(20):
        areas = disp("GET", "/api/v1/searches/1/state")["searched_areas"]
        if areas:
            break
        page.wait_for_timeout(100)
    assert len(areas) == 1 and areas[0]["pod"] == pytest.approx(0.7)
    events = disp("GET", "/api/v1/searches/1/events?after=0&limit=5000")["events"]
    assert events[-1]["type"] == "area.searched"
    assert any(float(c) > 0 for c in events[-1]["payload"]["coverage"].values())
    # Drawn live on both maps (on their shapes canvas, map/shapes_canvas.js), without a reload.
    desk.wait_for_function("() => SC.debug.shapes('sc-searched').canvas === 1", timeout=10000)
    page.wait_for_function("() => SC.debug.shapes('sc-searched').canvas === 1", timeout=10000)
    assert problems == []
