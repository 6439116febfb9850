"""In Chromium: a dispatcher uploads a spreadsheet saved by Chinese Excel (GBK) through the Cameras page and sees the
imported Chinese names in the registry; a file with a bad row shows the server's row and column errors and imports
nothing; a recorder clock years off is flagged in the list."""
from __future__ import annotations

import pytest
from browser_helpers import CHROME_ARGS, CHROMIUM, desk_page

pytestmark = pytest.mark.browser

GBK_FILE = ("code,name,lon,lat,kind,owner,clock_offset_s,covers_exit\r\n"
            "BT1,东门岗亭,116.3006,39.9004,residential,小区物业,0,是\r\n"
            "BT2,菜市场入口,116.3010,39.9008,shop,菜市场管理处,-120000000,\r\n"
            ",,,,,,,\r\n").encode("gbk")
BAD_FILE = "code;name;lon;lat;kind\r\nBX1;北门;116,3;95;shop\r\nBX2;西门;116,3;39,9;zeppelin\r\n".encode("gbk")


def test_a_gbk_spreadsheet_uploaded_through_the_cameras_page(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    good, bad = tmp_path / "摄像头.csv", tmp_path / "bad.csv"
    good.write_bytes(GBK_FILE)
    bad.write_bytes(BAD_FILE)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
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
        finally:
            browser.close()
    assert problems == []
