"""The paper in Chromium: the briefing sheets print to a PDF with one A4 page per assignment whose text (pypdf)
holds the subject's Chinese name and each call sign; the flyer and the report print too, the report's PDF with the
name. Set PAPER_SHOTS=<folder> to keep the PDFs and A4 screenshots of each printout to look at."""
import io
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from browser_helpers import api_client, login
from pypdf import PdfReader

from paper_support import CALLSIGNS, SUBJECT_ZH, evening

pytestmark = pytest.mark.browser
A4_PT = (595.0, 842.0)


@pytest.fixture
def night(server):
    disp = api_client(server, "dispatch")
    users = {u["username"]: u["id"] for u in disp("GET", "/api/v1/users")}
    officers = {name: (api_client(server, name), users[name]) for name in ("patrol1", "patrol2")}
    lkp_time = datetime.now(timezone.utc) - timedelta(hours=2)
    return {**evening(disp, officers, lkp_time=lkp_time), "call": disp}


def _text(pdf_page) -> str:
    """A page's text without white space: pypdf puts spaces between CJK glyphs the browser placed one by one."""
    return "".join(pdf_page.extract_text().split())


def _pdf(page, url, shots, name):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    if shots:
        (shots / f"{name}.pdf").write_bytes(data)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})     # A4 at 96 dpi
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        page.emulate_media(media="null")     # page.pdf() prints with print media again
        page.set_viewport_size({"width": 1280, "height": 720})
    return PdfReader(io.BytesIO(data))


def test_briefing_sheets_flyer_and_report_print_to_pdf(server, night, browser):
    shots = Path(os.environ["PAPER_SHOTS"]) if os.environ.get("PAPER_SHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    sid = night["sid"]
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, server, "dispatch")
    pdf = _pdf(page, f"{server}/searches/{sid}/print/assignments", shots, "briefing")
    assert len(pdf.pages) == len(night["assignments"]) == 2
    for p, callsign in zip(pdf.pages, CALLSIGNS):
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2
        text = _text(p)
        assert SUBJECT_ZH in text and callsign in text, text[:500]
    one = _pdf(page, f"{server}/searches/{sid}/print/assignments?assignment={night['assignments'][1]}",
               None, "one")
    assert len(one.pages) == 1, [_text(p)[:300] for p in one.pages]
    assert CALLSIGNS[1] in _text(one.pages[0])
    # instructions too long for one page go on over the next: nothing is cut off
    long = "Check every garage and shed; ask the guards. " * 85   # 3,825 characters of the 4,000 allowed
    night["call"]("PATCH", f"/api/v1/searches/{sid}/assignments/{night['assignments'][0]}", {"instructions": long})
    text = "".join(_text(p) for p in _pdf(page, f"{server}/searches/{sid}/print/assignments?assignment="
                                               f"{night['assignments'][0]}", None, "long").pages)
    assert text.count("askthe") == 85 and "Bravo-1" in text
    flyer = _pdf(page, f"{server}/searches/{sid}/print/flyer?contact=110&link=https%3A%2F%2Fexample.org%2Fm",
                 shots, "flyer")
    assert len(flyer.pages) == 1 and SUBJECT_ZH in _text(flyer.pages[0])
    report = _pdf(page, f"{server}/searches/{sid}/print/report", shots, "report")
    text = "".join(_text(p) for p in report.pages)
    assert SUBJECT_ZH in text and CALLSIGNS[0] in text
    # the phone opens the sheet too: one column, nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/searches/{sid}/print/assignments")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    if shots:
        page.screenshot(path=str(shots / "briefing_phone.png"))
    assert not problems, problems
