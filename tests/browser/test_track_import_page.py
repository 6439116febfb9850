"""In Chromium: a dispatcher imports a handheld GPS's GPX file on the console (Members tab) as a named unit's track;
the track shows on the map, the answer says how many points were stored, and the same file again is stored once."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from browser_helpers import desk_page

pytestmark = pytest.mark.browser


def _gpx(lon, lat, start: datetime, n=20) -> str:
    pts = "".join(f'<trkpt lat="{lat + 0.0001 * i:.6f}" lon="{lon + 0.0001 * i:.6f}"><ele>50</ele>'
                  f'<time>{(start + timedelta(seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>'
                  for i in range(n))
    return ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="handheld" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Car 3</name><trkseg>' + pts + "</trkseg></trk></gpx>")


def test_a_gpx_file_imported_on_the_console_becomes_a_units_track(server, tmp_path, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    sid = page.request.get(server + "/api/v1/searches").json()[0]["id"]
    search = page.request.get(f"{server}/api/v1/searches/{sid}").json()
    lon, lat = search["lkp"]["coordinates"]
    since = datetime.fromisoformat(search["missing_since"].replace("Z", "+00:00"))
    path = tmp_path / "car3.gpx"
    path.write_text(_gpx(lon, lat, since + timedelta(minutes=10)))
    page.goto(f"{server}/searches/{sid}")
    page.click("#tab-members")
    page.click("#track-import summary")
    page.set_input_files("#ti-file", str(path))
    page.fill("#ti-unit", "Car 3 tracker <b>x</b>")
    page.click("#track-import button[type=submit]")
    result = page.locator("#track-import .track-import-result")
    expect(result).to_contain_text("20 of 20 points stored as Car 3 tracker <b>x</b>'s track")
    # the live event carries the track simplified for display (a straight walk: its two ends)
    page.wait_for_function("""() => { const st = SC.debug.state;
        const unit = st.members.find((u) => u.display_name.startsWith('Car 3 tracker'));
        return unit && (st.tracks[String(unit.id)] || []).length >= 2; }""")
    # after a reload, the snapshot (simplified for display, as the console loads it) has the unit's track
    # with all 20 fixes stored
    page.reload()
    page.wait_for_function("""() => { const st = SC.debug.state;
        const unit = st && st.members.find((u) => u.display_name.startsWith('Car 3 tracker'));
        const detail = unit && (st.tracks_detail || {})[String(unit.id)];
        return unit && (st.tracks[String(unit.id)] || []).length >= 2 && !!detail && detail.fixes === 20; }""")
    page.click("#tab-members")
    page.click("#track-import summary")
    expect(page.locator("#member-list li", has_text="Car 3 tracker <b>x</b>")).to_have_count(1)  # as text
    expect(page.locator("#member-list b")).to_have_count(0)
    page.set_input_files("#ti-file", str(path))
    page.fill("#ti-unit", "Car 3 tracker <b>x</b>")
    page.click("#track-import button[type=submit]")
    expect(result).to_contain_text("already imported")
    ctx.close()
    assert problems == []
