"""In Chromium, on the phone (review findings): a clock set back does not silence the tracker; a photo the server
keeps refusing with a 500 never holds back the track batches behind it; an administrator's "must change password"
keeps every item waiting, sends the officer to /password, and the items go once the password is changed.

The rule for counting: the position where the officer is when sharing starts is a fix like any other (it is where the
walk begins) and is stored; each test waits for it before walking, so the count never depends on whether Chromium
handed it out before or after the first emulated step."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import START, api_client, open_search, phone_page

pytestmark = pytest.mark.browser

LKP = (START[1], START[0])


def _step(phone, field, k: int) -> None:
    """One step north (about 11 m), recorded by the tracker."""
    lat = START[0] + 0.0001 * k
    phone.set_geolocation({"latitude": lat, "longitude": START[1], "accuracy": 6})
    field.wait_for_function("(lat) => SC.debug.tracker.last && Math.abs(SC.debug.tracker.last.lat - lat) < 1e-7",
                            arg=lat, timeout=5000)
    field.wait_for_timeout(150)


def _share(field) -> None:
    """Tap "share my position" and wait for the first fix, where the phone stands (START: step 0)."""
    field.locator("#share-btn").tap()
    field.wait_for_function("(lat) => SC.debug.tracker.last && Math.abs(SC.debug.tracker.last.lat - lat) < 1e-7",
                            arg=START[0], timeout=5000)
    field.wait_for_timeout(150)


def _server_fixes(disp, sid: int, uid: int) -> list:
    return disp("GET", f"/api/v1/searches/{sid}/state")["tracks"].get(str(uid), [])


def _all_sent(field, timeout=10000) -> None:
    try:
        field.wait_for_function("() => SC.debug.tracker.waiting === 0 && SC.debug.tracker.queue.length === 0",
                                timeout=timeout)
    except Exception:
        print(field.evaluate("JSON.stringify({q: SC.debug.tracker.queue, items: SC.debug.outbox.items.map(i => "
                             "({kind: i.kind, state: i.state, tries: i.tries, error: i.error, n: (i.body.points || []).length}))})"))
        raise


def test_a_clock_set_back_keeps_recording_and_sending(server, browser):
    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol2"]
    sid = open_search(disp, "Clock Set Back", officer["id"])
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems, "patrol2")
    field.clock.install(time=datetime.now() + timedelta(minutes=10))   # the phone's clock 10 min ahead
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    _share(field)
    for k in range(1, 9):
        _step(phone, field, k)
    _all_sent(field)
    ahead = field.evaluate("SC.debug.tracker.last.t")
    field.clock.set_system_time(datetime.now())                          # ... set right
    for k in range(9, 19):
        _step(phone, field, k)
    last = field.evaluate("SC.debug.tracker.last.t")
    assert last < ahead
    assert abs(datetime.fromisoformat(last.replace("Z", "+00:00")) - datetime.now(timezone.utc)) < timedelta(seconds=30)
    _all_sent(field)
    fixes = _server_fixes(disp, sid, officer["id"])
    lats = sorted(round(f[1], 6) for f in fixes)
    assert lats == sorted(round(START[0] + 0.0001 * k, 6) for k in range(0, 19)), fixes
    # and after a reload (the last fix, 10 min ahead, is kept in localStorage) it still records
    field.reload()
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    if field.get_attribute("#share-btn", "aria-pressed") != "true":
        field.locator("#share-btn").tap()
    _step(phone, field, 19)
    _all_sent(field)
    assert len(_server_fixes(disp, sid, officer["id"])) == 20   # step 18 handed out again is no new fix
    assert not problems, problems


def _fail_500(route):
    route.fulfill(status=500, content_type="application/json", body=json.dumps({"error": "internal"}))


def test_a_photo_that_keeps_failing_never_holds_back_the_track(server, tmp_path, browser):
    from PIL import Image

    base = server
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol2"]
    sid = open_search(disp, "Photo Keeps Failing", officer["id"])
    photo = tmp_path / "shoe.jpg"
    Image.new("RGB", (64, 48), (120, 80, 40)).save(photo, "JPEG")
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems, "patrol2")
    phone.route("**/api/v1/photos", _fail_500)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    _share(field)
    _step(phone, field, 1)
    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", "A shoe by the canal")
    field.set_input_files("#clue-dialog-photo", str(photo))
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    field.wait_for_function("() => SC.debug.outbox.items.some(i => i.kind === 'photo' && i.tries >= 2)",
                            timeout=10000)
    for k in range(2, 8):
        _step(phone, field, k)
    _all_sent(field)   # every track batch arrived while the photo keeps retrying
    assert len(_server_fixes(disp, sid, officer["id"])) == 8   # where sharing started and 7 steps
    items = field.evaluate("SC.debug.outbox.items.map(i => ({kind: i.kind, state: i.state, tries: i.tries}))")
    assert [i["kind"] for i in items] == ["photo"] and items[0]["state"] == "waiting", items
    assert [c["text"] for c in disp("GET", f"/api/v1/searches/{sid}/clues")] == ["A shoe by the canal"]
    # the photo goes once the server takes it
    phone.unroute("**/api/v1/photos", _fail_500)
    field.evaluate("SC.debug.outbox.kick(true)")
    field.wait_for_function("() => SC.debug.outbox.items.length === 0", timeout=10000)
    assert not problems, problems


NEW_OFFICER_PW = "granite-harbour-19"
CHOSEN_PW = "copper-lantern-73"


def _login_as(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_password_change_required_keeps_items_waiting_and_sends_them_after_the_change(server, browser, pw):
    base = server
    admin = api_client(base, "admin")
    disp = api_client(base, "dispatch")
    rvu = admin("POST", "/api/v1/users", {"username": "rvu8", "display_name": "Officer Eight", "role": "officer",
                                          "password": NEW_OFFICER_PW})
    sid = open_search(disp, "Password Flagged", rvu["id"])
    problems: list[str] = []
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                permissions=["geolocation"], locale="en-GB",
                                geolocation={"latitude": START[0], "longitude": START[1], "accuracy": 6})
    field = phone.new_page()
    _login_as(field, base, "rvu8", NEW_OFFICER_PW)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    _share(field)
    for k in range(1, 3):
        _step(phone, field, k)
    _all_sent(field)
    # the administrator asks for a new password; the phone's session is valid again (a fresh login in the
    # same browser: whether or not the flag ended the old one)
    admin("PATCH", f"/api/v1/users/{rvu['id']}", {"must_change_password": True})
    token = phone.request.get(base + "/api/v1/session").json()["csrf_token"]
    r = phone.request.post(base + "/api/v1/session", data={"username": "rvu8", "password": NEW_OFFICER_PW},
                           headers={"X-CSRF-Token": token})
    assert r.ok, r.text()
    # the API now answers 403 to this officer. Asked from a client of its own: the phone's page and its
    # service worker keep making requests with the cookie they had, and whichever answer comes last sets
    # the browser's session cookie (and its CSRF token), so the token just read may be stale a moment later
    other = pw.request.new_context()
    token = other.get(base + "/api/v1/session").json()["csrf_token"]
    token = other.post(base + "/api/v1/session", data={"username": "rvu8", "password": NEW_OFFICER_PW},
                       headers={"X-CSRF-Token": token}).json()["csrf_token"]
    blocked = other.post(base + f"/api/v1/searches/{sid}/tracks", data={"points": []},
                         headers={"X-CSRF-Token": token})
    assert blocked.status == 403 and blocked.json()["error"] == "password_change_required", blocked.text()
    other.dispose()
    for k in range(3, 7):
        phone.set_geolocation({"latitude": START[0] + 0.0001 * k, "longitude": START[1], "accuracy": 6})
        field.wait_for_timeout(200)
    field.wait_for_url(f"{base}/password?next=%2Ffield%2F{sid}", timeout=15000)
    assert len(_server_fixes(disp, sid, rvu["id"])) == 3   # where sharing started and 2 steps
    # nothing was refused: everything still waits, kept on the phone
    kept = field.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open("sc-outbox");
        req.onsuccess = () => {
            const db = req.result, names = Array.from(db.objectStoreNames);
            const tx = db.transaction(names, "readonly"), all = tx.objectStore(names[0]).getAll();
            all.onsuccess = () => resolve(all.result.map(i => ({kind: i.kind, state: i.state})));
        };
        req.onerror = () => resolve(null);
    })""")
    pending = field.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sc.trackq.'))"
                             ".map(k => JSON.parse(localStorage.getItem(k)).length)")
    assert kept is not None and all(i["state"] == "waiting" for i in kept), kept
    n_kept = sum(1 for i in kept if i["kind"] == "track")
    assert n_kept >= 1 or sum(pending) >= 1, (kept, pending)
    # the officer chooses a new password on the page and goes back to the field page: the items go
    field.fill("#password-form [name=old_password]", NEW_OFFICER_PW)
    field.fill("#password-form [name=new_password]", CHOSEN_PW)
    field.fill("#password-form [name=repeat_password]", CHOSEN_PW)
    field.click("#password-form button[type=submit]")
    field.wait_for_url(f"{base}/field/{sid}", timeout=10000)
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid}")
    _all_sent(field, timeout=15000)
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'", timeout=10000)
    assert len(_server_fixes(disp, sid, rvu["id"])) == 7
