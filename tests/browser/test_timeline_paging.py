"""In Chromium: the console's timeline asks for the newest events first (after 5,000 events the log's oldest ones
are not what a dispatcher needs) and pages back on demand with "Older events"."""
from __future__ import annotations

import json
import re

import pytest

from browser_helpers import desk_page

pytestmark = pytest.mark.browser


def _event(seq, text):
    return {"seq": seq, "type": "broadcast.sent", "at": "2026-11-29T10:00:00.000Z", "actor": {"id": 1, "name": "Desk"},
            "device": None, "payload": {"broadcast": {"id": seq, "kind": "instruction", "text": text,
                                                      "params": None, "sent_by": 1, "sent_at": "2026-11-29T10:00:00Z"}}}


def test_the_timeline_shows_the_newest_events_and_pages_back(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    asked: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    sid = page.request.get(server + "/api/v1/searches").json()[0]["id"]

    def events(route):
        url = route.request.url
        if "after=" in url and "newest" not in url and "before" not in url:   # the live catch-up
            return route.continue_()
        asked.append(url.split("?", 1)[1])
        if "newest=1" in url:
            body = {"events": [_event(9001, "newest but one"), _event(9002, "the newest")],
                    "last_seq": 9002, "has_more": True, "next_before": 9001}
        else:
            assert re.search(r"before=9001\b", url), url
            body = {"events": [_event(7, "an old one")], "last_seq": 9002, "has_more": False,
                    "next_before": None}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(rf".*/api/v1/searches/{sid}/events\?.*"), events)
    page.goto(f"{server}/searches/{sid}")
    page.click("#tab-timeline")
    items = page.locator("#timeline .tl-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("the newest")
    assert any(q.startswith("newest=1") for q in asked), asked
    page.click("#timeline .tl-older")
    expect(items).to_have_count(3)
    expect(items.last).to_contain_text("an old one")
    expect(page.locator("#timeline .tl-older")).to_have_count(0)   # the whole log is loaded
    ctx.close()
    assert not problems, problems
