"""The browser tests' fixture: the app as its own process (``server``); helpers are in ``browser_helpers.py``."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, ROOT, unavailable

START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    env = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_COORD_TILE_URL": "",
           "SEARCH_COORD_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "run.py", "--port", str(port), "--demo"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        # generous: the app's imports and the demo's evening take a few CPU seconds, but on a machine shared by
        # several test runs (load 12-14 on 2 cores) the process may wait 30 s and more for them
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail("the server stopped:\n" + (tmp_path / "server.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(base + "/login", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
