"""In Chromium: an officer's phone shares its location and logs a clue while the API cannot be reached; the items wait
in the phone's outbox (IndexedDB), survive a reload, and once the API is reachable again the dispatcher has the fixes
and the clue exactly once, within a few seconds."""
from __future__ import annotations

import time

import pytest
from browser_helpers import START, desk_page, phone_page

pytestmark = pytest.mark.browser

# the outbox sends track batches over the open socket (reports/outbox_send.js); this keeps them on HTTP
HTTP_TRACKS = "localStorage.setItem('sc.outboxTransport', 'http')"

SEARCH_ID = 1  # the demo search; patrol1 is on it
CLUE_TEXT = "Red scarf on the fence by the bike shed (outbox test)"


def _abort(route):
    route.abort()


def test_reports_wait_offline_survive_a_reload_and_arrive_once(server, browser):  # noqa: F811
    base = server
    problems: list[str] = []
    desk, disp = desk_page(browser, base, problems)
    disp.goto(f"{base}/searches/{SEARCH_ID}")
    disp.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {SEARCH_ID}")

    phone, field = phone_page(browser, base, problems)
    phone.add_init_script(HTTP_TRACKS)   # POST .../tracks is intercepted below
    officer_id = field.evaluate("SC.debug.config.user.id")
    field.goto(f"{base}/field/{SEARCH_ID}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {SEARCH_ID}")

    # --- the API is unreachable (the page itself still loads) -------------------------------------------
    field.route("**/api/v1/searches/*/tracks", _abort)
    field.route("**/api/v1/searches/*/clues", _abort)

    field.locator("#share-btn").tap()
    lat, lon = START
    for _ in range(4):
        time.sleep(0.6)
        lat += 0.0002
        lon += 0.0003
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
    field.wait_for_function("() => SC.debug.tracker.queue.length === 0 && SC.debug.tracker.waiting >= 4", timeout=5000)

    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", CLUE_TEXT)
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)

    field.wait_for_function("() => Number(document.body.dataset.outboxWaiting) >= 2", timeout=5000)
    assert "waiting since" in field.inner_text("#outbox-box")
    before = field.evaluate("""() => SC.debug.outbox.items.map(i => ({key: i.key, kind: i.kind, clientId: i.clientId,
                                  times: i.kind === 'track' ? i.body.points.map(p => Date.parse(p.t)) : []}))""")
    assert [i["kind"] for i in before].count("clue") == 1
    fix_times = sorted(t for i in before for t in i["times"])
    assert len(fix_times) >= 4

    # --- a reload while still cut off: the items are still there (IndexedDB) ----------------------------
    field.reload()
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {SEARCH_ID}")
    field.wait_for_function("() => Number(document.body.dataset.outboxWaiting) >= 2", timeout=5000)
    after = field.evaluate("SC.debug.outbox.items.map(i => i.clientId)")
    assert [i["clientId"] for i in before] == after[:len(before)]
    assert "waiting since" in field.inner_text("#outbox-box")
    # sharing goes on after the reload, as a new run (the reload was a pause)
    assert field.get_attribute("#share-btn", "aria-pressed") == "true"
    for _ in range(2):
        lat += 0.0002
        lon += 0.0003
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
        time.sleep(0.6)

    # --- the API is back: everything arrives, once -------------------------------------------------------
    field.unroute("**/api/v1/searches/*/tracks", _abort)
    field.unroute("**/api/v1/searches/*/clues", _abort)
    unblocked = time.monotonic()
    # live on the dispatcher's page: the clue, and the officer's track (events carry it simplified for display)
    disp.wait_for_function(
        """([uid, text]) => SC.debug.state.clues.filter(c => c.text === text).length === 1
            && ((SC.debug.state.tracks || {})[String(uid)] || []).length >= 2""",
        arg=[officer_id, CLUE_TEXT], timeout=10000)
    # every fix, from the API (which keeps every fix)
    deadline = time.monotonic() + 10
    while True:
        state = disp.evaluate(f"SC.debug.api('GET', '/api/v1/searches/{SEARCH_ID}/state')")
        pts = state["tracks"].get(str(officer_id), [])
        have = {disp.evaluate("t => Date.parse(t)", p[2]) for p in pts}
        if all(t in have for t in fix_times):
            break
        assert time.monotonic() < deadline, f"fixes missing on the server: {sorted(set(fix_times) - have)}"
        time.sleep(0.25)
    arrived = time.monotonic() - unblocked
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'", timeout=10000)

    # exactly once: no repeated clue, no repeated fix
    state = disp.evaluate(f"SC.debug.api('GET', '/api/v1/searches/{SEARCH_ID}/state')")
    assert [c["text"] for c in state["clues"]].count(CLUE_TEXT) == 1
    pts = state["tracks"][str(officer_id)]
    times = [p[2] for p in pts]
    assert len(times) == len(set(times)), "a fix was stored twice"
    assert len({p[3] for p in pts}) >= 2, "the reload should have started a new run"
    # the dispatcher's map draws the two runs as two pieces
    disp.wait_for_function(f"() => SC.debug.trackPieces(SC.debug.state.tracks['{officer_id}']).length >= 2", timeout=5000)
    disp.wait_for_function(f"() => (SC.debug.tracks()['{officer_id}'] || {{}}).pieces >= 2", timeout=5000)
    print(f"outbox delivered {arrived:.1f} s after the API came back")
    assert arrived < 10
    phone.close()
    desk.close()
    assert not problems, problems
