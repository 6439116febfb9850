"""End to end in Chromium: a dispatcher opens a search in the browser, adds an officer; the officer's phone shares
its location while walking, and the dispatcher's map shows the new track points within two seconds."""
from __future__ import annotations

import time

import pytest
from browser_helpers import START, desk_page, phone_page

pytestmark = pytest.mark.browser


def test_officer_track_reaches_the_dispatcher_map_live(server, browser):
    base = server
    problems: list[str] = []
    # --- the dispatcher opens a search through the form and adds an officer ---------------------------------
    desk, disp = desk_page(browser, base, problems)
    disp.goto(base + "/searches/new")
    disp.wait_for_selector("#f-category option[value=dementia]", state="attached")
    disp.fill("#f-name", "Wang Fang")
    disp.fill("#f-age", "78")
    disp.select_option("#f-category", "dementia")
    disp.fill("#f-clothing", "red coat")
    disp.fill("#f-lat", f"{START[0]}")
    disp.fill("#f-lon", f"{START[1]}")
    disp.dispatch_event("#f-lon", "change")  # centres the map on the typed point ...
    box = disp.locator("#new-map").bounding_box()
    disp.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # ... and a click sets the LKP
    assert disp.locator(".sc-icon-lkp").count() == 1
    disp.click("#submit-btn")
    disp.wait_for_url(lambda url: "/searches/" in url and not url.endswith("/new"))
    search_id = int(disp.url.rstrip("/").rsplit("/", 1)[1])
    disp.wait_for_function("() => SC.debug.state && SC.debug.state.search && SC.debug.state.search.id > 0")
    assert disp.evaluate("SC.debug.state.search.subject.name") == "Wang Fang"

    officer_id = disp.evaluate(
        "async () => (await SC.debug.api('GET', '/api/v1/users?role=officer')).find(u => u.username === 'patrol1').id")
    disp.click("#tab-members")
    disp.wait_for_selector(f"#m-user option[value='{officer_id}']", state="attached")
    disp.select_option("#m-user", str(officer_id))
    disp.click("#add-member button[type=submit]")
    disp.wait_for_function(f"() => SC.debug.state.members.some(u => u.id === {officer_id})")

    # --- the officer's phone shares its position while walking --------------------------------------------
    phone, field = phone_page(browser, base, problems)
    field.goto(f"{base}/field/{search_id}")
    field.wait_for_function(f"() => SC.debug.state && SC.debug.state.search.id === {search_id}")
    field.locator("#share-btn").tap()
    assert field.get_attribute("#share-btn", "aria-pressed") == "true"

    lat, lon = START
    for _ in range(5):
        time.sleep(0.7)
        lat += 0.00025
        lon += 0.0004
        phone.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
    moved_at = time.monotonic()

    # --- within 2 s of the last move, the dispatcher's map has the officer's track up to that point ------
    disp.wait_for_function(
        """([uid, lat, lon]) => {
            const pts = (SC.debug.state.tracks || {})[String(uid)] || [];
            if (pts.length < 4) return false;
            const last = pts[pts.length - 1];
            if (Math.abs(last[0] - lon) >= 1e-6 || Math.abs(last[1] - lat) >= 1e-6) return false;
            // drawn on the map's canvas: every fix a vertex of the line, the position marker at the last
            const drawn = SC.debug.tracks()[String(uid)];
            return !!drawn && drawn.canvas && drawn.vertices === pts.length && drawn.last === last[2];
        }""",
        arg=[officer_id, lat, lon], timeout=10000)
    delay = time.monotonic() - moved_at
    assert delay <= 2.0

    # the officer's own page shows the same track and nothing is left waiting
    field.wait_for_function(f"(SC.debug.state.tracks['{officer_id}'] || []).length >= 4", timeout=10000)
    field.wait_for_function(f"""() => {{ const d = SC.debug.tracks()['{officer_id}'];
        return !!d && d.canvas && d.pieces >= 1 && d.vertices >= 4; }}""", timeout=10000)
    # lines are on the canvas renderer, not one SVG path per piece
    assert disp.locator("path.sc-track").count() == 0 and disp.locator(".leaflet-scTracks-pane canvas").count() >= 1
    assert int(disp.evaluate("document.body.dataset.appliedSeq")) == disp.evaluate("SC.debug.state.appliedSeq")
    phone.close()
    desk.close()
    assert not problems, problems
