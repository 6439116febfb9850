"""What the offline browser tests share: a tiny local tile server (PNG tiles, CORS, a count of requests), a wait for
the service worker's caches, and a copy of the app's code a test may change (a release). The app as its own process
with a test's settings (a tile server, a copy of the code) is ``browser_helpers.app_server``."""
from __future__ import annotations

import io
import re
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_helpers import ROOT, free_port
from PIL import Image

TILE_RE = r"/(\d+)/(\d+)/(\d+)\.png"



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
