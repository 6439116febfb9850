"""In Chromium: a dispatcher uploads a spreadsheet saved by Chinese Excel (GBK) through the Cameras page and sees the
imported Chinese names in the registry; a file with a bad row shows the server's row and column errors and imports
nothing; a recorder clock years off is flagged in the list."""
from __future__ import annotations

import pytest
from browser_helpers import desk_page

pytestmark = pytest.mark.browser

GBK_FILE = ("code,name,lon,lat,kind,owner,clock_offset_s,covers_exit\r\n"
            "BT1,东门岗亭,116.3006,39.9004,residential,小区物业,0,是\r\n"
            "BT2,菜市场入口,116.3010,39.9008,shop,菜市场管理处,-120000000,\r\n"
            ",,,,,,,\r\n").encode("gbk")
BAD_FILE = "code;name;lon;lat;kind\r\nBX1;北门;116,3;95;shop\r\nBX2;西门;116,3;39,9;zeppelin\r\n".encode("gbk")


def test_a_gbk_spreadsheet_uploaded_through_the_cameras_page(server, tmp_path, browser):
    from playwright.sync_api import expect

    good, bad = tmp_path / "摄像头.csv", tmp_path / "bad.csv"
    good.write_bytes(GBK_FILE)
    bad.write_bytes(BAD_FILE)
    problems: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    page.goto(server + "/cameras")
    expect(page.locator("#cam-count")).to_contain_text("of")

    page.set_input_files("#cam-file", str(bad))
    page.click("#cam-import-submit")
    errors = page.locator("#cam-result .alert-error")
    expect(errors).to_contain_text("Nothing was imported")
    expect(errors).to_contain_text("Row 2, column lat")
    expect(errors).to_contain_text("(column D)")
    expect(errors).to_contain_text("Row 3, column kind")

    page.set_input_files("#cam-file", str(good))
    page.click("#cam-import-submit")
    result = page.locator("#cam-result")
    expect(result).to_contain_text("2 cameras added, 0 updated")
    expect(result).to_contain_text("1 blank rows skipped")
    expect(result).to_contain_text("gb18030")
    expect(result.locator(".cam-warn")).to_contain_text("Row 3, column clock_offset_s")

    page.fill("#cam-q", "BT")
    expect(page.locator("#cam-table tbody tr")).to_have_count(2)
    expect(page.locator("#cam-table tbody tr[data-code=BT1] .cam-name")).to_have_text("东门岗亭")
    expect(page.locator("#cam-table tbody tr[data-code=BT2] .cam-name")).to_have_text("菜市场入口")
    expect(page.locator("#cam-table tbody tr[data-code=BT2] .badge-warn")).to_contain_text("years behind")
    page.fill("#cam-q", "BX")
    expect(page.locator("#cam-table tbody tr")).to_have_count(1)  # the refused file stored nothing
    expect(page.locator("#cam-table tbody")).to_contain_text("No camera matches")
    ctx.close()
    assert problems == []


def _district(rows: int) -> bytes:
    lines = ["code,name,lon,lat,kind,direction_deg,fov_deg,range_m"]
    for i in range(rows):
        lines.append(f"BD{i:05d},Crossing {i},{116.1 + (i % 100) * 0.001:.4f},{39.7 + (i // 100) * 0.001:.4f},"
                     f"public_security,{i % 360},70,40")
    return ("\n".join(lines) + "\n").encode()


def test_a_district_file_imports_with_progress_and_the_map_reads_the_view(server, tmp_path, browser):
    """3,000 cameras through the page: the import's progress is shown as the server streams it; the map counts the
    cameras in cells when zoomed out and draws each (on a canvas, no DOM marker) when zoomed in."""
    from playwright.sync_api import expect

    path = tmp_path / "district.csv"
    path.write_bytes(_district(3000))
    problems: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    page.goto(server + "/cameras")
    page.wait_for_function("() => SC.debug.cameras && SC.debug.cameras.loads > 0")
    # every text the progress line shows, kept as it changes
    page.evaluate("""() => { window.__progress = [];
        new MutationObserver(() => window.__progress.push(document.getElementById('cam-progress-text')
            .textContent)).observe(document.getElementById('cam-progress-text'),
            {childList: true, characterData: true, subtree: true}); }""")
    page.set_input_files("#cam-file", str(path))
    page.click("#cam-import-submit")
    expect(page.locator("#cam-result")).to_contain_text("3000 cameras added, 0 updated", timeout=60_000)
    seen = page.evaluate("window.__progress")
    assert any(s.startswith("Storing cameras: 3,000 of 3,000") for s in seen), seen
    assert any(s.startswith("Checking rows") for s in seen), seen
    assert page.locator("#cam-progress").is_hidden()
    page.evaluate("() => SC.debug.fit")   # the fit to the imported registry has been made (or left)
    # the map: the whole district in cells, their counts the registry's
    page.evaluate("() => { SC.debug.map.setView([39.715, 116.15], 12, {animate: false}); }")
    page.wait_for_function("() => SC.debug.cameras.mode === 'clusters' && !SC.debug.cameras.pending"
                           " && SC.debug.cameras.total >= 3000", timeout=90_000)
    expect(page.locator("#cam-map-count")).to_contain_text("counted in cells")
    page.evaluate("() => { SC.debug.map.setView([39.71, 116.15], 18, {animate: false}); }")
    try:
        page.wait_for_function("() => SC.debug.cameras.mode === 'cameras' && !SC.debug.cameras.pending"
                               " && SC.debug.cameras.drawn > 0", timeout=90_000)
    except Exception:
        state = page.evaluate("""() => { const c = SC.debug.cameras, m = SC.debug.map;
            return {mode: c.mode, pending: c.pending, drawn: c.drawn, total: c.total, loads: c.loads,
                    error: String(c.error || ''), zoom: m.getZoom(), size: m.getSize(),
                    bounds: m.getBounds().toBBoxString()}; }""")
        raise AssertionError(f"the zoom-18 view was not drawn: {state}") from None
    assert page.locator("#cam-map .leaflet-marker-pane > *").count() == 0
    assert page.locator("#cam-map canvas").count() >= 1
    ctx.close()
    assert problems == []


def test_the_registry_fit_never_moves_a_map_the_user_has_moved(server, browser):
    """The Cameras map opens on the whole registry; an answer that comes late (held back here until the user has
    moved the map; on the night, behind an import) does not take the map away from where the user has gone."""

    problems: list[str] = []
    ctx, page = desk_page(browser, server, problems)
    held = []
    page.route("**/api/v1/cameras/area?bbox=-180*zoom=2*", lambda route: held.append(route))
    page.goto(server + "/cameras")
    page.wait_for_function("() => SC.debug.map && SC.debug.cameras")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the registry's extent was not read"
    page.evaluate("() => SC.debug.map.setView([39.71, 116.15], 17, {animate: false})")
    with page.expect_response(lambda r: "zoom=2" in r.url):
        held[0].continue_()
    page.wait_for_timeout(500)   # the answer handled
    view = page.evaluate("() => [SC.debug.map.getZoom(), SC.debug.map.getCenter().lat, SC.debug.map.getCenter().lng]")
    assert view[0] == 17 and abs(view[1] - 39.71) < 1e-6 and abs(view[2] - 116.15) < 1e-6, view
    ctx.close()
    assert problems == []
