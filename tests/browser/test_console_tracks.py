"""In Chromium: a long track on the dispatcher's console is drawn on the canvas from the simplified snapshot,
simplified further per zoom, loaded in full when zoomed in or clicked, appended to live, and caught up at once
after the console was cut off for 100 events. What is drawn is read through SC.debug.tracks()."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import START, api_client, desk_page, iso, open_search

pytestmark = pytest.mark.browser

DRAWN = "(uid) => SC.debug.tracks && SC.debug.tracks()[String(uid)]"


def _z(fix) -> str:
    """A fix's time as the server gives it back (UTC, milliseconds, 'Z')."""
    t = datetime.fromisoformat(fix["t"]).astimezone(timezone.utc)
    return t.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _fixes(t0: datetime, n: int, step_s: float, seed: int, start=(0.0, 0.0)):
    """A winding walk from ``start`` (metres east/north of START): n fixes, ``step_s`` apart, from t0."""
    rnd = random.Random(seed)
    x, y = start
    heading = 0.0
    out = []
    for i in range(n):
        heading += rnd.gauss(0, 0.35)
        x, y = x + 3 * math.cos(heading), y + 3 * math.sin(heading)
        out.append({"t": iso(t0 + timedelta(seconds=step_s * i)), "acc": 5.0,
                    "lat": START[0] + y / 111_320, "lon": START[1] + x / (111_320 * math.cos(math.radians(START[0])))})
    return out, (x, y)


def test_long_track_canvas_detail_live_and_catch_up(server, browser):
    base = server
    disp_api = api_client(base, "dispatch")
    officer = api_client(base, "patrol1")
    uid = officer("GET", "/api/v1/session")["user"]["id"]
    sid = open_search(disp_api, "Li Na", uid)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    walk, end = _fixes(now - timedelta(minutes=46), 1500, 1.8, seed=11)
    for k in range(0, 1500, 500):
        officer("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": f"walk-{k:06d}", "device": "p1",
                                                          "points": walk[k:k + 500]})
    problems: list[str] = []
    _, desk = desk_page(browser, base, problems)
    desk.goto(f"{base}/searches/{sid}")
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return !!d && d.last !== null; }}")
    drawn = desk.evaluate(DRAWN, uid)
    detail = desk.evaluate(f"SC.debug.state.tracks_detail['{uid}']")
    # the snapshot: simplified (2 m) on the server, on the canvas, not an SVG path per piece
    assert detail["fixes"] == 1500 and detail["sent"] == drawn["vertices"] < 1500
    assert drawn["canvas"] and not drawn["full"] and drawn["pieces"] == 1 and drawn["last"] == _z(walk[-1])
    assert desk.locator("path.sc-track").count() == 0
    assert min(drawn["size"]) > 20   # the track spans the view the console fitted to
    # per zoom: fewer vertices on screen when zoomed out
    desk.evaluate("SC.debug.map.setZoom(13, {animate: false})")
    far = desk.evaluate(DRAWN, uid)
    assert far["screen"] < drawn["screen"] <= drawn["vertices"]

    # zoomed in on the officer: the full track is loaded and drawn
    desk.evaluate(f"SC.debug.map.setView([{walk[700]['lat']}, {walk[700]['lon']}], 18, {{animate: false}})")
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return d.full && d.vertices === 1500; }}")
    assert [p[2] for p in desk.evaluate(f"SC.debug.state.tracks['{uid}']")] == [_z(w) for w in walk]

    # a live batch appends to that line
    more, end = _fixes(now - timedelta(seconds=50), 5, 1.0, seed=12, start=end)
    officer("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "live-000001", "device": "p1",
                                                      "points": more})
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return d.vertices === 1505 && d.last === '{_z(more[-1])}'; }}")

    # a fresh console: a click on the track loads it in full, and the popup names the officer and its fixes
    desk.reload()
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return !!d && d.last !== null; }}")
    assert not desk.evaluate(DRAWN, uid)["full"]
    pt = desk.evaluate(f"(() => {{ const p = SC.debug.state.tracks['{uid}']; const q = p[Math.floor(p.length / 3)];"
                       " return SC.debug.map.latLngToContainerPoint([q[1], q[0]]); })()")
    box = desk.locator("#map").bounding_box()
    desk.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
    desk.locator(".sc-track-popup").wait_for(timeout=10000)
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return d.full && d.vertices === 1505; }}")
    desk.wait_for_function("() => document.querySelector('.sc-track-popup').textContent.includes('1505')")
    assert "Patrol" in desk.locator(".sc-track-popup").text_content() or desk.locator(".sc-track-popup strong").text_content()

    # cut off: 100 batches go by; back online, all of them are applied at once and drawn
    desk.evaluate("SC.debug.live.socket.disconnect()")
    desk.wait_for_function("document.body.dataset.live === 'off'")
    gone, end = _fixes(now - timedelta(seconds=40), 100, 0.3, seed=13, start=end)
    for k, fix in enumerate(gone):
        officer("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": f"away-{k:06d}", "device": "p1",
                                                          "points": [fix]})
    last_seq = disp_api("GET", f"/api/v1/searches/{sid}/events?newest=1&limit=1")["last_seq"]
    desk.evaluate("SC.debug.live.socket.connect()")
    desk.wait_for_function(f"() => Number(document.body.dataset.appliedSeq) >= {last_seq}")
    desk.wait_for_function(f"() => {{ const d = ({DRAWN})({uid}); return d.vertices === 1605 && d.last === '{_z(gone[-1])}'; }}")
    caught = desk.evaluate("SC.debug.catchUp")
    assert caught["events"] >= 100
    assert desk.evaluate(f"SC.debug.state.tracks['{uid}'].length") == 1605
    assert not problems, problems
