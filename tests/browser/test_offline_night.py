"""In Chromium: night. The desk's pages follow the system's dark preference; the topbar's switch cycles Auto -> Night
-> Day and is remembered for every page; the field page stays dark with its tiles dimmed (and no switch)."""
from __future__ import annotations

import pytest
from browser_helpers import desk_page, login, phone_page

pytestmark = pytest.mark.browser

BG = "getComputedStyle(document.body).backgroundColor"


def test_the_console_follows_the_system_and_the_switch_and_the_field_page_stays_dark(server, browser):
    base = server
    problems: list[str] = []
    # the system prefers dark: night at once, before any script of the page ran (no white flash)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(page, base, "dispatch")
    page.goto(base + "/searches/1")
    page.wait_for_function("() => SC.debug.state")
    assert page.evaluate("document.documentElement.className") == "night"
    assert page.evaluate(BG) == "rgb(14, 19, 25)"
    assert page.inner_text("#theme-switch") == "Auto"
    ctx.close()

    # a light system: day, then the switch
    ctx, desk = desk_page(browser, base, problems)
    desk.goto(base + "/searches/1")
    desk.wait_for_function("() => SC.debug.state")
    day = desk.evaluate(BG)
    assert not desk.evaluate("document.documentElement.classList.contains('night')") and day != "rgb(14, 19, 25)"
    desk.click("#theme-switch")
    assert desk.inner_text("#theme-switch") == "Night"
    assert desk.evaluate(BG) == "rgb(14, 19, 25)"
    desk.goto(base + "/")                       # remembered on every page
    assert desk.evaluate("document.documentElement.classList.contains('night')")
    desk.click("#theme-switch")
    assert desk.inner_text("#theme-switch") == "Day" and desk.evaluate(BG) == day
    desk.click("#theme-switch")
    assert desk.inner_text("#theme-switch") == "Auto"
    desk.goto(f"{base}/lang/zh-CN?next=/")
    assert desk.inner_text("#theme-switch") == "自动"
    ctx.close()

    # the field page: dark, tiles dimmed, no switch
    phone, field = phone_page(browser, base, problems)
    field.goto(base + "/field/1")
    field.wait_for_function("() => SC.debug.state")
    assert field.locator("#theme-switch").count() == 0
    assert field.evaluate("document.getElementById('map').classList.contains('map-dimmed')")
    field.click("#dim-map")
    assert not field.evaluate("document.getElementById('map').classList.contains('map-dimmed')")
    field.reload()
    field.wait_for_function("() => SC.debug.state")
    assert not field.evaluate("document.getElementById('map').classList.contains('map-dimmed')")
    assert field.get_attribute("#dim-map", "aria-pressed") == "false"
    assert not problems, problems
