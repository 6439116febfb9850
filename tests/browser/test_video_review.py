"""In Chromium, the video review acceptance test (issue 5): a reviewer logs a sighting on their page (the video review
section an officer of a video review team gets), the dispatcher confirms it with one click in the console's Video
tab, and an officer's phone (phone viewport) shows the sighting alert and the trail within 2 seconds of that click,
with the last known point moved. And: a second reviewer who records footage overlapping the first reviewer's is
warned, and can record it anyway."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from browser_helpers import api_client, desk_page, iso, phone_page

pytestmark = pytest.mark.browser

LKP = (116.1985, 39.7712)  # lon, lat
# two cameras east of the last known point, ~130 m and ~400 m away; C2's recorder runs 30 s fast
C1 = (LKP[0] + 0.0015, LKP[1] + 0.0002)
C2 = (LKP[0] + 0.0047, LKP[1] + 0.0003)


def _set_local_time(page, selector: str, when: datetime) -> None:
    """Put ``when`` into a datetime-local input on the station's clock (what a reviewer types off the recorder; the
    pages read and write times in the station's zone, Asia/Shanghai by default, whatever the browser's zone)."""
    page.eval_on_selector(selector, "(el, v) => { el.value = v; }",
                          when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M:%S"))


def _setup(base: str) -> dict:
    """A fresh search 40 min old with two cameras, a video review team (video1, video2) and an officer (patrol1)."""
    disp = api_client(base, "dispatch")
    users = {u["username"]: u for u in disp("GET", "/api/v1/users")}
    lkp_time = datetime.now(timezone.utc) - timedelta(minutes=40)
    search = disp("POST", "/api/v1/searches", {
        "subject": {"name": "Video Test", "age": 81, "sex": "male", "category": "dementia",
                    "clothing": "dark blue padded jacket"},
        "lkp": {"type": "Point", "coordinates": list(LKP)}, "lkp_time": iso(lkp_time), "risk": "high"})
    sid = search["id"]
    for name in ("video1", "video2", "patrol1"):
        disp("POST", f"/api/v1/searches/{sid}/members", {"user_id": users[name]["id"]})
    team = disp("POST", f"/api/v1/searches/{sid}/teams", {
        "name": "Video review", "kind": "video_review", "callsign": "V9", "leader_id": users["video1"]["id"],
        "member_ids": [users["video2"]["id"]]})
    disp("POST", f"/api/v1/searches/{sid}/teams", {
        "name": "Foot patrol", "kind": "foot_patrol", "callsign": "P9", "leader_id": users["patrol1"]["id"],
        "member_ids": []})
    cams = {}
    for code, (lon, lat), offset in (("VT1", C1, 0), ("VT2", C2, 30)):
        cams[code] = disp("POST", "/api/v1/cameras", {
            "search_id": sid, "code": code, "name": f"Test camera {code}", "kind": "shop",
            "location": {"type": "Point", "coordinates": [lon, lat]}, "direction_deg": 90, "fov_deg": 70,
            "range_m": 40, "retention_days": 30, "clock_offset_s": offset})
    return {"sid": sid, "users": users, "team": team, "cams": cams, "lkp_time": lkp_time, "disp": disp}


def test_confirmed_sighting_reaches_the_phone_as_alert_and_trail_within_2_s(server, browser):  # noqa: F811
    base = server
    s = _setup(base)
    sid, cams, disp_api = s["sid"], s["cams"], s["disp"]
    reviewer = api_client(base, "video1")  # for the setup; the sighting under test is logged on the reviewer's page
    officer = api_client(base, "patrol1")

    # an earlier sighting, already confirmed (its alert acknowledged): the trail has one point
    first = reviewer("POST", f"/api/v1/searches/{sid}/video/sightings", {
        "camera_id": cams["VT1"]["id"], "time": iso(s["lkp_time"] + timedelta(minutes=4)), "direction": "E",
        "confidence": "certain", "client_id": "vid-test-sighting-1"})
    disp_api("POST", f"/api/v1/searches/{sid}/video/sightings/{first['id']}/decision", {"decision": "confirm"})
    for b in disp_api("GET", f"/api/v1/searches/{sid}/broadcasts"):
        for unit in (officer, reviewer):
            unit("POST", f"/api/v1/searches/{sid}/broadcasts/{b['id']}/ack", {})

    problems: list[str] = []
    desk, disp = desk_page(browser, base, problems)
    disp.goto(f"{base}/searches/{sid}")
    disp.click("#tab-video")
    disp.wait_for_function("() => SC.debug.video && SC.debug.video.data && SC.debug.video.data.cameras.length >= 2")
    # the map reads the region's cameras by its view and draws them on a canvas (no DOM marker per camera)
    disp.wait_for_function("() => SC.debug.video.cameras.mode === 'cameras' && SC.debug.video.cameras.drawn >= 2")
    assert disp.locator(".leaflet-marker-pane .sc-cam").count() == 0

    phone, field = phone_page(browser, base, problems, "patrol1")
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => document.body.dataset.live === 'on'")
    field.wait_for_function("() => document.body.dataset.trailPoints === '1'")  # from the snapshot
    assert not field.locator("#broadcast-alert").is_visible()

    # --- the reviewer, at a desk, logs a sighting on VT2 read off its recorder (which runs 30 s fast) -------
    seen = s["lkp_time"] + timedelta(minutes=10)
    rdesk, rev = desk_page(browser, base, problems, "video1")
    rev.goto(f"{base}/searches/{sid}")  # an officer's page: the video review section is there for reviewers
    rev.wait_for_function("() => SC.debug.video && SC.debug.video.data && SC.debug.video.data.cameras.length >= 2")
    rev.click("#video-section .vp-log-sighting")
    rev.wait_for_selector("#vsight-dialog[open]")
    rev.select_option("#vsight-dialog-camera", str(cams["VT2"]["id"]))
    _set_local_time(rev, "#vsight-dialog-time", seen + timedelta(seconds=30))
    rev.locator("#vsight-dialog .compass-NE").click()
    rev.locator("#vsight-dialog .seg-probable").click()
    rev.fill("#vsight-dialog-notes", "dark jacket, alone")
    # First a time before he went missing: refused, and the dialog says why (nothing is stored).
    _set_local_time(rev, "#vsight-dialog-time", s["lkp_time"] - timedelta(hours=1))
    rev.click("#vsight-dialog button[type=submit]")
    rev.wait_for_function("() => document.querySelector('#vsight-dialog').textContent"
                          ".includes('before the subject went missing')", timeout=8000)
    assert rev.locator("#vsight-dialog").is_visible()
    _set_local_time(rev, "#vsight-dialog-time", seen + timedelta(seconds=30))
    rev.click("#vsight-dialog button[type=submit]")
    rev.wait_for_selector("#vsight-dialog", state="hidden", timeout=5000)

    pending = disp.locator(".vs-pending-list .vs-item")
    pending.first.wait_for(timeout=10000)
    second = disp.evaluate("SC.debug.video.data.sightings.find(x => x.status === 'pending')")
    assert second["camera_id"] == cams["VT2"]["id"] and second["direction"] == "NE"
    assert abs(datetime.fromisoformat(second["time"]) - seen) < timedelta(seconds=1)  # corrected to true time
    confirm = disp.locator(f".vs-item[data-sighting-id='{second['id']}'] .vs-confirm")

    # --- the dispatcher confirms; the phone shows the alert and the trail ----------------------------------
    clicked = time.monotonic()  # measured from before the click: the click's own round trip counts too
    confirm.click()
    field.wait_for_function(
        """([code, lon, lat]) => {
            const dlg = document.getElementById("broadcast-alert");
            const lkp = SC.debug.state.search.lkp.coordinates;
            return dlg.open && dlg.classList.contains("bc-sighting")
                && document.getElementById("bc-text").textContent.includes(code)
                && document.body.dataset.trailPoints === "2"
                && document.querySelectorAll("path.sc-trail").length >= 1
                && Math.abs(lkp[0] - lon) < 1e-6 && Math.abs(lkp[1] - lat) < 1e-6;
        }""", arg=["VT2", C2[0], C2[1]], timeout=5000)
    delay = time.monotonic() - clicked
    assert delay < 2.0, f"the phone showed the alert and the trail {delay:.2f} s after the click"

    # acknowledged: the map shows the trail, with its newest point labelled
    field.locator("#bc-ack").tap()
    assert not field.locator("#broadcast-alert").is_visible()
    field.locator(".sc-trail-tip-last", has_text="VT2").wait_for(timeout=10000)
    assert field.locator("path.sc-trail").first.is_visible()

    # the console: nothing left to confirm, the trail listed with both points
    disp.wait_for_function("() => document.querySelectorAll('.vs-pending-list .vs-item').length === 0")
    disp.wait_for_function("() => document.querySelectorAll('.vp-trail-point').length === 2")
    print(f"phone: alert and trail {delay:.2f} s after the click")
    rdesk.close()
    phone.close()
    desk.close()
    assert not problems, problems


def test_a_second_reviewer_is_warned_of_overlapping_footage(server, browser):  # noqa: F811
    base = server
    s = _setup(base)
    sid, cams, disp_api = s["sid"], s["cams"], s["disp"]
    cam = cams["VT1"]["id"]
    start = s["lkp_time"]
    task = disp_api("POST", f"/api/v1/searches/{sid}/video/tasks", {
        "camera_id": cam, "start": iso(start), "end": iso(start + timedelta(minutes=30)), "team_id": s["team"]["id"],
        "reviewer_id": s["users"]["video1"]["id"]})
    # the first reviewer has watched 0-15 min of the window
    first = api_client(base, "video1")
    first("POST", f"/api/v1/searches/{sid}/video/intervals", {
        "camera_id": cam, "task_id": task["id"], "start": iso(start), "end": iso(start + timedelta(minutes=15)),
        "client_id": "vid-test-interval-1"})

    problems: list[str] = []
    desk, page = desk_page(browser, base, problems, "video2")  # the second reviewer, at a desk
    page.goto(f"{base}/searches/{sid}")
    item = page.locator(f"#video-section .vt-item[data-task-id='{task['id']}']")
    item.wait_for(timeout=5000)
    assert "15 of 30 min" in item.locator(".vt-share").inner_text()
    item.locator(".vt-record").click()
    page.wait_for_selector("#vint-dialog[open]")
    # 10-20 min on the recorder (offset 0): overlaps the first reviewer's 0-15
    _set_local_time(page, "#vint-dialog-start", start + timedelta(minutes=10))
    _set_local_time(page, "#vint-dialog-end", start + timedelta(minutes=20))
    page.click("#vint-dialog button[type=submit]")
    warning = page.locator("#vint-dialog .overlap-warning")
    warning.wait_for(state="visible", timeout=10000)
    assert s["users"]["video1"]["display_name"] in warning.inner_text()
    assert len(disp_api("GET", f"/api/v1/searches/{sid}/video")["intervals"]) == 1  # nothing stored yet

    # record it anyway: stored, and the task's timeline shows 20 of 30 min reviewed
    warning.locator(".vint-anyway").click()
    page.wait_for_selector("#vint-dialog", state="hidden", timeout=10000)
    item.locator(".vt-share", has_text="20 of 30").wait_for(timeout=10000)
    assert len(disp_api("GET", f"/api/v1/searches/{sid}/video")["intervals"]) == 2
    desk.close()
    assert not problems, problems
