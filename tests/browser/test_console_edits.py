"""In Chromium, edits that take a tap: a team renamed and given a call sign in place; another dispatcher's change in
between is shown and what was typed is kept; a team disbanded sends its work back to planned; an assignment
reassigned from its dialog; the People tab names who is looking and each officer's phone."""
from __future__ import annotations

import pytest

from browser_helpers import api_client, desk_page

pytestmark = pytest.mark.browser


def test_edits_that_take_a_tap(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    other = api_client(server, "dispatch")   # the other dispatcher's desk, through the API
    ctx, page = desk_page(browser, server, problems)
    page.on("dialog", lambda d: d.accept())
    page.goto(server + "/searches/1")
    page.wait_for_function("() => window.SC.debug.live && window.SC.debug.live.state")
    teams = {t["callsign"]: t for t in other("GET", "/api/v1/searches/1/teams")}

    page.click("#tab-teams")
    row = page.locator(f"#team-list li[data-team-id='{teams['P1']['id']}']")
    row.locator(".team-edit").click()
    row.locator("input[name=callsign]").fill("P9")
    row.locator("input[name=name]").fill("Patrol north")
    row.locator("button[type=submit]").click()
    expect(page.locator("#team-list")).to_contain_text("P9 · Patrol north")

    # another dispatcher renames V1 while this one edits it: theirs shown, ours kept, saved on the second try
    v1 = teams["V1"]
    row = page.locator(f"#team-list li[data-team-id='{v1['id']}']")
    row.locator(".team-edit").click()
    row.locator("input[name=callsign]").fill("V7")
    other("PATCH", f"/api/v1/searches/1/teams/{v1['id']}", {"version": v1["version"], "name": "Video desk"})
    page.wait_for_timeout(500)
    expect(row.locator("input[name=callsign]")).to_have_value("V7")   # a live redraw kept the typing
    row.locator("button[type=submit]").click()
    expect(row.locator(".overlap-warning")).to_contain_text("Video desk")
    expect(row.locator("input[name=callsign]")).to_have_value("V7")
    row.locator("button[type=submit]").click()
    expect(page.locator("#team-list")).to_contain_text("V7 · Video desk")

    # disband V1: its camera work goes back to planned
    row = page.locator(f"#team-list li[data-team-id='{v1['id']}']")
    row.locator(".team-edit").click()
    row.locator(".btn-danger").click()
    expect(page.locator(f"#team-list li[data-team-id='{v1['id']}']")).to_have_count(0)
    cams = next(a for a in other("GET", "/api/v1/searches/1/assignments") if a["kind"] == "places")
    assert cams["status"] == "planned" and cams["team_id"] is None

    # reassign an assignment from its dialog
    page.click("#tab-assignments")
    item = page.locator("#assignment-list li", has_text="Cameras at the gates")
    item.locator(".assignment-edit").click()
    page.select_option("#a-team", label="P9 · Patrol north")
    page.fill("#a-title", "Cameras at the gates (patrol)")
    page.click("#assignment-dialog button[type=submit]")
    expect(page.locator("#assignment-dialog")).to_be_hidden()
    cams = next(a for a in other("GET", "/api/v1/searches/1/assignments") if a["kind"] == "places")
    assert cams["team_id"] == teams["P1"]["id"] and cams["title"] == "Cameras at the gates (patrol)"

    # People: who is looking, phones to call
    page.click("#tab-members")
    expect(page.locator("#viewing-now")).to_contain_text("Wang Li")
    expect(page.locator("#member-list .member-phone").first).to_contain_text("+86 138")
    ctx.close()
    assert not problems, problems
