"""In Chromium, the officer's phone on the dispatcher's night: the urgency strip (the sunset the server computes, on
the station's clock), "My position" asks the phone for a fix when sharing is off, "Pick on map" brings the map into
view, a photo opens full screen to show a witness, and after FOUND and close the banner says the search is closed."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from browser_helpers import START, api_client, desk_page, phone_page

pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 60)).save(buf, "PNG")
    return buf.getvalue()


def test_phone_on_the_night(server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    disp = api_client(server, "dispatch")
    dctx, desk = desk_page(browser, server, problems)
    desk.goto(server + "/")
    token = desk.evaluate("() => window.SC.debug.config.csrfToken")
    photo = desk.request.post(server + "/api/v1/photos", headers={"X-CSRF-Token": token},
                              multipart={"photo": {"name": "him.png", "mimeType": "image/png",
                                                   "buffer": _png()}}).json()
    disp("PATCH", "/api/v1/searches/1", {"subject": {"photo_id": photo["id"]}})

    ctx, page = phone_page(browser, server, problems)
    page.emulate_media(color_scheme="dark")
    page.goto(server + "/field/1")
    page.wait_for_function("() => window.SC.debug.state && window.SC.debug.state.search.id === 1")

    # the strip: the sunset the server computed for the last known point, on the station's clock
    strip = disp("GET", "/api/v1/searches/1/urgency")
    sunset = datetime.fromisoformat(strip["light"]["sunset"].replace("Z", "+00:00")).astimezone(BEIJING)
    expect(page.locator("#urgency-strip")).to_contain_text("sunset " + sunset.strftime("%H:%M"))
    expect(page.locator("#urgency-strip")).to_contain_text("Amlodipine")

    # a photo opens full screen, bigger than on the card
    thumb = page.locator("#subject-body img.subject-photo")
    small = thumb.bounding_box()["width"]
    thumb.tap()
    big = page.locator("#lightbox[open] img.lightbox-img")
    expect(big).to_be_visible()
    assert big.bounding_box()["width"] > small + 20
    page.locator("#lightbox .lightbox-close").tap()
    expect(page.locator("#lightbox")).to_be_hidden()

    # "My position" with sharing off: the phone is asked for a fix, not "no location yet"
    page.locator("#clue-btn").tap()
    dialog = page.locator("#clue-dialog")
    expect(dialog.locator("input[value=here]")).to_be_checked()
    expect(dialog.locator(".loc-info")).to_contain_text(f"{START[0]:.5f}")

    # "Pick on map": the map comes into view for the tap
    page.evaluate("() => window.scrollTo(0, 0)")
    dialog.locator(".loc-row button").tap()
    page.wait_for_timeout(600)
    box = page.locator("#map").bounding_box()
    mid = box["y"] + box["height"] / 2
    assert 0 <= mid <= 844, box
    page.locator("#map").tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(dialog).to_be_visible()
    dialog.locator("button[data-close]").tap()

    # FOUND, then closed: assignments stood down, and the phone's banner says the search is closed
    disp("POST", "/api/v1/searches/1/found", {"location": {"type": "Point", "coordinates": [START[1], START[0]]},
                                              "condition": "well", "client_id": "found-night-1",
                                              "time": datetime.now(timezone.utc).isoformat()})
    expect(page.locator("#status-banner")).to_contain_text("FOUND")
    disp("POST", "/api/v1/searches/1/status", {"status": "closed", "reason": "found well"})
    expect(page.locator("#status-banner")).to_contain_text("search closed")
    statuses = {a["status"] for a in disp("GET", "/api/v1/searches/1/assignments")}
    assert statuses <= {"done", "aborted"}, statuses
    ctx.close()
    dctx.close()
    assert not problems, problems
