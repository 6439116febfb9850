"""In Chromium, the known slips of the dispatcher's night (issue 15), each seen as a user would: the new-team form
starts empty, the risk chosen on "New search" stands out, "is required" goes once the field is filled, the new-search
map opens where the station works, times are the station's whatever the browser's zone, the People tab is fresh the
moment it opens, the ring table is named in words, a Chinese page shows the server's refusals in Chinese; the demo
tells its evening live."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from browser_helpers import PASSWORD, START, api_client, iso

pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")


def _desk(browser, base, problems, lang="en", tz="America/Los_Angeles"):
    """A dispatcher's desk whose browser is set to another time zone than the station's."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", timezone_id=tz)
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/lang/{lang}?next=/login")
    page.fill("#username", "dispatch")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return ctx, page


def _console(page, base, sid=1):
    page.goto(f"{base}/searches/{sid}")
    page.wait_for_function("() => window.SC.debug.live && window.SC.debug.live.state")


def test_console_slips(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    disp = api_client(server, "dispatch")
    ctx, page = _desk(browser, server, problems)
    _console(page, server)
    state = disp("GET", "/api/v1/searches/1/state")
    ids = {u["display_name"].split()[0]: u["id"] for u in state["members"]}

    # times on the station's clock: the browser is in Los Angeles, the search in Beijing
    lkp = datetime.fromisoformat(state["search"]["lkp_time"].replace("Z", "+00:00"))
    expect(page.locator("#head-clock")).to_contain_text(lkp.astimezone(BEIJING).strftime("%H:%M"))

    # the demo's evening is under way: missing about an hour, tracks, a clue, a review, work in progress
    gone = datetime.now(timezone.utc) - lkp
    assert timedelta(minutes=55) <= gone <= timedelta(minutes=75), gone
    assert len(state["tracks"]) >= 2 and state["clues"]
    assert any(a["status"] == "in_progress" for a in state["assignments"])
    assert disp("GET", "/api/v1/searches/1/video")["tasks"]

    # the People tab is fresh the moment it opens (it was redrawn only every 15 s when hidden)
    liu = ids["Liu"]   # patrol3: no fix yet
    fix_at = datetime.now(timezone.utc) - timedelta(seconds=5)
    officer = api_client(server, "patrol3")
    officer("POST", "/api/v1/searches/1/tracks", {"client_id": "slip-track-1", "device": "t-dev",
                                                  "points": [{"t": iso(fix_at), "lon": START[1] + 0.0005,
                                                              "lat": START[0], "acc": 6}]})
    page.wait_for_function(f"() => (window.SC.debug.live.state.tracks['{liu}'] || []).length > 0")
    page.click("#tab-members")
    row = page.locator(f"#member-list li[data-user-id='{liu}'] .last-fix")
    expect(row).to_contain_text(fix_at.astimezone(BEIJING).strftime("%H:%M"), timeout=10000)

    # "Form a new team" starts empty, even after a live redraw between ticking and saving
    page.click("#tab-teams")
    page.locator("#team-form-box summary").click()
    page.fill("#t-name", "Dog team")
    page.locator(f"#t-members input[value='{liu}']").check()
    page.evaluate("() => window.SC.debug.members.render()")   # what a live event does meanwhile
    expect(page.locator(f"#t-members input[value='{liu}']")).to_be_checked()
    page.click("#new-team button[type=submit]")
    expect(page.locator("#team-list")).to_contain_text("Dog team")
    page.locator("#team-form-box summary").click()
    assert page.locator("#t-members input:checked").count() == 0

    # the ring table's row is named in words, never "dementia/urban"
    page.click("#tab-where")
    expect(page.locator("#where-panel")).to_contain_text("Dementia · Urban")
    assert "dementia/" not in page.locator("#where-panel").inner_text()
    ctx.close()

    # a Chinese page: the server's "is required" in Chinese, gone once the field is filled
    ctx, page = _desk(browser, server, problems, lang="zh-CN")
    _console(page, server)
    page.click("#tab-teams")
    page.locator("#team-form-box summary").click()
    page.click("#new-team button[type=submit]")
    err = page.locator("#new-team [data-field=name] .field-error")
    expect(err).to_have_text("必填")
    page.fill("#t-name", "搜救犬组")
    expect(err).to_have_count(0)
    ctx.close()
    assert not problems, problems


def test_new_search_form(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    ctx, page = _desk(browser, server, problems)
    page.goto(server + "/searches/new")
    page.wait_for_selector("#risk-choices input[value=high]", state="attached")
    # the map opens on the last search's area, not on central Beijing
    page.wait_for_function("() => window.SC.debug.mapHome === 'last_search'")
    c = page.evaluate("() => window.SC.debug.map.getCenter()")
    assert math.dist((c["lat"], c["lng"]), START) < 0.02, c
    # the chosen risk is the only filled choice, with a tick
    page.locator("#risk-choices label.risk-medium").click()
    look = page.evaluate("""() => [...document.querySelectorAll('#risk-choices label')].map((l) => {
        const span = l.querySelector('span'); const cs = getComputedStyle(span);
        const bg = cs.backgroundColor === 'rgba(0, 0, 0, 0)' ? getComputedStyle(l).backgroundColor : cs.backgroundColor;
        return {checked: l.querySelector('input').checked, bg,
                tick: getComputedStyle(span, '::before').content}; })""")
    chosen = [x for x in look if x["checked"]]
    others = [x for x in look if not x["checked"]]
    assert len(chosen) == 1 and "✓" in chosen[0]["tick"]
    assert len({x["bg"] for x in others}) == 1 and chosen[0]["bg"] != others[0]["bg"], look
    assert all(x["tick"] in ("none", "normal") for x in others), look
    # "is required" goes once the field is filled
    page.click("#submit-btn")
    err = page.locator("[data-field='subject.name'] .field-error")
    expect(err).to_be_visible()
    page.fill("#f-name", "Wang Fang")
    expect(err).to_have_count(0)
    # the time field says which zone its time is in
    expect(page.locator("#lkp-zone")).to_have_text("(UTC+8)")
    # medication times go into the profile as structured times
    page.select_option("#f-category", "dementia")
    page.fill("#f-lat", f"{START[0]:.5f}")
    page.fill("#f-lon", f"{START[1]:.5f}")
    page.fill("#f-meds", "Amlodipine 20:00\nDonepezil 8:30")
    page.click("#submit-btn")
    page.wait_for_url(lambda u: "/searches/" in u and not u.endswith("/new"))
    sid = int(page.url.rstrip("/").split("/")[-1])
    meds = api_client(server, "dispatch")("GET", f"/api/v1/searches/{sid}")["subject"]["medications"]
    assert meds == [{"name": "Donepezil", "due": "08:30"}, {"name": "Amlodipine", "due": "20:00"}]
    expect(page.locator("#urgency-strip")).to_contain_text("Donepezil")
    ctx.close()
    assert not problems, problems
