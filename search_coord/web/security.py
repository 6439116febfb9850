"""Security headers on every response, set in one place, and the endpoint the browser reports CSP violations to.

The Content-Security-Policy allows scripts, styles, fonts and connections only from this site: every page loads its
scripts by ``<script src>`` (no inline script, no inline event handler, no eval) and its styles from stylesheets.
Leaflet and Leaflet-Geoman position their elements through ``element.style`` (the CSSOM), which ``style-src 'self'``
does not block: CSP blocks ``style="..."`` attributes in markup and ``<style>`` elements, neither of which the
front end uses, so ``'unsafe-inline'`` is not needed. Images may also come from ``data:`` and ``blob:`` (photo
previews on the phone) and from the configured tile server (``SEARCH_COORD_TILE_URL``; empty allows none), which
may also be fetched (``connect-src``: the phone keeps the search area's tiles); the service worker and the web app
manifest come from this site only.
"""
from __future__ import annotations

import functools
import json
import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, request

bp = Blueprint("security", __name__)

#: Where the browser POSTs violation reports (no session or CSRF token: the browser sends them on its own).
REPORT_PATH = "/csp-report"
#: A violation report larger than this is cut (the browser's are ~1 KB).
MAX_REPORT_BYTES = 16 * 1024

PERMISSIONS_POLICY = ", ".join([
    "geolocation=(self)",     # the field page shares the officer's position
    "camera=(self)",          # clue photos (a file input may open the camera)
    "microphone=()", "payment=()", "usb=()", "serial=()", "bluetooth=()", "midi=()", "hid=()",
    "display-capture=()", "browsing-topics=()",
])

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
_PLACEHOLDER_RE = re.compile(r"\{[^}]*\}")


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a Leaflet tile URL template, or None (no tiles, or a URL CSP cannot name).

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` -> ``https://*.tile.example.org``. A placeholder in any other
    label of the host cannot be said in CSP: then no tile server is allowed (the map shows its plain grid)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    host = parts.netloc
    labels = host.split(".")
    if _PLACEHOLDER_RE.search(labels[0]):
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host or "}" in host:
        return None
    if not _HOST_RE.match(host.replace("*.", "x.", 1) if host.startswith("*.") else host):
        return None
    return f"{parts.scheme}://{host}"


@functools.lru_cache(maxsize=64)   # set on every response; a few (tile URL, host) pairs in a deployment's life
def content_security_policy(tile_url: str | None, host: str | None) -> str:
    img = ["'self'", "data:", "blob:"]
    source = tile_source(tile_url)
    if source:
        img.append(source)
    connect = ["'self'"]
    if source:   # the phone keeps the search area's tiles for use offline (static/js/offline/tiles.js fetches them)
        connect.append(source)
    if host and _HOST_RE.match(host):   # Socket.IO's WebSocket ('self' covers ws/wss only in newer browsers)
        connect += [f"ws://{host}", f"wss://{host}"]
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {' '.join(img)}",
        f"connect-src {' '.join(connect)}",
        "font-src 'self'",
        "worker-src 'self'",     # the service worker (/sw.js), same origin only
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        # report-uri, not report-to: Chrome ignores report-uri once report-to is given, and the Reporting API
        # batches reports (up to a minute) and drops them for an http:// site other than localhost.
        f"report-uri {REPORT_PATH}",
    ]
    return "; ".join(directives)


def _clean(text: str, limit: int = 4000) -> str:
    """A report as one log line: control characters (a forged newline would fake a log line) escaped, cut."""
    text = "".join(ch if ch >= " " and ch != "\x7f" else f"\\x{ord(ch):02x}" for ch in text)
    return text[:limit]


@bp.post(REPORT_PATH)
def csp_report():
    """A browser's CSP violation report (``application/csp-report`` or ``application/reports+json``): logged."""
    if (request.content_length or 0) > MAX_REPORT_BYTES:
        current_app.logger.warning("CSP violation report too large (%s bytes), not read", request.content_length)
        return "", 204
    raw = request.get_data(cache=False)[:MAX_REPORT_BYTES]
    try:
        report = json.loads(raw.decode("utf-8", errors="replace"))
        text = json.dumps(report, ensure_ascii=True, sort_keys=True)
    except ValueError:
        text = repr(raw[:1000])
    current_app.logger.warning("CSP violation: %s", _clean(text))
    return "", 204


def is_csrf_exempt(path: str) -> bool:
    """Requests the CSRF guard lets through: only the browser's own violation reports."""
    return path == REPORT_PATH


def register(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.after_request
    def _security_headers(resp):
        h = resp.headers
        h.setdefault("Content-Security-Policy",
                     content_security_policy(current_app.config.get("TILE_URL"), request.host))
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith("/api/"):
            h.setdefault("Cache-Control", "no-store")
        return resp
