"""In Chromium, help that joins by a QR code: the dispatcher shows a code for the patrol team; a second browser (a
newcomer's phone, no account) opens the link, gives name, unit and phone, waits for approval, lands on the search's
field page and can see that search only; revoking the link cuts it off at once; a link that lets people in at once is
cut off when the search closes."""
from __future__ import annotations

import pytest

from browser_helpers import START, api_client, desk_page, iso

pytestmark = pytest.mark.browser


def _newcomer(browser, problems):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB",
                              permissions=["geolocation"], geolocation={"latitude": START[0], "longitude": START[1]})
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"newcomer: {e}"))
    return ctx, page


def test_join_by_qr_code(server, browser):
    from datetime import datetime, timezone

    from playwright.sync_api import expect

    problems: list[str] = []
    disp = api_client(server, "dispatch")
    other = disp("POST", "/api/v1/searches", {
        "subject": {"name": "Someone else", "category": "hiker"}, "risk": "low",
        "lkp": {"type": "Point", "coordinates": [START[1] + 0.05, START[0]]},
        "lkp_time": iso(datetime.now(timezone.utc))})["id"]
    dctx, desk = desk_page(browser, server, problems)
    desk.on("dialog", lambda d: d.accept())
    desk.goto(server + "/searches/1")
    desk.wait_for_function("() => window.SC.debug.live && window.SC.debug.live.state && window.SC.debug.join")
    desk.click("#tab-members")
    desk.locator("#join-box summary").click()
    desk.select_option("#jl-team", label="P1 · Patrol 巡逻组")
    desk.click("#join-form button[type=submit]")
    expect(desk.locator("#join-qr img")).to_be_visible()
    desk.wait_for_function("() => document.querySelector('#join-qr img').naturalWidth > 100")   # drawn, not alt text
    url = desk.evaluate("() => window.SC.debug.joinUrl")
    assert "/join/" in url

    nctx, phone = _newcomer(browser, problems)
    phone.goto(url)
    expect(phone.locator("#join-what")).to_contain_text("张桂林")
    phone.fill("#j-name", "Wu Gang 吴刚")
    phone.fill("#j-unit", "Liangxiang station")
    phone.fill("#j-phone", "+86 138 0000 0000")
    phone.locator("#join-form button[type=submit]").tap()
    expect(phone.locator("#join-wait")).to_contain_text("Waiting")

    guest_row = desk.locator("#join-guests li.guest-pending")
    expect(guest_row).to_contain_text("Wu Gang")
    guest_row.locator("button.btn-primary").click()
    phone.wait_for_url(server + "/field/1", timeout=15000)
    phone.wait_for_function("() => window.SC.debug.state && window.SC.debug.state.search.id === 1")
    seen = phone.request.get(server + "/api/v1/searches").json()
    assert [s["id"] for s in seen] == [1]
    assert phone.request.get(f"{server}/api/v1/searches/{other}").status == 403
    team = next(t for t in disp("GET", "/api/v1/searches/1/teams") if t["callsign"] == "P1")
    guest_id = phone.evaluate("() => window.SC.debug.config.user.id")
    assert guest_id in team["member_ids"]

    # revoked: cut off at once (the API refuses, the live stream drops)
    desk.locator("#join-links li.link-open button").click()
    expect(desk.locator("#join-links li.link-revoked")).to_have_count(1)
    assert phone.request.get(server + "/api/v1/searches/1").status == 401
    phone.wait_for_function("() => !window.SC.debug.live.connected", timeout=10000)
    nctx.close()

    # a link that lets them in at once; the search closing ends the account
    link = disp("POST", "/api/v1/searches/1/join-links", {"role": "video_review", "auto_approve": True})
    nctx, phone = _newcomer(browser, problems)
    phone.goto(server + "/join/" + link["token"])
    expect(phone.locator("#join-form")).to_be_visible()
    phone.fill("#j-name", "Hu Min")
    phone.fill("#j-unit", "Volunteers")
    phone.fill("#j-phone", "13700000000")
    phone.locator("#join-form button[type=submit]").tap()
    phone.wait_for_url(server + "/field/1", timeout=15000)
    disp("POST", "/api/v1/searches/1/status", {"status": "closed", "reason": "stood down"})
    assert phone.request.get(server + "/api/v1/searches").status == 401
    phone.goto(server + "/join/" + link["token"])
    expect(phone.locator("#join-what")).to_contain_text("not valid any more")
    nctx.close()
    dctx.close()
    assert not problems, problems
