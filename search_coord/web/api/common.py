"""The JSON API's blueprint and what its handlers share: the request body, whole-number arguments, a part of the
search's state. Errors are mapped once in ``web/errors.py``."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ...core.errors import ValidationError
from ...core.fields import MAX_SAFE_INT, check_json, parse_int
from ...services import searches
from ...identity import current_actor, services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def body() -> dict:
    """The request's JSON object; a missing or malformed body is a 400 naming ``_body``, as is JSON no field could
    take (``core.fields.check_json``: too deep, numbers beyond 2^53, NaN / Infinity, lone surrogates)."""
    # A body over the JSON limit is a 413, whatever its type, with or without a Content-Length (chunked).
    limit = current_app.config["MAX_JSON_BYTES"]
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"a JSON body may be at most {limit // 1024} KiB")
    if not request.is_json:
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"})
    request.max_content_length = limit + 1   # a chunked stream is cut there (werkzeug): one byte more tells
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise RequestEntityTooLarge(f"a JSON body may be at most {limit // 1024} KiB")
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):   # UnicodeDecodeError is a ValueError
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"}) from None
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"})
    check_json(data)
    return data


def int_arg(name: str, default: int, lo: int = 0, hi: int = MAX_SAFE_INT) -> int:
    """A whole-number query argument in ``lo``..``hi`` (ASCII digits only), or ``default``; 400 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return parse_int(raw, lo, hi)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None


def int_args(*specs: tuple) -> list:
    """Several whole-number query arguments at once, each ``(name, default, lo, hi)``; every bad one is named in one
    400 (a form reports every field error at once)."""
    values, errors = [], {}
    for name, default, lo, hi in specs:
        try:
            values.append(int_arg(name, default, lo, hi))
        except ValidationError as exc:
            errors.update(exc.errors)
            values.append(default)
    if errors:
        raise ValidationError(errors)
    return values


def int_form(name: str) -> int | None:
    """A whole-number multipart form field (an id), or None when absent or empty; 400 naming it otherwise."""
    raw = request.form.get(name)
    if not raw:
        return None
    try:
        return parse_int(raw, 1)
    except ValueError:
        raise ValidationError({name: "must be an id"}) from None


def state_part(search_id: int, key: str):
    """One part of the search's state (``searches.get_state``) as a JSON list."""
    return jsonify(searches.get_state(services(), current_actor(), search_id)[key])
