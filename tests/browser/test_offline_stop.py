"""In Chromium, on a phone: the field page knows when to stop. A search closed while the phone is offline (reloaded
with no network, the officer sharing and reporting): when the network is back, tracking stops, the banner says why in
the page's language, and every item the server refuses is shown with its reason until discarded, none dropped
silently. An officer removed from a search: the phone stops sharing and says so; a reload shows it too."""
from __future__ import annotations

import pytest
from browser_helpers import PASSWORD, START, api_client, open_search, phone_page
from offline_support import wait_cached

pytestmark = pytest.mark.browser


def _controlled(field, sid: int) -> None:
    """The service worker controls the page and has kept it for an offline reload."""
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    field.wait_for_function("() => navigator.serviceWorker.controller && document.body.dataset.swVersion", timeout=20000)
    wait_cached(field, f"/field/{sid}", "/api/v1/meta")
    # the search's state is kept on the phone (1.5 s after it came; under load a reload can come first)
    field.wait_for_function("() => SC.debug.offline.saved !== null", timeout=20000)


def test_a_search_closed_while_offline_stops_tracking_and_shows_what_was_refused(server, browser):
    from playwright.sync_api import expect

    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    sid = open_search(disp, "Closed While Offline", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems)
    field.goto(f"{base}/field/{sid}")
    _controlled(field, sid)

    phone.set_offline(True)
    field.reload()
    field.wait_for_function("() => SC.debug.state && document.body.dataset.offline === '1'")
    field.locator("#share-btn").tap()
    for k in (1, 2):
        phone.set_geolocation({"latitude": START[0] + 0.0003 * k, "longitude": START[1], "accuracy": 6})
        field.wait_for_function(f"() => SC.debug.tracker.last && SC.debug.tracker.last.lat > {START[0] + 0.0003 * k - 1e-6}")
    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", "Scarf on the fence (sent after the close)")
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    field.wait_for_function("() => Number(document.body.dataset.outboxWaiting) >= 2", timeout=8000)
    assert field.evaluate("SC.debug.tracker.sharing")

    disp("POST", f"/api/v1/searches/{sid}/status", {"status": "closed", "reason": "found elsewhere"})
    phone.set_offline(False)
    # tracking stops, with the reason, and what the server refused is shown (not dropped)
    field.wait_for_function("() => document.body.dataset.searchEnded === 'closed' && !SC.debug.tracker.sharing",
                            timeout=30000)
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0' && Number(document.body.dataset.outboxFailed) >= 2",
                            timeout=30000)
    assert "Search closed — location sharing stopped" in field.inner_text("#status-banner")
    assert field.locator("#share-btn").is_disabled()
    box = field.inner_text("#outbox-box")
    assert "Scarf on the fence" in box and "the search is closed" in box
    kinds = field.evaluate("SC.debug.outbox.items.map(i => i.kind + ':' + i.state)")
    assert "clue:failed" in kinds and "track:failed" in kinds, kinds
    assert not any(c["text"].startswith("Scarf") for c in disp("GET", f"/api/v1/searches/{sid}/clues"))
    field.wait_for_function("() => document.body.dataset.offline === ''", timeout=15000)

    # in Chinese, then cleared by the officer after seeing it
    field.goto(f"{base}/lang/zh-CN?next=/field/{sid}")
    field.wait_for_function("() => Number(document.body.dataset.outboxFailed) >= 2")
    expect(field.locator("#status-banner")).to_contain_text("已停止共享位置")
    field.screenshot(path="/tmp/shots/offline/closed-offline-zh.png")
    phone.on("dialog", lambda d: d.accept())
    field.locator(".outbox-discard-all").tap()
    field.wait_for_function("() => document.body.dataset.outboxFailed === '0' && SC.debug.outbox.items.length === 0")
    assert not problems, problems


def test_a_suspended_search_and_an_officer_removed_from_it_stop_sharing_and_say_why(server, browser):
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol2"]
    sid = open_search(disp, "Removed From It", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems, username="patrol2")
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid} && document.body.dataset.live === 'on'")
    field.locator("#share-btn").tap()
    field.wait_for_function("() => SC.debug.tracker.sharing")
    # suspended: sharing stops, said; reopened: the officer may share again
    disp("POST", f"/api/v1/searches/{sid}/status", {"status": "suspended", "reason": "night stop"})
    field.wait_for_function("() => !SC.debug.tracker.sharing && document.body.dataset.searchEnded === 'suspended'",
                            timeout=15000)
    assert "SUSPENDED" in field.inner_text("#status-banner") and field.locator("#share-btn").is_disabled()
    disp("POST", f"/api/v1/searches/{sid}/status", {"status": "open", "reason": "resumed"})
    field.wait_for_function("() => document.body.dataset.searchEnded === '' && !document.querySelector('#share-btn').disabled",
                            timeout=15000)
    field.locator("#share-btn").tap()
    field.wait_for_function("() => SC.debug.tracker.sharing")
    # removed from the search
    disp("DELETE", f"/api/v1/searches/{sid}/members/{officer['id']}")
    field.wait_for_function("() => !SC.debug.tracker.sharing && document.body.dataset.searchEnded === 'removed'",
                            timeout=15000)
    assert "no longer on this search" in field.inner_text("#status-banner")
    assert field.locator("#share-btn").is_disabled()
    assert problems == [] or all("403" in p or "404" in p for p in problems), problems


OUTBOX_COUNT = """() => new Promise((resolve) => {
    const r = indexedDB.open('sc-outbox');
    r.onsuccess = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('items')) { resolve(0); return; }
        const c = db.transaction('items').objectStore('items').count();
        c.onsuccess = () => { resolve(c.result); db.close(); };
    };
})"""
OFFLINE_STATES = """() => new Promise((resolve) => {
    const r = indexedDB.open('sc-offline');
    r.onupgradeneeded = () => {};
    r.onsuccess = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('states')) { db.close(); resolve(0); return; }
        const c = db.transaction('states').objectStore('states').count();
        c.onsuccess = () => { resolve(c.result); db.close(); };
    };
})"""


def test_logging_out_forgets_the_offline_copy_and_keeps_the_outbox(server, browser):
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol3"]
    sid = open_search(disp, "Shared Phone", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems, username="patrol3")
    field.goto(f"{base}/field/{sid}")
    _controlled(field, sid)
    field.wait_for_function("() => SC.debug.offline.saved !== null")
    assert field.evaluate(OFFLINE_STATES) == 1
    phone.route("**/api/v1/searches/*/clues", lambda route: route.abort())
    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", "Torch by the bins (recorded before the logout)")
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '1'")

    field.locator(".logout-form button").click()
    field.wait_for_url(f"{base}/login")
    field.wait_for_function("() => document.body.dataset.offlineForgotten === '1'")
    assert field.evaluate(f"async () => !!(await caches.match('/field/{sid}'))") is False
    assert field.evaluate(OFFLINE_STATES) == 0
    assert field.evaluate(OUTBOX_COUNT) == 1          # what was recorded is kept for the same user

    phone.unroute("**/api/v1/searches/*/clues")
    field.fill("#username", "patrol3")
    field.fill("#password", PASSWORD)
    field.click("button[type=submit]")
    field.wait_for_url(base + "/")
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => SC.debug.state && SC.debug.outbox.items.length === 0", timeout=15000)
    assert [c["text"] for c in disp("GET", f"/api/v1/searches/{sid}/clues")].count(
        "Torch by the bins (recorded before the logout)") == 1
    assert not problems, problems
