"""The installable phone app: the service worker at ``/sw.js`` (scope ``/``, so it covers ``/field/``), the web app
manifest and its icons.

The service worker is ``static/js/offline/sw.js`` with the precache list written in front of it: every script and
stylesheet the pages load (``static/js``, ``static/css``) and the vendored libraries the field page needs, each with
the hash of its bytes as its revision. A release that changes any of them changes ``/sw.js``, so the browser installs
the new worker, which precaches the new files beside the old ones; the page then offers to reload when it is safe
(``static/js/offline/register.js``). Workbox itself is imported by the worker from ``/vendor/workbox-*`` (npm).
"""
from __future__ import annotations

import hashlib
import io
import json
import threading
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from PIL import Image, ImageDraw

from .i18n import LANGUAGES

bp = Blueprint("pwa", __name__)

#: Vendored files the field page loads (under node_modules), with the URL they are served at (web/vendor.py).
VENDOR_SHELL = {
    "/vendor/leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "/vendor/leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "/vendor/leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "/vendor/leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "/vendor/leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "/vendor/leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "/vendor/socket.io/socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
}
#: Folders under static/ precached whole (the pages' modules and styles), and the kinds of file taken from them.
STATIC_SHELL = ("js", "css")
SHELL_SUFFIXES = (".js", ".css", ".png", ".svg", ".woff2")
#: The service worker's own source (not precached: the browser keeps it).
SW_SOURCE = "js/offline/sw.js"
ICON_SIZES = (192, 512)
THEME_COLOR = "#0b0f14"

_lock = threading.Lock()
_hashes: dict[str, tuple[float, int, str]] = {}   # path -> (mtime, size, sha256 prefix)


def _revision(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256, recomputed only when its mtime or size changed."""
    st = path.stat()
    key = str(path)
    with _lock:
        known = _hashes.get(key)
        if known and known[0] == st.st_mtime and known[1] == st.st_size:
            return known[2]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    with _lock:
        _hashes[key] = (st.st_mtime, st.st_size, digest)
    return digest


def shell_manifest(static_folder: str, node_modules: str) -> list[dict]:
    """The precache list: ``[{"url": "/static/js/pages/field.js", "revision": "<16 hex>"}, ...]``, sorted by URL.

    Files that are missing (node_modules not installed) are left out; the worker then fetches them as it can."""
    root = Path(static_folder)
    entries = []
    for folder in STATIC_SHELL:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in SHELL_SUFFIXES and path.relative_to(root).as_posix() != SW_SOURCE:
                entries.append({"url": "/static/" + path.relative_to(root).as_posix(), "revision": _revision(path)})
    for url, rel in VENDOR_SHELL.items():
        path = Path(node_modules) / rel
        if path.is_file():
            entries.append({"url": url, "revision": _revision(path)})
    return sorted(entries, key=lambda e: e["url"])


def shell_version(entries: list[dict], sw_source: bytes, settings: dict) -> str:
    """One hash of every precached file's revision, the worker's source and its settings: the release's name."""
    h = hashlib.sha256()
    for e in entries:
        h.update(f"{e['url']} {e['revision']}\n".encode())
    h.update(sw_source)
    h.update(json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()[:12]


def shell_size(static_folder: str, node_modules: str) -> int:
    """Bytes of the precached shell (uncompressed), as the phone stores them."""
    total = 0
    for e in shell_manifest(static_folder, node_modules):
        if e["url"].startswith("/static/"):
            total += (Path(static_folder) / e["url"][len("/static/"):]).stat().st_size
        else:
            total += (Path(node_modules) / VENDOR_SHELL[e["url"]]).stat().st_size
    return total


@bp.get("/sw.js")
def service_worker():
    """The service worker: its settings and precache list, then static/js/offline/sw.js. Never cached by HTTP."""
    cfg = current_app.config
    source = (Path(current_app.static_folder) / SW_SOURCE).read_bytes()
    entries = shell_manifest(current_app.static_folder, cfg["NODE_MODULES"])
    settings = {"tileUrl": cfg.get("TILE_URL") or ""}
    version = shell_version(entries, source, settings)
    head = (f"/* search-coord service worker, release {version} (written by search_coord/web/pwa.py) */\n"
            f"self.SC_VERSION = {json.dumps(version)};\n"
            f"self.SC_SETTINGS = {json.dumps(settings)};\n"
            f"self.SC_PRECACHE = {json.dumps(entries)};\n")
    resp = Response(head.encode() + source, mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-SC-Release"] = version
    return resp


def _manifest_texts(lang: str) -> dict:
    path = Path(current_app.root_path) / "i18n" / f"{lang}.json"
    messages = json.loads(path.read_text(encoding="utf-8"))
    return {"name": messages.get("pwa.name", "search-coord"), "short": messages.get("pwa.short_name", "search-coord"),
            "description": messages.get("pwa.description", "")}


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest in the language the user chose (the ``lang`` cookie), else the default."""
    lang = request.cookies.get("lang")
    if lang not in LANGUAGES:
        lang = current_app.config["DEFAULT_LANGUAGE"] if current_app.config["DEFAULT_LANGUAGE"] in LANGUAGES else "en"
    texts = _manifest_texts(lang)
    body = {
        "name": texts["name"], "short_name": texts["short"], "description": texts["description"], "lang": lang,
        "id": "/", "start_url": "/", "scope": "/", "display": "standalone", "orientation": "any",
        "theme_color": THEME_COLOR, "background_color": THEME_COLOR,
        "icons": [{"src": f"/icons/icon-{n}.png", "sizes": f"{n}x{n}", "type": "image/png", "purpose": "any"}
                  for n in ICON_SIZES]
                 + [{"src": f"/icons/maskable-{n}.png", "sizes": f"{n}x{n}", "type": "image/png", "purpose": "maskable"}
                    for n in ICON_SIZES],
    }
    resp = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@lru_cache(maxsize=8)
def icon_png(size: int, maskable: bool) -> bytes:
    """The app's icon drawn with Pillow: a white search ring with a red point on the field page's dark blue.

    A maskable icon keeps its drawing inside the central 80 % (the safe zone launchers may cut round)."""
    img = Image.new("RGB", (size, size), THEME_COLOR)
    draw = ImageDraw.Draw(img)
    scale = 0.8 if maskable else 1.0
    c = size / 2
    r_out = size * 0.36 * scale
    width = max(2, round(size * 0.07 * scale))
    draw.ellipse([c - r_out, c - r_out, c + r_out, c + r_out], outline="#ffffff", width=width)
    r_mid = size * 0.2 * scale
    draw.ellipse([c - r_mid, c - r_mid, c + r_mid, c + r_mid], outline="#5c9dff", width=max(2, width // 2))
    r_dot = size * 0.08 * scale
    draw.ellipse([c - r_dot, c - r_dot, c + r_dot, c + r_dot], fill="#e03131")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


@bp.get("/ca.crt")
def ca_certificate():
    """The local certificate authority of ``run.py --https`` (public part only), for a phone to trust once."""
    path = Path(current_app.instance_path) / "tls" / "ca.crt"
    if not path.is_file():
        abort(404)
    resp = Response(path.read_bytes(), mimetype="application/x-x509-ca-cert")
    resp.headers["Content-Disposition"] = 'attachment; filename="search-coord-ca.crt"'
    return resp


@bp.get("/icons/<kind>-<int:size>.png")
def icon(kind, size):
    if kind not in ("icon", "maskable") or size not in ICON_SIZES:
        abort(404)
    resp = Response(icon_png(size, kind == "maskable"), mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
