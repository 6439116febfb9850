"""In Chromium: the console's tracks are drawn in canvas tiles (map/track_tiles.js). A pan draws only the tiles it
uncovers (none of those already drawn is drawn again: a single canvas redrew every line at the end of a pan), a live
batch redraws only the few tiles its segments cross, in the next frame, and the new segment is on them. The "where to
look" layers, not shown, are off the map (not only hidden), and on it once shown."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import START, api_client, desk_page, iso, open_search

pytestmark = pytest.mark.browser

TILES = "() => { const l = SC.debug.layers.tracks.lines; return {made: l.madeTiles, redrawn: l.redrawnTiles, " \
        "keys: l.redrawnKeys, loaded: Object.keys(l._tiles).length}; }"
KEY = "([lat, lon]) => SC.debug.layers.tracks.lines.keyAt(L.latLng(lat, lon))"
# Leaflet's GridLayer updates its tiles again up to 200 ms after a move (its throttled 'move' handler) and prunes
# them 250 ms after they are ready: waited for, so that no tile is made or removed while a batch is drawn
SETTLE = "new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 400))"
ALPHA = "([lat, lon]) => SC.debug.layers.tracks.lines.alphaAt(L.latLng(lat, lon))"


def _walk(t0: datetime, n: int, east0: float, north: float):
    """n fixes 3 s apart walking east at 1.5 m/s from ``east0`` metres east, ``north`` metres north of START."""
    out = []
    for i in range(n):
        x = east0 + 4.5 * i
        out.append({"t": iso(t0 + timedelta(seconds=3 * i)), "acc": 5.0, "lat": START[0] + north / 111_320,
                    "lon": START[1] + x / 85_700})
    return out


def test_pan_draws_only_uncovered_tiles_and_a_batch_only_its_tiles(server, browser):
    base = server
    disp = api_client(base, "dispatch")
    officer = api_client(base, "patrol1")
    uid = officer("GET", "/api/v1/session")["user"]["id"]
    sid = open_search(disp, "Zhao Min", uid)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    walk = _walk(now - timedelta(minutes=20), 300, -600.0, 0.0)   # 1.35 km along a line east-west
    officer("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "pan-walk", "device": "p1", "points": walk})
    problems: list[str] = []
    _, desk = desk_page(browser, base, problems)
    desk.goto(f"{base}/searches/{sid}")
    desk.wait_for_function(f"() => {{ const d = SC.debug.tracks && SC.debug.tracks()['{uid}'];"
                           " return !!d && d.last !== null; }")
    # the where-to-look layers are not shown: their segments are off the map, not drawn and hidden
    desk.wait_for_function("() => SC.debug.where && SC.debug.where.segments.size > 20", timeout=20000)
    assert desk.evaluate("SC.debug.shapes('sc-segment')")["canvas"] == 0
    desk.wait_for_function(f"() => {ALPHA}([{walk[150]['lat']}, {walk[150]['lon']}]) > 0")
    desk.evaluate(SETTLE)
    t0 = desk.evaluate(TILES)
    assert t0["loaded"] >= 4 and t0["made"] >= t0["loaded"]

    # pans: every tile drawn is a tile made (uncovered); none of those loaded is drawn again
    for dx, dy in ((300, 0), (0, 200), (-300, 0), (0, -200), (120, 40)):
        desk.evaluate(f"SC.debug.map.panBy([{dx}, {dy}], {{animate: false}})")
        desk.wait_for_timeout(50)
    desk.evaluate(SETTLE)
    t1 = desk.evaluate(TILES)
    assert t1["made"] > t0["made"] and t1["redrawn"] == t0["redrawn"], (t0, t1)
    desk.evaluate("SC.debug.map.panBy([-120, -40], {animate: false})")
    desk.evaluate(SETTLE)

    # a live batch 25 m north of the line: in the next frame the tile under it (already on the map) is drawn
    # again, with it, and at most 3 others; no tile is made (the view did not move)
    fresh = _walk(now - timedelta(seconds=20), 5, -600.0 + 4.5 * 299, 25.0)
    mid = fresh[2]
    assert desk.evaluate(ALPHA, [mid["lat"], mid["lon"]]) == 0   # nothing drawn there yet
    key = desk.evaluate(KEY, [mid["lat"], mid["lon"]])
    t2 = desk.evaluate(TILES)
    officer("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "pan-live", "device": "p1",
                                                      "points": fresh})
    desk.wait_for_function(f"() => {ALPHA}([{mid['lat']}, {mid['lon']}]) > 0")
    t3 = desk.evaluate(TILES)
    assert t3["made"] == t2["made"], (t2, t3)
    assert 1 <= t3["redrawn"] - t2["redrawn"] <= 4 < t3["loaded"], (t2, t3)
    assert key in t3["keys"], (key, t3)

    # shown: the segments are on the map (on its shapes canvas, map/shapes_canvas.js)
    desk.click("#tab-where")
    desk.check("#show-where")
    desk.wait_for_function("() => SC.debug.shapes('sc-segment').canvas > 20")
    assert not problems, problems
