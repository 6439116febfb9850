"""The browser tests' fixture: the app as its own process (``server``); helpers are in ``browser_helpers.py``."""
from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, ROOT, app_server, unavailable


@pytest.fixture
def server(tmp_path):
    """The app with the demo logins, as its own process (Socket.IO and all), always stopped afterwards."""
    if not Path(CHROMIUM).exists():
        unavailable(CHROMIUM)
    if not (ROOT / "node_modules" / "leaflet").exists():
        unavailable("node_modules/leaflet (run npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package")
    with app_server(tmp_path) as base:
        yield base
