"""In Chromium: an officer reports FOUND from the phone: the dialog asks for the condition first (nothing is sent),
then the report reaches the server once and the phone shows the search as found."""
from __future__ import annotations

import pytest

from browser_helpers import START, phone_page

pytestmark = pytest.mark.browser


def test_found_from_the_phone_needs_a_condition_then_arrives_once(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    ctx, page = phone_page(browser, server, problems)
    sid = page.request.get(server + "/api/v1/searches").json()[0]["id"]
    page.goto(f"{server}/field/{sid}")
    page.wait_for_function(f"() => window.SC.debug.state && window.SC.debug.state.search.id === {sid}")
    page.locator("#share-btn").tap()   # so the phone knows where it is
    ctx.set_geolocation({"latitude": START[0] + 0.001, "longitude": START[1], "accuracy": 5})
    page.wait_for_timeout(1500)
    page.locator("#found-btn").tap()
    dialog = page.locator("#found-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[value=here]").check()
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-field=condition]")).to_contain_text("required")
    found = lambda: page.request.get(f"{server}/api/v1/searches/{sid}").json()["found"]  # noqa: E731
    assert found() is None   # the form's own check sent nothing
    dialog.locator("select[name=condition]").select_option("injured")
    dialog.locator("textarea[name=notes]").fill("by the road, cold but talking")
    dialog.locator("button[type=submit]").click()
    page.wait_for_function("() => window.SC.debug.state.search.found")
    assert found()["condition"] == "injured" and found()["notes"] == "by the road, cold but talking"
    events = page.request.get(f"{server}/api/v1/searches/{sid}/events?after=0").json()["events"]
    assert [e["type"] for e in events].count("search.found") == 1
    expect(page.locator("#found-btn")).to_be_hidden()
    ctx.close()
    assert not problems, problems
