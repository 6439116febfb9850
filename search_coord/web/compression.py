"""Compressed responses (Flask-Compress): zstd, br, gzip or deflate, as the client's Accept-Encoding asks.

A 4-hour search's ``GET /state`` is ~7.75 MB of JSON and ~1.35 MB gzipped, so JSON and the other text types are
compressed above ``COMPRESS_MIN_SIZE`` bytes. Streamed responses (the camera export, read a page at a time) stay
streamed: Flask-Compress compresses them chunk by chunk (zstd, br or deflate; never built in memory). Socket.IO's
polling and WebSocket traffic does not pass through Flask's ``after_request`` and is untouched; the security headers
(``web/security.py``) are set independently of the encoding.

Against BREACH (a secret and attacker-chosen text compressed together leak the secret by the length): HTML pages and
the session endpoints carry the CSRF token and are never compressed.
"""
from __future__ import annotations

from flask import Flask, request
from flask_compress import Compress

#: Text types worth compressing (no text/html: the pages carry the CSRF token; they are small anyway).
MIMETYPES = [
    "application/json", "application/geo+json", "text/csv", "text/plain",
    "text/css", "text/javascript", "application/javascript", "image/svg+xml",
]
#: Endpoints whose body carries a secret (the CSRF token): never compressed, whatever their type.
SECRET_ENDPOINTS = frozenset({"api.session_get", "api.session_login", "api.session_logout"})


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_LEVEL", 6)          # gzip: /state at 4 h in ~0.1 s
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config["COMPRESS_REGISTER"] = False            # our after_request below decides, then calls it
    compress = Compress()   # one per app: it keeps the app's settings when initialised
    compress.init_app(app)

    @app.after_request
    def _compress(resp):
        if request.endpoint in SECRET_ENDPOINTS:
            return resp
        return compress.after_request(resp)
