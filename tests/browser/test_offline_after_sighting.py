"""In Chromium (issue 9): an officer's phone (390x844, position emulated) is cut off while sharing its position and
reporting a sighting a witness made half an hour ago; meanwhile the dispatcher confirms a camera sighting, which moves
the last known point to a time after everything the phone holds. When the phone is back, everything it held is
accepted (it is all after the person went missing, which is what counts, not the moved last known time), drawn on the
dispatcher's map, and nothing is left in the phone's outbox, waiting or refused."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from test_browser_connection_cut import NO_EMULATION_BLIPS
from browser_helpers import START, api_client, desk_page, iso, phone_page

pytestmark = pytest.mark.browser

# the outbox sends track batches over the open socket (reports/outbox_send.js); this keeps them on HTTP
HTTP_TRACKS = "localStorage.setItem('sc.outboxTransport', 'http')"

LKP = (START[1], START[0])  # lon, lat
CLUE_TEXT = "Witness at the kiosk saw him heading for the river (30 min ago)"


def _abort(route):
    route.abort()


def test_fixes_and_a_clue_queued_offline_arrive_after_a_sighting_is_confirmed(server, browser):  # noqa: F811
    base = server
    disp_api = api_client(base, "dispatch")
    users = {u["username"]: u for u in disp_api("GET", "/api/v1/users")}
    officer_id = users["patrol1"]["id"]
    missing_since = datetime.now(timezone.utc) - timedelta(minutes=60)
    sid = disp_api("POST", "/api/v1/searches", {
        "subject": {"name": "After Sighting", "age": 79, "sex": "male", "category": "dementia"},
        "lkp": {"type": "Point", "coordinates": list(LKP)}, "lkp_time": iso(missing_since), "risk": "high"})["id"]
    disp_api("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer_id})
    cam = disp_api("POST", "/api/v1/cameras", {
        "search_id": sid, "code": "OAS1", "name": "Kiosk camera", "kind": "shop",
        "location": {"type": "Point", "coordinates": [LKP[0] + 0.002, LKP[1] + 0.0005]},
        "direction_deg": 90, "fov_deg": 70, "range_m": 40, "retention_days": 30, "clock_offset_s": 0})

    problems: list[str] = []
    desk, disp = desk_page(browser, base, problems)
    disp.goto(f"{base}/searches/{sid}")
    disp.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {sid} && document.body.dataset.live === 'on'")

    phone, field = phone_page(browser, base, problems)
    phone.add_init_script(HTTP_TRACKS)   # POST .../tracks is intercepted below
    phone.add_init_script(NO_EMULATION_BLIPS)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => document.body.dataset.live === 'on'")

    # --- cut off: the officer walks and reports the witness's sighting ---------------------------------------
    phone.route("**/api/v1/searches/*/tracks", _abort)
    phone.route("**/api/v1/searches/*/clues", _abort)
    field.locator("#share-btn").tap()
    lat, lon = START
    walked = []
    for k in range(4):
        lat, lon = round(lat + 0.00025, 7), round(lon + (0.0003 if k % 2 else 0.0), 7)
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
        walked.append((lon, lat))
        field.wait_for_function(
            "([lat, lon]) => SC.debug.tracker.last && Math.abs(SC.debug.tracker.last.lat - lat) < 1e-8"
            " && Math.abs(SC.debug.tracker.last.lon - lon) < 1e-8", arg=[lat, lon], timeout=5000)
        time.sleep(0.4)
    field.wait_for_function("() => SC.debug.tracker.queue.length === 0 && SC.debug.tracker.waiting >= 4", timeout=5000)
    field.locator("#share-btn").tap()
    field.locator("#clue-btn").tap()
    field.locator("#clue-dialog input[name=kind][value=sighting]").check(force=True)
    field.fill("#clue-dialog-text", CLUE_TEXT)
    field.locator("#clue-dialog .seen-choices .seg", has_text="30 min ago").tap()
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
    field.wait_for_function("() => Number(document.body.dataset.outboxWaiting) >= 2", timeout=5000)
    held = field.evaluate("SC.debug.outbox.items.flatMap(i => i.kind === 'track' ? i.body.points.map(p => p.t) : [])")
    latest_held = max(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in held)

    # --- meanwhile the dispatcher confirms a sighting after all of it: the last known point moves on --------
    time.sleep(1.1)
    seen = datetime.now(timezone.utc) - timedelta(milliseconds=200)
    assert seen > latest_held
    sighting = disp_api("POST", f"/api/v1/searches/{sid}/video/sightings", {
        "camera_id": cam["id"], "time": iso(seen), "direction": "E", "confidence": "certain",
        "client_id": "oas-sighting-1"})
    disp_api("POST", f"/api/v1/searches/{sid}/video/sightings/{sighting['id']}/decision", {"decision": "confirm"})
    moved = disp_api("GET", f"/api/v1/searches/{sid}")
    assert datetime.fromisoformat(moved["lkp_time"].replace("Z", "+00:00")) > latest_held
    field.wait_for_function("() => SC.debug.state && SC.debug.state.trail && document.body.dataset.alert", timeout=5000)
    field.locator("#bc-ack").tap()   # the sighting alert

    # --- the phone is back: everything accepted, drawn, nothing left --------------------------------------
    phone.unroute("**/api/v1/searches/*/tracks", _abort)
    phone.unroute("**/api/v1/searches/*/clues", _abort)
    field.evaluate("SC.debug.outbox.kick(true)")
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'", timeout=15000)
    assert field.evaluate("document.body.dataset.outboxFailed") == "0", field.inner_text("#outbox-box")
    assert field.evaluate("SC.debug.outbox.items.length") == 0
    disp.wait_for_function(
        """([uid, text, fixes]) => SC.debug.state.clues.some(c => c.text === text)
            && fixes.every(([lon, lat]) => ((SC.debug.state.tracks || {})[String(uid)] || [])
                .some(p => Math.abs(p[0] - lon) < 1e-7 && Math.abs(p[1] - lat) < 1e-7))
            && (SC.debug.tracks()[String(uid)] || {}).vertices >= 1""",
        arg=[officer_id, CLUE_TEXT, walked], timeout=10000)
    clue = [c for c in disp_api("GET", f"/api/v1/searches/{sid}/clues") if c["text"] == CLUE_TEXT][0]
    when = datetime.fromisoformat(clue["time"].replace("Z", "+00:00"))
    assert missing_since < when < seen and clue["kind"] == "sighting"
    field.wait_for_function("() => SC.debug.state.clues.some(c => c.text.startsWith('Witness at the kiosk'))", timeout=5000)
    phone.close()
    desk.close()
    assert not problems, problems
