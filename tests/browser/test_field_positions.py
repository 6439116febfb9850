"""In Chromium: a phone gets other units' positions coalesced (at most every 5 s), applies them in order with the
other events, and never falls into a resync loop."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import login as _login
from test_where_map import _api_login

pytestmark = pytest.mark.browser


def test_phone_receives_other_units_positions_coalesced(server, browser):  # noqa: F811
    base = server
    other = _api_login(base, "patrol2")
    me = _api_login(base, "patrol1")
    other_id = other("GET", "/api/v1/session")["user"]["id"]
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    snapshots = []
    # the snapshot, whatever its query (the page asks for state?tracks=display)
    page.on("request", lambda r: snapshots.append(r.url) if r.url.split("?")[0].endswith("/state") else None)
    _login(page, base, "patrol1")
    page.goto(base + "/field/1")
    page.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
    now = datetime.now(timezone.utc)
    for k in range(3):
        other("POST", "/api/v1/searches/1/tracks", {"client_id": f"coalesce-{k:05d}", "points": [
            {"t": (now - timedelta(seconds=30 - 10 * k)).isoformat(), "lon": 116.2 + 0.001 * k,
             "lat": 39.772}]})
    page.wait_for_function(
        f"() => (SC.debug.state.tracks['{other_id}'] || []).some(p => Math.abs(p[0] - 116.202) < 1e-9)", timeout=8000)
    last_seq = me("GET", "/api/v1/searches/1/events?after=0&limit=1")["last_seq"]
    assert page.evaluate("SC.debug.state.appliedSeq") == last_seq
    assert len(snapshots) == 1  # the positions were applied in order: no gap, no snapshot refetch
