"""In Chromium: the dispatcher's map shows the distance rings, the reach circle and segments coloured by probability,
and a track batch recolours the segments it touched, live."""
from __future__ import annotations

import json
import urllib.request

import pytest
from browser_helpers import desk_page

pytestmark = pytest.mark.browser


def test_rings_reach_and_coloured_segments_appear(server, browser):  # noqa: F811
    base = server
    problems: list[str] = []
    _ctx, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.click("#tab-where")
    # the console drawn (the live state in, then the head and lists, a frame later): a head that grows while the
    # box is clicked moves it away from under the click
    page.wait_for_function("() => SC.debug.where")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.check("#show-where")
    # drawn on the map's shapes canvas (map/shapes_canvas.js)
    page.wait_for_function("() => SC.debug.shapes('sc-ring').canvas === 4", timeout=10000)
    assert page.evaluate("SC.debug.shapes('sc-reach').canvas") == 1
    page.wait_for_function("() => SC.debug.shapes('sc-segment').canvas > 100", timeout=10000)
    fills = page.evaluate("SC.debug.shapes('sc-segment').fills")
    assert len(fills) >= 5, fills  # a gradient of probability, not one colour
    assert page.locator(".sc-where-suggestions li").count() >= 1
    # a patrol officer's batch through the API: the touched segment's POD shows without a reload
    before = page.evaluate("Math.max(...[...SC.debug.where.segments.values()].map(s => s.coverage))")
    officer = _api_login(base, "patrol1")
    officer("POST", "/api/v1/searches/1/tracks", {"client_id": "browser-where-01", "points": [
        {"t": _now_iso(-60 + i), "lon": 116.1985 + 0.0001 * i, "lat": 39.7712} for i in range(30)]})
    page.wait_for_function(
        f"() => Math.max(...[...SC.debug.where.segments.values()].map(s => s.coverage)) > {before}", timeout=10000)
    assert not problems, problems


def _now_iso(offset_s: int) -> str:
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) + timedelta(seconds=offset_s)).isoformat()


def _api_login(base: str, username: str):
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(method, path, body=None, token=None):
        req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json", "X-CSRF-Token": token or state["t"]})
        with opener.open(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    state = {"t": ""}
    state["t"] = call("GET", "/api/v1/session")["csrf_token"]
    state["t"] = call("POST", "/api/v1/session", {"username": username, "password": "demo-pass-2026"})["csrf_token"]
    return lambda method, path, body=None: call(method, path, body)
