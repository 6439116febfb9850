"""In Chromium, on the phone: with the live socket open, the outbox sends track batches over it (the /live 'track'
message, acknowledged after the commit: no POST .../tracks), as the phone's own device; with the socket down, over
HTTP; the same batch sent over both is stored once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from browser_helpers import START, api_client, open_search, phone_page

pytestmark = pytest.mark.browser


def _fixes(phone, field, k0: int, n: int) -> None:
    for k in range(k0, k0 + n):
        phone.set_geolocation({"latitude": START[0] + 0.0002 * k, "longitude": START[1], "accuracy": 8})
        field.wait_for_function(f"() => SC.debug.tracker.last && SC.debug.tracker.last.lat > {START[0] + 0.0002 * k - 1e-6}",
                                timeout=8000)
    field.wait_for_function("() => SC.debug.tracker.waiting === 0 && SC.debug.tracker.queue.length === 0"
                            " && document.body.dataset.outboxWaiting === '0'", timeout=15000)


def test_track_batches_go_over_the_open_socket_and_over_http_without_one(server, browser):  # noqa: F811
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    sid = open_search(disp, "Socket Tracks", officer["id"])
    problems: list[str] = []
    posts: list[str] = []
    phone, field = phone_page(browser, base, problems)
    field.on("request", lambda r: posts.append(r.url)
             if r.method == "POST" and r.url.endswith(f"/searches/{sid}/tracks") else None)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}"
                            " && document.body.dataset.live === 'on'")
    field.locator("#share-btn").tap()
    _fixes(phone, field, 1, 3)
    assert posts == []                                   # every batch went over the socket
    stored = disp("GET", f"/api/v1/searches/{sid}/tracks")[str(officer["id"])]
    assert len(stored) >= 3
    device = field.evaluate("localStorage.getItem('sc.deviceId')")
    last = disp("GET", f"/api/v1/searches/{sid}/events?after=0&limit=1000")
    batches = [e for e in (last["events"] if isinstance(last, dict) else last) if e["type"] == "track.points"]
    assert batches and all(e["payload"]["device"] == device for e in batches)   # as HTTP names the phone

    # the socket goes down: the next batches go over HTTP, stored all the same
    field.evaluate("SC.debug.live.socket.io.reconnection(false); SC.debug.live.socket.disconnect()")
    field.wait_for_function("() => document.body.dataset.live === 'off'")
    _fixes(phone, field, 4, 2)
    assert posts, "no batch over HTTP with the socket down"
    after = disp("GET", f"/api/v1/searches/{sid}/tracks")[str(officer["id"])]
    assert len(after) >= len(stored) + 2
    field.locator("#share-btn").tap()

    # the same batch over the socket and then over HTTP: stored once, the second answer says duplicate
    field.evaluate("SC.debug.live.socket.connect()")
    field.wait_for_function("() => document.body.dataset.live === 'on'")
    now = datetime.now(timezone.utc).isoformat()
    body = {"client_id": "both-ways-0001", "device": device,
            "points": [{"t": now, "lon": START[1] + 0.001, "lat": START[0], "acc": 5}]}
    ack = field.evaluate("""(body) => new Promise((ok) => SC.debug.live.socket.emit('track',
        Object.assign({search_id: %d}, body), ok))""" % sid, body)
    assert ack["ok"] and ack["accepted"] == 1 and not ack["duplicate"], ack
    again = field.evaluate("""async (body) => {
        const token = (await (await fetch('/api/v1/session', {credentials: 'same-origin'})).json()).csrf_token;
        const r = await fetch('/api/v1/searches/%d/tracks', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token}, body: JSON.stringify(body)});
        return [r.status, await r.json()]; }""" % sid, body)
    assert again[0] == 200 and again[1]["duplicate"] and again[1]["seq"] == ack["seq"], again
    phone.close()
    assert not problems, problems
