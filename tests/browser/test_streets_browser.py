"""Streets in the browser (issue 14): the dispatcher loads a street layer from the console, opens the search on it,
sees the network reach and the street blocks, gives a foot patrol a street assignment; the officer's phone shows
the blocks, walks them sharing its position, and the blocks turn green on the desk."""
import math
import os
import time

from browser_helpers import (HELSINKI_LKP, HELSINKI_OSM, api_client, desk_page, phone_page,
                             street_team_search)

SHOTS = os.environ.get("SC_SHOTS")   # a folder: screenshots of the steps (looked at by hand)


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name + ".png"))


def _route(state):
    """The assignment's blocks as one list of (lon, lat) in walking order, a point every ~8 m."""
    a = state["assignments"][0]
    blocks = {b["index"]: b for b in state["blocks"]}
    pts = []
    for i in a["blocks"]:
        coords = blocks[i]["geometry"]["coordinates"]
        if pts and math.dist(pts[-1], coords[-1]) < math.dist(pts[-1], coords[0]):
            coords = coords[::-1]
        pts.extend(coords)
    out = [pts[0]]
    for p in pts[1:]:
        q = out[-1]
        dx, dy = (p[0] - q[0]) * 55_600, (p[1] - q[1]) * 111_320
        n = max(1, int(math.hypot(dx, dy) // 8))
        out += [(q[0] + (p[0] - q[0]) * k / n, q[1] + (p[1] - q[1]) * k / n) for k in range(1, n + 1)]
    return out


def test_street_assignment_walked_on_the_phone_turns_green_on_the_desk(server, browser):
    base = server
    call = api_client(base, "dispatch")
    sid, team = street_team_search(call, "Foot 7", "foot_patrol")
    problems = []
    desk, disp = desk_page(browser, base, problems)
    disp.goto(f"{base}/searches/{sid}")
    disp.click("#tab-where")
    disp.wait_for_selector("#streets-none")          # no layer yet: the console says so, and how to load one
    assert "osm.pbf" in disp.inner_text("#streets-panel")
    _shot(disp, "1-no-layer")
    disp.set_input_files("#streets-file", str(HELSINKI_OSM))
    disp.fill("#streets-name", "Helsinki centre")
    disp.click("#streets-upload button[type=submit]")
    disp.wait_for_selector("#streets-reach", timeout=60000)
    assert "Helsinki centre" in disp.inner_text("#streets-layer")
    disp.wait_for_function("() => SC.debug.streets && (SC.debug.streets.drawn().not || 0) > 20")
    model = call("GET", f"/api/v1/searches/{sid}/model")
    assert model["reach"]["network"] is True            # the reach drawn on every map is the isochrone
    _shot(disp, "2-layer-reach-blocks")

    disp.select_option("#streets-mode", "foot")
    disp.fill("#streets-length", "300")
    disp.select_option("#streets-team", str(team["id"]))
    disp.click("#streets-make")
    disp.wait_for_function("() => SC.debug.streets.state() && SC.debug.streets.state().assignments.length === 1")
    state = call("GET", f"/api/v1/searches/{sid}/streets")
    a = state["assignments"][0]
    assert a["mode"] == "foot" and a["team_id"] == team["id"] and a["length_m"] >= 300

    phone, field = phone_page(browser, base, problems)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_selector("#my-street-blocks li")
    assert field.locator("#my-street-blocks li").count() == len(a["blocks"])
    assert field.locator("#my-assignments ol.places li").count() == len(a["blocks"])  # the radio names
    _shot(field, "3-phone-assignment")

    route = _route(state)
    phone.set_geolocation({"latitude": route[0][1], "longitude": route[0][0], "accuracy": 6})
    field.locator("#share-btn").tap()
    for lon, lat in route:
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
        time.sleep(0.3)
    # every block of the assignment turns green on the desk (partly first, while the batches come)
    disp.wait_for_function(
        """(ids) => { const s = SC.debug.streets.state(); if (!s) return false;
            const by = new Map(s.blocks.map((b) => [b.index, b.status]));
            return ids.every((i) => by.get(i) === "searched"); }""", arg=a["blocks"], timeout=30000)
    field.wait_for_function("() => SC.debug.streets.blocks().every((b) => b.status === 'searched')", timeout=10000)
    assert disp.evaluate("() => SC.debug.streets.drawn().searched") >= len(a["blocks"])
    assert field.evaluate("() => SC.debug.streets.drawn().searched") == len(a["blocks"])
    _shot(disp, "4-desk-green")
    _shot(field, "5-phone-green")
    phone.close()
    desk.close()
    assert not problems, problems
