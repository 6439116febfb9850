"""The print pages on the server: one briefing sheet per assignment with the call sign, members' phones and a vector
map (scale bar, north arrow); the flyer with its QR code and as a PNG image; the after-action report with a dated
timeline, team effort and the numbers; user text is text everywhere; who may print what."""
import io
import re

import pytest
from lxml import html as lxml_html
from PIL import Image

from paper_support import CALLSIGNS, SUBJECT_ZH, evening, flask_call
from support import square


@pytest.fixture
def night(app, login):
    disp, off1, off2 = login("disp"), login("off1"), login("off2")
    ev = evening(flask_call(disp), {"off1": (flask_call(off1), off1.user["id"]),
                                    "off2": (flask_call(off2), off2.user["id"])})
    return ev, disp, off1, off2


def test_one_briefing_sheet_per_assignment_with_its_map(night):
    ev, disp, off1, _ = night
    r = disp.get(f"/searches/{ev['sid']}/print/assignments")
    assert r.status_code == 200
    doc = lxml_html.fromstring(r.data)
    sheets = doc.xpath("//section[@data-assignment]")
    assert len(sheets) == 2
    for sheet, callsign in zip(sheets, CALLSIGNS):
        text = sheet.text_content()
        assert callsign in text and SUBJECT_ZH in text and "2026-11-28" in text
        svg = sheet.xpath(".//*[local-name()='svg']")[0]
        assert svg.xpath(".//*[local-name()='g'][@class='pm-scale']") and svg.xpath(".//*[local-name()='g'][@class='pm-north']")
        assert svg.xpath(".//*[contains(@class,'pm-assignment')]") and svg.xpath(".//*[contains(@class,'pm-lkp')]")
    # an officer prints only their own team's sheet
    mine = lxml_html.fromstring(off1.get(f"/searches/{ev['sid']}/print/assignments").data)
    assert len(mine.xpath("//section[@data-assignment]")) == 1
    assert disp.get(f"/searches/{ev['sid']}/print/assignments?assignment=999").status_code == 404


def test_user_text_stays_text_on_paper(night):
    ev, disp, *_ = night
    evil = '<img src=x onerror=alert(1)>"&'
    r = disp.post(f"/api/v1/searches/{ev['sid']}/assignments", {
        "title": evil, "kind": "area", "geometry": square()})
    assert r.status_code == 201, r.get_json()
    page = disp.get(f"/searches/{ev['sid']}/print/assignments").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_flyer_page_png_and_its_qr(night):
    ev, disp, off1, _ = night
    r = disp.get(f"/searches/{ev['sid']}/print/flyer?contact=010-6933 1234&link=https://example.org/m/1")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert SUBJECT_ZH in text and "010-6933 1234" in text and "<svg" in text
    png = disp.get(f"/searches/{ev['sid']}/flyer.png?contact=110")
    assert png.status_code == 200 and png.mimetype == "image/png"
    img = Image.open(io.BytesIO(png.data))
    assert img.size == (1240, 1754)
    assert disp.get(f"/searches/{ev['sid']}/print/flyer?link=javascript:alert(1)").status_code == 400
    assert disp.get(f"/searches/{ev['sid']}/print/flyer?contact=call-me").status_code == 400
    assert off1.get(f"/searches/{ev['sid']}/print/flyer").status_code == 403


def test_report_has_dated_timeline_effort_and_numbers(night):
    ev, disp, off1, _ = night
    r = disp.get(f"/searches/{ev['sid']}/print/report")
    assert r.status_code == 200
    doc = lxml_html.fromstring(r.data)
    rows = doc.xpath("//table[contains(@class,'timeline')]/tbody/tr")
    assert rows and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+8", row.xpath("./td")[0].text_content())
                        for row in rows)
    area = [row.text_content() for row in rows if "POD 60%" in row.text_content()]
    assert area and "Foot A" in area[0]
    teams = doc.xpath("//section[contains(@class,'report-teams')]//tbody/tr")
    assert len(teams) == 2 and CALLSIGNS[0] in teams[0].text_content()
    km = float(teams[0].xpath("./td")[3].text_content())
    assert 0.15 < km < 0.3     # 59 + 29 steps of 2.57 m: 0.23 km
    acks = doc.xpath("//section[contains(@class,'report-broadcasts')]")[0].text_content()
    assert "Off1" in acks
    story = doc.xpath("//section[contains(@class,'report-story')]//table[1]/tbody/tr")
    assert story and float(story[-1].xpath("./td")[1].text_content().rstrip("%")) > 0   # POS now, after the tracks
    assert off1.get(f"/searches/{ev['sid']}/print/report").status_code == 403


def test_the_station_header_phone_and_link_come_from_its_settings(app, night):
    ev, disp, *_ = night
    app.config.update(STATION_HEADER="Fangshan Public Security Bureau\n房山公安分局", STATION_NAME="Changyang",
                      STATION_PHONE="010-6933 0110", FLYER_LINK="https://example.org/appeal")
    page = disp.get(f"/searches/{ev['sid']}/print/report").get_data(as_text=True)
    assert "房山公安分局" in page and "Changyang" in page
    flyer = disp.get(f"/searches/{ev['sid']}/print/flyer").get_data(as_text=True)
    assert "010-6933 0110" in flyer and "https://example.org/appeal" in flyer
