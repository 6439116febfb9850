"""Picking a street assignment along a route in the browser (issue 14 §4): the dispatcher taps a start, a point to
undo and an end on the console's map, sees the path along the streets with its length and duration, and makes the
assignment of the blocks along it; then one of a duration, at the mode's search speed the form names."""
import os

from browser_helpers import street_desk

SHOTS = os.environ.get("SC_SHOTS")   # a folder: screenshots of the steps (looked at by hand)


def _tap(page, lon, lat):
    p = page.evaluate("([lon, lat]) => SC.debug.streets.picker.pointOf(lon, lat)", [lon, lat])
    page.click("#map", position={"x": p["x"], "y": p["y"]})


def test_pick_a_street_assignment_along_a_route(server, browser):
    base = server
    problems = []
    call, sid, team, desk, disp = street_desk(browser, base, problems, "Car 3", "vehicle_patrol")
    disp.goto(f"{base}/searches/{sid}")
    disp.click("#tab-where")
    disp.wait_for_selector("#streets-assign")
    blocks = [b for b in call("GET", f"/api/v1/searches/{sid}/streets")["blocks"] if b["drive"]][:6]
    start = blocks[0]["geometry"]["coordinates"][0]
    end = blocks[-1]["geometry"]["coordinates"][-1]
    far = [start[0], start[1] - 0.012]          # out in the harbour south of the centre: no street near
    disp.evaluate("(pts) => { SC.debug.streets.picker.fitTo(pts); }", [start, end, far])
    disp.click("#streets-pick")
    _tap(disp, *start)
    disp.wait_for_function("() => SC.debug.streets.picker.count() === 1")
    _tap(disp, *end)
    _tap(disp, start[0] + 0.0004, start[1] + 0.0002)     # a stray tap, undone below
    disp.wait_for_function("() => SC.debug.streets.picker.count() === 3")
    disp.click("#streets-pick-undo")
    _tap(disp, *far)                                    # too far from a street: named, taken back
    disp.wait_for_selector("#streets-pick-error")
    assert "Point 3 is" in disp.inner_text("#streets-pick-error") and "taken back" in disp.inner_text("#streets-pick-error")
    disp.wait_for_function("() => SC.debug.streets.picker.count() === 2 && SC.debug.streets.picker.path()")
    path = disp.evaluate("() => SC.debug.streets.picker.path()")
    info = disp.inner_text("#streets-pick-info")
    assert f"{path['length_m'] / 1000:.2f} km" in info and "14.4 km/h" in info, info
    assert disp.locator("#map path.sc-route-pick").count() == 1            # the path drawn on the map
    assert disp.is_hidden("#streets-size") and disp.is_visible("#streets-picked-note")
    if SHOTS:
        disp.screenshot(path=os.path.join(SHOTS, "pick-1-path.png"))
    disp.select_option("#streets-team", str(team["id"]))
    disp.click("#streets-make")
    disp.wait_for_function("() => SC.debug.streets.state() && SC.debug.streets.state().assignments.length === 1")
    a = call("GET", f"/api/v1/searches/{sid}/streets")["assignments"][0]
    assert a["blocks"] == path["blocks"] and a["length_m"] == path["length_m"] and a["mode"] == "vehicle"
    assert disp.evaluate("() => SC.debug.streets.picker.count()") == 0

    # a duration: minutes at the vehicle's search speed, named on the form
    disp.select_option("#streets-by", "duration")
    assert "14.4 km/h" in disp.inner_text("#streets-speed")
    disp.fill("#streets-duration", "5")
    disp.click("#streets-make")
    disp.wait_for_function("() => SC.debug.streets.state().assignments.length === 2")
    second = call("GET", f"/api/v1/searches/{sid}/streets")["assignments"][1]
    assert second["length_m"] >= 5 * 60 * 4.0
    if SHOTS:
        disp.screenshot(path=os.path.join(SHOTS, "pick-2-made.png"))
    desk.close()
    assert not problems, problems
