"""What the offline browser tests share: a tiny local tile server (PNG tiles, CORS, a count of requests), the app as
its own process with the settings a test gives it (the ``server`` fixture runs it with no tile server), and a copy of
the app's code a test may change (a release)."""
from __future__ import annotations

import io
import re
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_helpers import ROOT
from PIL import Image

TILE_RE = r"/(\d+)/(\d+)/(\d+)\.png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tile_png(z: int, x: int, y: int, grain: int = 48) -> bytes:
    """A 256 px tile with a colour of its own and some noise (``grain`` cells a side: 48 makes ~8 KB, 80 ~20 KB,
    about what a street map tile weighs)."""
    img = Image.effect_noise((grain, grain), 40).convert("RGB").resize((256, 256), Image.NEAREST)
    tint = Image.new("RGB", (256, 256), ((z * 40) % 256, (x * 7) % 256, (y * 13) % 256))
    out = io.BytesIO()
    Image.blend(img, tint, 0.6).save(out, format="PNG")
    return out.getvalue()


class TileServer:
    """Serves /{z}/{x}/{y}.png with CORS; ``requests`` lists the paths asked for."""

    def __init__(self, grain: int = 48):
        self.requests: list[str] = []
        self._cache: dict[tuple, bytes] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                m = re.fullmatch(TILE_RE, self.path)
                outer.requests.append(self.path)
                if not m:
                    self.send_error(404)
                    return
                key = tuple(int(v) for v in m.groups())
                body = outer._cache.get(key) or outer._cache.setdefault(key, _tile_png(*key, grain=grain))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass   # the browser no longer wants it (a tile scrolled away)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def app_server(tmp_path: Path, env: dict, cwd: Path = ROOT):
    """run.py --demo with ``env`` added (from ``cwd``: a copy of the code, for a release), stopped afterwards."""
    port = free_port()
    full = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_COORD_TILE_URL": "",
            "SEARCH_COORD_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **env}
    log = open(tmp_path / "server.log", "ab")
    proc = subprocess.Popen([sys.executable, "run.py", "--port", str(port), "--demo"], cwd=cwd, env=full,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
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
                pytest.fail("the server did not answer within 40 s")
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


def wait_cached(page, *urls: str, timeout_s: float = 20) -> None:
    """Wait until the service worker's caches hold every one of ``urls`` (page.wait_for_function cannot wait on a
    promise: an async function's promise is truthy at once)."""
    check = "async (urls) => { for (const u of urls) if (!(await caches.match(u))) return false; return true; }"
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(check, list(urls)):
        if time.monotonic() > deadline:
            pytest.fail(f"not cached within {timeout_s} s: {urls}")
        time.sleep(0.2)


def code_copy(tmp_path: Path) -> Path:
    """A copy of the app's code (run.py, the package, static, templates) that a test may change; node_modules is
    the real one (SEARCH_COORD_NODE_MODULES)."""
    dest = tmp_path / "code"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    dest.mkdir()
    shutil.copy2(ROOT / "run.py", dest / "run.py")
    for name in ("search_coord", "static", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest
