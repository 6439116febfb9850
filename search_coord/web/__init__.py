"""Thin HTTP edges: the JSON API, the pages, vendor assets from node_modules, CSRF and error mapping."""
from __future__ import annotations

from flask import Flask, request

from ..core.errors import SearchCoordError
from ..core.errors import NotAuthenticated
from ..identity import current_user
from .auth import SAFE_METHODS, csrf_ok


class CsrfError(SearchCoordError):
    """The request lacks a valid CSRF token (send the X-CSRF-Token header or the csrf_token form field)."""

    code = "csrf"
    status = 400


class BodyTooLarge(SearchCoordError):
    """The request body is larger than this endpoint accepts."""

    code = "too_large"
    status = 413


def register_web(app: Flask) -> None:
    from . import api, compression, errors, i18n, join_page, pages, print_pages, pwa, security, session_cookie, vendor
    from .converters import IdConverter

    app.url_map.converters["int"] = IdConverter   # before any route is added
    session_cookie.register(app)   # the signed cookie, sent again when changed or a minute old
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(print_pages.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(pwa.bp)   # the service worker, manifest and icons (the installable phone page)
    app.register_blueprint(join_page.bp)   # /join/<token>: a newcomer's phone from the QR code (issue 15)
    errors.register_error_handlers(app)
    i18n.register(app)

    @app.before_request
    def _guard():
        if request.method in SAFE_METHODS or security.is_csrf_exempt(request.path):
            return None
        limit = app.config["MAX_JSON_BYTES"]
        if request.mimetype == "application/json" and (request.content_length or 0) > limit:
            raise BodyTooLarge(f"a JSON body may be at most {limit // 1024} KiB")
        if not csrf_ok():
            # An expired session is a 401 (log in again), not a CSRF error: the phone keeps its changes and asks.
            if request.path.startswith("/api/") and request.path != "/api/v1/session" and current_user() is None:
                raise NotAuthenticated("log in first (the session has expired)")
            raise CsrfError(CsrfError.__doc__)
        return None

    security.register(app)   # the security headers on every response (CSP and others) and POST /csp-report
    compression.register(app)   # zstd/br/gzip per Accept-Encoding (runs before the headers: after_request is LIFO)

