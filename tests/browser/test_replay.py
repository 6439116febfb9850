"""The replay in Chromium: at a chosen time the map's state holds exactly the track fixes of the batches stored before
it (every fix a stored one), the searched area and the clue only once they were logged; going back removes them
again; playing moves the time on; the log shows the events up to the time, dated. And the console's log is a record:
dated lines, devices named (raw id on hover), filters by team and kind, links to the paper and files."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import api_client, login

from paper_support import CALLSIGNS, evening

pytestmark = pytest.mark.browser


@pytest.fixture
def night(server):
    disp = api_client(server, "dispatch")
    users = {u["username"]: u["id"] for u in disp("GET", "/api/v1/users")}
    officers = {name: (api_client(server, name), users[name]) for name in ("patrol1", "patrol2")}
    ev = evening(disp, officers, lkp_time=datetime.now(timezone.utc) - timedelta(hours=2))
    ev["events"] = disp("GET", f"/api/v1/searches/{ev['sid']}/events?after=0&limit=5000")["events"]
    ev["call"] = disp
    return ev


def _ms(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_replay_at_a_time_shows_exactly_what_was_stored_before_it(server, night, browser):
    events = night["events"]
    batches = [e for e in events if e["type"] == "track.points"]
    assert len(batches) == 3
    chosen = _ms(batches[1]["at"])             # after the second batch, before the third
    assert _ms(batches[2]["at"]) > chosen
    expected = {}
    for e in events:
        if e["type"] == "track.points" and _ms(e["at"]) <= chosen:
            expected.setdefault(str(e["payload"]["user_id"]), []).extend([p[0], p[1], p[2]] for p in e["payload"]["points"])
    stored = {uid: {f[2] for f in night["call"]("GET", f"/api/v1/searches/{night['sid']}/tracks/{uid}?limit=20000")["fixes"]}
              for uid in expected}
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, server, "dispatch")
    page.goto(f"{server}/searches/{night['sid']}/replay")
    page.wait_for_function("() => document.body.dataset.replayReady === '1'", timeout=15000)
    tracks = lambda: page.evaluate(  # noqa: E731
        "() => Object.fromEntries(Object.entries(SC.debug.replay.state().tracks).map(([u, fs]) => [u, fs.map(f => [f[0], f[1], f[2]])]))")
    page.evaluate(f"() => SC.debug.replay.seek({chosen})")
    got = {u: fs for u, fs in tracks().items() if fs}
    assert got == expected
    for uid, fixes in got.items():
        assert {f[2] for f in fixes} <= stored[uid]          # every fix drawn is a stored one
    state = page.evaluate("() => SC.debug.replay.state()")
    area_at = _ms(next(e["at"] for e in events if e["type"] == "area.searched"))
    assert (len(state["searched_areas"]) == 1) == (area_at <= chosen)
    # on to the end: the third batch, the area and the clue are there; back again: gone
    page.evaluate("() => SC.debug.replay.seek(SC.debug.replay.end)")
    state = page.evaluate("() => SC.debug.replay.state()")
    assert len(state["searched_areas"]) == 1 and len(state["clues"]) == 1
    assert sum(len(v) for v in tracks().values()) > sum(len(v) for v in expected.values())
    page.evaluate(f"() => SC.debug.replay.seek({chosen})")
    assert {u: fs for u, fs in tracks().items() if fs} == expected
    # the log shows the lines up to the time, the last one marked, dated on the station's clock
    current = page.locator("#replay-log .rp-current time").inner_text()
    assert current.startswith(datetime.now().strftime("%Y-")) and len(current) == 19
    page.screenshot(path="/tmp/shots/paper/replay_desktop.png") if _shots() else None
    # play x600 moves the time on
    page.evaluate("() => SC.debug.replay.seek(SC.debug.replay.start)")
    before = page.evaluate("() => Number(document.querySelector('#replay-slider').value)")
    page.select_option("#replay-speed", "10")
    page.click("#replay-play")
    page.wait_for_function(f"() => Number(document.querySelector('#replay-slider').value) > {before}", timeout=5000)
    page.click("#replay-play")
    assert not problems, problems


def _shots():
    return os.path.isdir("/tmp/shots/paper") and os.environ.get("PAPER_SHOTS")


def test_console_log_is_a_record_with_filters(server, night, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, server, "dispatch")
    page.goto(f"{server}/searches/{night['sid']}")
    page.click("#tab-timeline")
    area = page.locator("#timeline .tl-area-searched")
    area.wait_for(state="visible", timeout=10000)
    text = area.inner_text()
    assert "60%" in text and "Foot A" in text and CALLSIGNS[0] in text
    assert len(area.locator("time").inner_text()) == 19            # "2026-11-30 18:05:07"
    device = area.locator(".tl-device")
    # (the API client sends no phone id: its device is its user agent, named as a browser, raw on hover)
    assert device.inner_text() == "Li Qiang 李强 — browser"
    assert device.get_attribute("title").startswith("web: Python-urllib")
    # filters: the second team hides the first team's area; the kind "clue" shows the clue alone
    page.select_option("#panel-timeline select[data-filter=team]", str(night["teams"][1]))
    assert page.locator("#timeline .tl-area-searched").count() == 0
    page.select_option("#panel-timeline select[data-filter=team]", "")
    page.select_option("#panel-timeline select[data-filter=kind]", "clue")
    kinds = page.eval_on_selector_all("#timeline .tl-item", "els => els.map(e => e.className)")
    assert kinds and all("tl-clue" in k for k in kinds)
    hrefs = page.eval_on_selector_all("#panel-timeline .rec-paper a", "els => els.map(a => a.getAttribute('href'))")
    assert f"/searches/{night['sid']}/print/assignments" in hrefs and f"/api/v1/searches/{night['sid']}/export/gpx" in hrefs
    if _shots():
        page.select_option("#panel-timeline select[data-filter=kind]", "")
        page.screenshot(path="/tmp/shots/paper/console_log_desktop.png")
    assert not problems, problems
