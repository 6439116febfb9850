"""In Chromium, on the phone: nothing stays stuck in the outbox. Items are kept per search: the outbox of one search's
page shows only that search's items; an item the server refuses for good (its search was closed) is shown with its
search and the reason in the page's language and can be discarded with the rest ("Discard all refused"); the fixes a
batch's answer refuses one by one are said once and dropped. A search closed while the phone shares its position
stops the sharing, with a banner saying so. And the phone's clock: fixes stamped in another epoch get the time the page
received them, each batch carries the phone's send time, and a sighting carries the time the witness gave."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import START, api_client, iso, open_search, phone_page

pytestmark = pytest.mark.browser

# the outbox sends track batches over the open socket (reports/outbox_send.js); this keeps them on HTTP
HTTP_TRACKS = "localStorage.setItem('sc.outboxTransport', 'http')"

LKP = (START[1], START[0])


def _one_fix(phone, field, k: int) -> None:
    """Share the position for one fix, then stop (the clue dialog takes "my position")."""
    field.locator("#share-btn").tap()
    phone.set_geolocation({"latitude": START[0] + 0.0003 * k, "longitude": START[1], "accuracy": 8})
    field.wait_for_function("() => SC.debug.tracker.waiting >= 1 && SC.debug.tracker.queue.length === 0", timeout=8000)
    field.locator("#share-btn").tap()


def _clue(field, text: str) -> None:
    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", text)
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)


def _abort(route):
    route.abort()


def test_refused_items_show_their_search_and_reason_and_go_in_bulk_and_never_on_another_search(server, browser):  # noqa: F811
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    s1 = open_search(disp, "Closed Meanwhile", officer["id"])
    s2 = open_search(disp, "Still Open", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems)
    phone.add_init_script(HTTP_TRACKS)   # POST .../tracks is intercepted below
    phone.on("dialog", lambda d: d.accept())   # the confirm of "Discard all refused"
    # --- offline: a clue and fixes on search 1, then a clue on search 2 ------------------------------------
    phone.route("**/api/v1/searches/*/clues", _abort)
    phone.route("**/api/v1/searches/*/tracks", _abort)
    field.goto(f"{base}/field/{s1}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {s1}")
    _one_fix(phone, field, 1)
    _clue(field, "Handbag by the canal (search 1)")
    field.wait_for_function("() => Number(document.body.dataset.outboxWaiting) >= 2")

    field.goto(f"{base}/field/{s2}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {s2}")
    field.wait_for_function("() => SC.debug.outbox.items.length >= 2")
    # search 1's items are not this page's business
    assert field.evaluate("document.body.dataset.outboxWaiting") == "0"
    assert field.locator("#outbox-box").is_hidden()
    _one_fix(phone, field, 2)
    _clue(field, "Walking stick at the bus stop (search 2)")
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '2'")
    assert "2 waiting" in field.inner_text("#outbox-box")

    # --- the dispatcher closes search 1; the network comes back --------------------------------------------
    disp("POST", f"/api/v1/searches/{s1}/status", {"status": "closed", "reason": "test"})
    phone.unroute("**/api/v1/searches/*/clues", _abort)
    phone.unroute("**/api/v1/searches/*/tracks", _abort)
    field.evaluate("SC.debug.outbox.kick(true)")
    field.wait_for_function("() => SC.debug.outbox.items.every(i => i.state === 'failed')", timeout=10000)
    assert any(c["text"].endswith("(search 2)") for c in disp("GET", f"/api/v1/searches/{s2}/clues"))
    # search 2's page: everything sent, none of search 1's refusals
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'")
    assert field.evaluate("document.body.dataset.outboxFailed") == "0"
    assert "Closed Meanwhile" not in field.inner_text("body")

    # --- search 1's page: the refusals with their search and reason; the closed banner ----------------------
    field.goto(f"{base}/field/{s1}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {s1}")
    field.wait_for_function("() => Number(document.body.dataset.outboxFailed) >= 2")
    box = field.inner_text("#outbox-box")
    assert f"Search {s1} · Closed Meanwhile" in box
    assert "the search is closed" in box
    assert "Handbag by the canal" in box
    banner = field.locator("#status-banner")
    assert banner.is_visible() and "Search closed — location sharing stopped" in banner.inner_text()
    assert field.locator("#share-btn").is_disabled()
    assert field.get_attribute("#share-btn", "aria-pressed") == "false"
    field.screenshot(path="/tmp/shots/phone/outbox-refused-en.png", full_page=False)

    # the same in Chinese (the page's language decides)
    field.goto(f"{base}/lang/zh-CN?next=/field/{s1}")
    field.wait_for_function("() => Number(document.body.dataset.outboxFailed) >= 2")
    box = field.inner_text("#outbox-box")
    assert "搜寻已结束" in box and f"搜寻 {s1}" in box
    # the banner comes with the search's state, which may arrive after the outbox count (a fresh-clone run under load)
    field.wait_for_function("() => document.querySelector('#status-banner').innerText.includes('已停止共享位置')",
                            timeout=10000)
    field.screenshot(path="/tmp/shots/phone/outbox-refused-zh.png", full_page=False)

    # the outbox changes with every few fixes: a change that alters nothing shown keeps the buttons (a button
    # redrawn under the finger loses the tap); a change that does alter it redraws
    field.evaluate("window.__discardAll = document.querySelector('.outbox-discard-all')")
    field.evaluate("SC.debug.outbox.changed(false); SC.debug.outbox.changed(false)")
    assert field.evaluate("window.__discardAll.isConnected")
    field.evaluate("SC.debug.outbox.items.find(i => i.state === 'failed').error = 'changed'; SC.debug.outbox.changed(false)")
    assert field.evaluate("!window.__discardAll.isConnected && !!document.querySelector('.outbox-discard-all')")

    field.locator(".outbox-discard-all").tap()
    field.wait_for_function("() => document.body.dataset.outboxFailed === '0'")
    assert field.evaluate("SC.debug.outbox.items.length") == 0
    assert field.locator("#outbox-box").is_hidden()
    field.goto(f"{base}/lang/en?next=/field/{s2}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {s2}")

    # --- a batch whose answer refuses some fixes one by one: said once, dropped, nothing stuck --------------
    def partly(route):
        n = len(json.loads(route.request.post_data)["points"])
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "accepted": n - 1, "rejected": [{"index": 0, "reason": "t: may not be in the future"}],
            "seq": 1, "duplicate": False}))

    phone.route("**/api/v1/searches/*/tracks", partly)
    field.locator("#share-btn").tap()
    phone.set_geolocation({"latitude": START[0] + 0.0006, "longitude": START[1] + 0.0004, "accuracy": 8})
    field.wait_for_function("() => document.body.dataset.outboxFailed === '1'", timeout=10000)
    field.locator("#share-btn").tap()
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'", timeout=8000)
    note = field.inner_text("#outbox-box")
    assert "1 fixes refused: t: may not be in the future" in note, note
    assert field.evaluate("SC.debug.outbox.items.filter(i => i.kind === 'track').length") == 0
    field.locator(".outbox-failed-item button").tap()
    field.wait_for_function("() => document.body.dataset.outboxFailed === '0'")
    phone.close()
    assert not problems, problems


# A browser that counts position.timestamp from 2001 (31 years behind); the page must use the time it got the fix.
OTHER_EPOCH = """(() => {
    const geo = navigator.geolocation;
    const shift = (ok) => (pos) => ok({coords: pos.coords, timestamp: pos.timestamp - 978307200000});
    const watch = geo.watchPosition.bind(geo), once = geo.getCurrentPosition.bind(geo);
    geo.watchPosition = (ok, fail, opts) => watch(shift(ok), fail, opts);
    geo.getCurrentPosition = (ok, fail, opts) => once(shift(ok), fail, opts);
})();"""


def test_phone_clock_other_epoch_send_time_and_seen_at(server, browser):  # noqa: F811
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    sid = open_search(disp, "Clock Test", officer["id"])
    problems: list[str] = []
    bodies: list[dict] = []
    phone, field = phone_page(browser, base, problems)
    phone.add_init_script(HTTP_TRACKS)   # POST .../tracks is intercepted below
    phone.add_init_script(OTHER_EPOCH)
    field.on("request", lambda r: bodies.append(json.loads(r.post_data))
             if r.method == "POST" and r.url.endswith(f"/searches/{sid}/tracks") else None)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    # the rule itself: another epoch, seconds, microseconds, NaN, far ahead -> the time the page got it
    now = field.evaluate("""() => { const n = Date.now(); return [
        SC.debug.fixTime(n - 978307200000, n), SC.debug.fixTime(n / 1000, n), SC.debug.fixTime(n * 1000, n), SC.debug.fixTime(NaN, n),
        SC.debug.fixTime(undefined, n), SC.debug.fixTime(n + 60000, n), SC.debug.fixTime(n - 3000, n), n]; }""")
    n = now[-1]
    assert now[:6] == [n] * 6 and now[6] == n - 3000

    field.locator("#share-btn").tap()
    for k in range(3):
        phone.set_geolocation({"latitude": START[0] + 0.0003 * (k + 1), "longitude": START[1], "accuracy": 8})
        time.sleep(0.7)
    field.wait_for_function("() => SC.debug.tracker.waiting === 0 && SC.debug.tracker.queue.length === 0 && SC.debug.tracker.last",
                            timeout=10000)
    stored = disp("GET", f"/api/v1/searches/{sid}/tracks")
    pts = stored[str(officer["id"])] if isinstance(stored, dict) else stored["tracks"][str(officer["id"])]
    server_now = datetime.now(timezone.utc)
    assert pts, "no fix stored"
    for p in pts:
        when = datetime.fromisoformat(p[2].replace("Z", "+00:00"))
        assert abs((server_now - when).total_seconds()) < 60, p
    assert field.evaluate("document.body.dataset.outboxFailed") == "0"
    # each batch carries the phone's send time next to client_id and points
    assert bodies and all(set(b) >= {"client_id", "points", "sent_at"} for b in bodies), bodies
    for b in bodies:
        sent = datetime.fromisoformat(b["sent_at"].replace("Z", "+00:00"))
        assert abs((server_now - sent).total_seconds()) < 60
    field.locator("#share-btn").tap()

    # --- a witness saw her 15 minutes ago ----------------------------------------------------------------
    field.locator("#clue-btn").tap()
    assert field.locator("#clue-dialog .seen-choices input:checked").get_attribute("value") == "0"
    field.locator("#clue-dialog .seen-choices .seg", has_text="15 min ago").tap()
    field.screenshot(path="/tmp/shots/phone/clue-seen-at-en.png")
    field.fill("#clue-dialog-text", "Shopkeeper saw her heading north")
    field.locator("#clue-dialog input[name=kind][value=sighting]").check(force=True)
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    clue = [c for c in disp("GET", f"/api/v1/searches/{sid}/clues") if c["text"].startswith("Shopkeeper")][0]
    seen = datetime.fromisoformat(clue["time"].replace("Z", "+00:00"))
    ago = (datetime.now(timezone.utc) - seen).total_seconds() / 60
    assert 14 < ago < 17, ago
    assert clue["kind"] == "sighting"

    # a time of day typed instead: 'Seen at' hh:mm today, on the station's clock (whatever the phone's zone)
    field.locator("#clue-btn").tap()
    typed = field.evaluate("""() => new Intl.DateTimeFormat('en-GB', {timeZone: SC.debug.config.timeZone,
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23'}).format(new Date(Date.now() - 7 * 60000))""")
    field.fill("#clue-dialog-seen", typed)
    assert field.locator("#clue-dialog .seen-choices input:checked").count() == 0
    field.fill("#clue-dialog-text", "Bus driver: she got off at the terminus")
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    clue = [c for c in disp("GET", f"/api/v1/searches/{sid}/clues") if c["text"].startswith("Bus driver")][0]
    ago = (datetime.now(timezone.utc) - datetime.fromisoformat(clue["time"].replace("Z", "+00:00"))).total_seconds() / 60
    assert 6 < ago < 9, ago
    phone.close()
    assert not problems, problems


@pytest.mark.parametrize("ending", ["closed", "found"])
def test_a_search_closed_or_found_while_sharing_stops_the_sharing_and_says_so(server, ending, browser):  # noqa: F811
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    sid = open_search(disp, "Closed While Sharing", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => document.body.dataset.live === 'on'")
    field.locator("#share-btn").tap()
    assert field.get_attribute("#share-btn", "aria-pressed") == "true"
    if ending == "closed":
        disp("POST", f"/api/v1/searches/{sid}/status", {"status": "closed"})
    else:
        disp("POST", f"/api/v1/searches/{sid}/found", {
            "time": iso(datetime.now(timezone.utc) - timedelta(seconds=5)), "condition": "well",
            "location": {"type": "Point", "coordinates": list(LKP)}, "client_id": "found-while-sharing"})
    field.wait_for_function(f"() => document.body.dataset.searchEnded === '{ending}'", timeout=5000)
    assert field.get_attribute("#share-btn", "aria-pressed") == "false"
    assert field.evaluate("SC.debug.tracker.sharing") is False
    said = {"closed": "Search closed — location sharing stopped", "found": "FOUND — location sharing stopped"}
    assert said[ending] in field.inner_text("#status-banner")
    # a reload does not start sharing again
    field.reload()
    field.wait_for_function(f"() => document.body.dataset.searchEnded === '{ending}'", timeout=5000)
    assert field.evaluate("SC.debug.tracker.sharing") is False
    phone.close()
    assert not problems, problems
