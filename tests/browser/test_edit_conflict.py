"""In Chromium: two dispatchers edit the same search. The second one's save is refused (409); the console says what
the other changed (risk high -> medium), keeps the typed notes, shows the current risk, and saving again stores only
the notes. Screenshots (desktop and phone, English and Chinese) under /tmp/shots/versions/."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_helpers import login as _login

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/versions")


def _conflict(browser, base, lang, viewport, name):
    ctx = browser.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)   # for page.evaluate only
    page = ctx.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _login(page, base, "dispatch")
    page.goto(f"{base}/lang/{lang}?next=/")
    sid = page.evaluate("fetch('/api/v1/searches').then((r) => r.json()).then((l) => l[0].id)")
    page.goto(f"{base}/searches/{sid}")
    page.wait_for_selector("#e-risk option", state="attached")
    page.wait_for_selector("#subject-details dl")   # the live state is loaded (and with it the form)
    page.fill("#e-notes", f"Checked the bus station, nothing ({name})")   # typing: the live feed leaves the form alone
    page.evaluate("""async (sid) => {   // meanwhile the other dispatcher sets the risk, from the same version
        const s = await SC.debug.api('GET', `/api/v1/searches/${sid}`);
        const risk = s.risk === 'medium' ? 'low' : 'medium';
        await SC.debug.api('PATCH', `/api/v1/searches/${sid}`, {risk, version: s.version});
        return risk;
    }""", sid)
    page.wait_for_timeout(1000)   # the other's change reaches this console live (the typed form is left alone)
    page.click("#edit-search button[type=submit]")
    page.wait_for_selector("#edit-conflict")
    assert page.input_value("#e-notes") == f"Checked the bus station, nothing ({name})"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#edit-search").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    text = page.inner_text("#edit-conflict")
    current = page.evaluate("(sid) => SC.debug.api('GET', `/api/v1/searches/${sid}`)", sid)
    assert page.input_value("#e-risk") == current["risk"]
    page.click("#edit-search button[type=submit]")
    page.wait_for_selector("#edit-conflict", state="detached")
    after = page.evaluate("(sid) => SC.debug.api('GET', `/api/v1/searches/${sid}`)", sid)
    assert after["notes"] == f"Checked the bus station, nothing ({name})" and after["risk"] == current["risk"]
    ev = page.evaluate("(sid) => SC.debug.api('GET', `/api/v1/searches/${sid}/events`)", sid)["events"]
    assert [e["payload"]["changes"] for e in ev if e["type"] == "search.updated"][-1] == {
        "notes": f"Checked the bus station, nothing ({name})"}
    assert problems == []
    ctx.close()
    return text


def test_a_stale_edit_shows_what_changed_and_keeps_the_typed_text(server, browser):  # noqa: F811
    text = _conflict(browser, server, "en", {"width": 1366, "height": 900}, "conflict-desktop-en")
    assert "Changed by another dispatcher meanwhile" in text and "risk" in text and "→" in text
    text = _conflict(browser, server, "zh-CN", {"width": 390, "height": 844}, "conflict-phone-zh")
    assert "其他调度员" in text
    _conflict(browser, server, "zh-CN", {"width": 1366, "height": 900}, "conflict-desktop-zh")
    _conflict(browser, server, "en", {"width": 390, "height": 844}, "conflict-phone-en")
