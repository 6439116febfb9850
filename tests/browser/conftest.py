"""The browser tests' fixtures: the app as its own process (``server``), and one Playwright driver and one Chromium
per test process (``pw``, ``browser``); helpers are in ``browser_helpers.py``."""
from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import CHROME_ARGS, CHROMIUM, ROOT, app_server, unavailable

try:
    from playwright.sync_api import sync_playwright
except ImportError:   # the test extra not installed: the tests say so (skip, or fail in CI)
    sync_playwright = None


@pytest.fixture
def server(tmp_path):
    """The app with the demo logins, as its own process (Socket.IO and all), always stopped afterwards."""
    if not Path(CHROMIUM).exists():
        unavailable(CHROMIUM)
    if not (ROOT / "node_modules" / "leaflet").exists():
        unavailable("node_modules/leaflet (run npm ci)")
    if sync_playwright is None:
        unavailable("the playwright package")
    with app_server(tmp_path) as base:
        yield base


@pytest.fixture(scope="session")
def pw():
    """Playwright's driver, started once per test process (starting it costs a second or two; it cannot be started
    twice at once in one process, so a test never calls ``sync_playwright()`` itself)."""
    if sync_playwright is None:
        unavailable("the playwright package")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def _chromium(pw):
    """Debian's Chromium, launched once per test process; relaunched if it went away (``browser`` checks)."""
    if not Path(CHROMIUM).exists():
        unavailable(CHROMIUM)
    held = {"browser": pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)}
    yield held
    if held["browser"].is_connected():
        held["browser"].close()


@pytest.fixture
def browser(pw, _chromium):
    """The process's Chromium for one test: each test makes its own contexts (its own cookies, storage and service
    workers), and every context it left open is closed after it."""
    if not _chromium["browser"].is_connected():
        _chromium["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
    chromium = _chromium["browser"]
    yield chromium
    for ctx in list(chromium.contexts):
        ctx.close()
