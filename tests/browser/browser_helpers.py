"""What the browser tests share: where Chromium is, the demo password, the phone's starting point, and pages logged
in as a dispatcher's desk or an officer's phone. The ``server`` fixture is in ``conftest.py``."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
REQUIRE = os.environ.get("SEARCH_COORD_REQUIRE_SERVICES") == "1"
PASSWORD = "demo-pass-2026"
START = (39.7712, 116.1985)  # lat, lon: Changyang, Fangshan
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]


def unavailable(what: str):
    if REQUIRE:
        pytest.fail(f"{what} is required here (SEARCH_COORD_REQUIRE_SERVICES=1) but missing")
    pytest.skip(f"{what} missing")


def login(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def desk_page(browser, base, problems, username="dispatch"):
    """A logged-in desktop page; page errors are collected in ``problems``. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"{username}: {e}"))
    login(page, base, username)
    return ctx, page


def phone_page(browser, base, problems, username="patrol1"):
    """A logged-in phone (390x844, touch) allowed to share its position, starting at START. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              permissions=["geolocation"], locale="en-GB",
                              geolocation={"latitude": START[0], "longitude": START[1], "accuracy": 6})
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"{username}: {e}"))
    login(page, base, username)
    return ctx, page
