"""The route pick at phone size (issue 14 §4): on a narrow console (one column: the form is far below the map) the
map is scrolled into view when picking starts and a dock over its foot shows the path, a refused tap, undo, clear
and done; done brings the form back into view to make the assignment. At desktop size no dock is shown and nothing
scrolls. In English and Chinese. SC_SHOTS=<folder>: screenshots at 1366x900 and 390x844 in both languages."""
import os

from browser_helpers import street_desk

SHOTS = os.environ.get("SC_SHOTS")
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def _tap(page, lon, lat):
    p = page.evaluate("([lon, lat]) => SC.debug.streets.picker.pointOf(lon, lat)", [lon, lat])
    page.click("#map", position={"x": p["x"], "y": p["y"]})   # fails if the dock is over that spot


def _in_view(page, sel):
    """Whether ``sel`` is wholly inside the window (as the user sees it, without scrolling)."""
    return page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= -1 && r.left >= -1 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1; }""", sel)


def _open(page, base, sid):
    page.goto(f"{base}/searches/{sid}")
    page.click("#tab-where")
    page.wait_for_selector("#streets-assign")


def _pick(page, start, end, far):
    """Start picking, tap start and end, then a tap in the harbour (refused); the picker left active."""
    page.click("#streets-pick")
    page.wait_for_function("() => SC.debug.streets.picker.active()")
    page.evaluate("(pts) => { SC.debug.streets.picker.fitTo(pts); }", [start, end, far])
    _tap(page, *start)
    page.wait_for_function("() => SC.debug.streets.picker.count() === 1")
    _tap(page, *end)
    page.wait_for_function("() => SC.debug.streets.picker.path()")
    _tap(page, *far)
    page.wait_for_function("() => SC.debug.streets.picker.error() && SC.debug.streets.picker.path()"
                           " && SC.debug.streets.picker.count() === 2")
    return page.evaluate("() => SC.debug.streets.picker.path()")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


def test_route_pick_at_phone_size(server, browser):
    base = server
    problems = []
    call, sid, team, ctx, page = street_desk(browser, base, problems, "Car 3", "vehicle_patrol")
    blocks = [b for b in call("GET", f"/api/v1/searches/{sid}/streets")["blocks"] if b["drive"]][:6]
    start = blocks[0]["geometry"]["coordinates"][0]
    end = blocks[-1]["geometry"]["coordinates"][-1]
    far = [start[0], start[1] - 0.012]          # out in the harbour south of the centre: no street near

    # desktop: no dock, nothing scrolled; the form beside the map as before
    _open(page, base, sid)
    path = _pick(page, start, end, far)
    assert page.is_hidden("#streets-pick-dock") and page.evaluate("() => scrollY") == 0
    assert page.is_visible("#streets-pick-error") and _in_view(page, "#streets-pick-info")
    _shot(page, "pick-en-1366x900.png")
    page.click("#streets-pick")

    # phone: the map in view with the dock over its foot while picking
    page.set_viewport_size(PHONE)
    _open(page, base, sid)
    path = _pick(page, start, end, far)
    assert _in_view(page, "#map") and _in_view(page, "#streets-pick-dock")
    assert not _in_view(page, "#streets-make")                 # the form is below: the dock stands in for it
    info = page.inner_text("#streets-dock-info")
    assert f"{path['length_m'] / 1000:.2f} km" in info and "14.4 km/h" in info, info
    error = page.inner_text("#streets-dock-error")
    assert "Point 3 is" in error and "taken back" in error, error
    dock, box = (page.locator(s).bounding_box() for s in ("#streets-pick-dock", "#map"))
    assert box["y"] <= dock["y"] and dock["y"] + dock["height"] <= box["y"] + box["height"] + 1
    _shot(page, "pick-en-390x844.png")
    page.click("#streets-dock-undo")
    page.wait_for_function("() => SC.debug.streets.picker.count() === 1")
    assert "Tap" in page.inner_text("#streets-dock-info")
    _tap(page, *end)
    page.wait_for_function("() => SC.debug.streets.picker.path()")
    page.click("#streets-dock")                                  # done: back to the form
    page.wait_for_function("() => !SC.debug.streets.picker.active()")
    assert page.is_hidden("#streets-pick-dock")
    page.wait_for_function("""() => { const r = document.querySelector('#streets-pick-box').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }""")
    page.select_option("#streets-team", str(team["id"]))
    page.click("#streets-make")
    page.wait_for_function("() => SC.debug.streets.state() && SC.debug.streets.state().assignments.length === 1")

    # Chinese, both sizes
    page.set_viewport_size(DESK)
    page.goto(f"{base}/lang/zh-CN?next=/searches/{sid}")
    _open(page, base, sid)
    _pick(page, start, end, far)
    assert page.is_hidden("#streets-pick-dock")
    _shot(page, "pick-zh-1366x900.png")
    page.click("#streets-pick")
    page.set_viewport_size(PHONE)
    _open(page, base, sid)
    _pick(page, start, end, far)
    assert _in_view(page, "#map") and _in_view(page, "#streets-pick-dock")
    assert "公里" in page.inner_text("#streets-dock-info")
    assert "第 3 个点" in page.inner_text("#streets-dock-error")
    assert page.inner_text("#streets-dock") == "停止点选"
    _shot(page, "pick-zh-390x844.png")
    ctx.close()
    assert not problems, problems
