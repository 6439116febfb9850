"""In Chromium: a phone whose GPS gives a (0, 0) fix and a 1.5 km-coarse fix between good ones never draws a spike:
not on its own map, not on the dispatcher's; the coarse fix is a position without a line."""
from __future__ import annotations

import time

import pytest
from browser_helpers import START, api_client, desk_page, open_search, phone_page

pytestmark = pytest.mark.browser

LONGEST_PIECE = """(uid) => {
    const pts = (SC.debug.state.tracks || {})[String(uid)] || [];
    let worst = 0;
    for (const piece of SC.debug.trackPieces(pts)) {
        for (const p of piece) for (const q of piece)
            worst = Math.max(worst, L.latLng(p[1], p[0]).distanceTo([q[1], q[0]]));
    }
    return {n: pts.length, worst, nowhere: pts.some((p) => Math.abs(p[0]) < 1 && Math.abs(p[1]) < 1),
            coarse: pts.filter((p) => p[3] === null).length};
}"""


def test_no_spike_is_ever_drawn(server, browser):
    problems: list[str] = []
    desk, disp = desk_page(browser, server, problems)
    me = disp.request.get(server + "/api/v1/users?role=officer").json()
    uid = next(u["id"] for u in me if u["username"] == "patrol1")
    # a search of its own: on the demo search patrol1 already has an evening's track (a 600 m loop)
    sid = open_search(api_client(server, "dispatch"), "No Spike", uid)
    disp.goto(f"{server}/searches/{sid}")
    phone, field = phone_page(browser, server, problems)
    field.goto(f"{server}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    field.locator("#share-btn").tap()
    lat, lon = START
    fixes = [(lat, lon, 6), (lat + 0.0002, lon + 0.0002, 6), (0.0, 0.0, 6), (lat + 0.0004, lon + 0.0004, 6),
             (lat + 0.0135, lon, 1500), (lat + 0.0006, lon + 0.0006, 6), (lat + 0.0008, lon + 0.0008, 6)]
    for la, lo, acc in fixes:
        phone.set_geolocation({"latitude": la, "longitude": lo, "accuracy": acc})
        time.sleep(0.8)
    disp.wait_for_function(f"() => ((SC.debug.state.tracks || {{}})['{uid}'] || []).length >= 5",
                           timeout=15000)
    for page in (field, disp):
        got = page.evaluate(LONGEST_PIECE, uid)
        assert not got["nowhere"], got
        assert got["worst"] < 200, got   # the good fixes span ~110 m; a spike would be 1.5 km or 12,000 km
    assert disp.evaluate(LONGEST_PIECE, uid)["coarse"] >= 1
    phone.close()
    desk.close()
    assert not problems, problems
