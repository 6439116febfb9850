"""Maps errors to responses once: JSON under /api, a page elsewhere."""
from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..core.errors import SearchCoordError, ValidationError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _json(status: int, code: str, message: str, errors: dict | None = None, extra: dict | None = None):
    payload = {**(extra or {}), "error": code, "message": message}
    if errors is not None:
        payload["errors"] = errors
    return jsonify(payload), status


#: Statuses an error page explains in the reader's language (``error.page_<status>``); others: ``error.page_other``.
PAGE_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 429, 500, 503})


#: Refusals whose own line says more than their status's (``error.<code>``).
PAGE_CODES = frozenset({"csrf"})


def _page(status: int, message: str | None, code: str | None = None):
    """The error page: its lead in the reader's language; the server's own words (English) below it only on an
    English page (a page in Chinese never shows English text)."""
    if code in PAGE_CODES:
        lead, message = f"error.{code}", None   # what to do is the whole message (the English one is for APIs)
    else:
        lead = f"error.page_{status}" if status in PAGE_STATUSES else "error.page_other"
    return render_template("error.html", status=status, lead=lead, message=message), status


def register_error_handlers(app) -> None:
    @app.errorhandler(SearchCoordError)
    def _domain(exc: SearchCoordError):
        if exc.status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        errors = exc.errors if isinstance(exc, ValidationError) else None
        if wants_json():
            resp, status = _json(exc.status, exc.code, exc.message, errors, exc.extra)
            if status == 503:
                resp.headers["Retry-After"] = "2"  # busy or briefly down: the client retries the same change
            return resp, status
        return _page(exc.status, exc.message, exc.code)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if wants_json():
            code = "too_large" if exc.code == 413 else (exc.name or "error").lower().replace(" ", "_")
            return _json(exc.code or 500, code, exc.description or "")
        return _page(exc.code or 500, exc.description)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if wants_json():
            return _json(500, "internal", "an unexpected error occurred; nothing was saved")
        return _page(500, None)
