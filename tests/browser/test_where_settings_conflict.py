"""In Chromium, the Where tab's model settings (review finding): the form sends only the fields this dispatcher
changed, with the settings version it was loaded from. Another dispatcher's change saved meanwhile is never undone:
the 409 shows it, the form keeps what was typed and loads the rest, and saving again keeps both changes."""
from __future__ import annotations

import pytest
from browser_helpers import api_client, desk_page

pytestmark = pytest.mark.browser


def test_settings_form_sends_its_version_and_keeps_another_dispatchers_change(server, browser):
    base = server
    other = api_client(base, "dispatch")
    problems: list[str] = []
    _, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.click("#tab-where")
    page.check("#show-where")
    page.wait_for_function("() => SC.debug.where.model && SC.debug.where.model.settings", timeout=10000)
    loaded = page.evaluate("SC.debug.where.model.settings")
    page.click(".sc-where-settings summary")
    form = ".sc-where-settings-form"
    assert page.input_value(f"{form} [name=w_foot]") == str(loaded["sweep_width_m"]["foot"])
    # dispatcher B sets the foot sweep width meanwhile, from the same version
    other("PATCH", "/api/v1/searches/1/model/settings", {"version": loaded["version"], "sweep_width_m": {"foot": 35}})
    # A changes the walking speed only, and saves
    page.fill(f"{form} [name=walking_speed_ms]", "0.7")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} .edit-conflict", timeout=5000)
    assert "w_foot" in page.inner_text(f"{form} .edit-conflict")
    assert page.input_value(f"{form} [name=w_foot]") == "35"            # theirs, loaded
    assert page.input_value(f"{form} [name=walking_speed_ms]") == "0.7"  # mine, kept
    settings = other("GET", "/api/v1/searches/1/model")["settings"]
    assert settings["sweep_width_m"]["foot"] == 35 and settings["walking_speed_ms"] != 0.7
    # saving again: both changes stand
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} .edit-conflict", state="detached", timeout=5000)
    settings = other("GET", "/api/v1/searches/1/model")["settings"]
    assert settings["sweep_width_m"]["foot"] == 35 and settings["walking_speed_ms"] == 0.7
    assert settings["version"] == loaded["version"] + 2
    assert not problems, problems
