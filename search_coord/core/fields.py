"""Field-by-field checking of input dicts: every error is collected, then reported at once."""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from .errors import GeometryError, ValidationError
from .geometry import MAX_VERTICES, Repair, check_lonlat, normalise_lon, validate_geojson

_MISSING = object()


#: Times outside these years are typing mistakes (or attacks on date arithmetic), never a search's times.
MIN_YEAR, MAX_YEAR = 1900, 2200
#: The largest whole number accepted anywhere in input: what a JavaScript number holds exactly (2^53).
MAX_SAFE_INT = 2**53
#: The largest id accepted: what every database's id columns hold (PostgreSQL's integer, 2^31 - 1). A larger id names
#: nothing that exists, and given to the database it would fail there (a 500) instead of being refused.
MAX_ID = 2**31 - 1
#: How deep JSON may nest (GeoJSON needs 5); deeper input is refused before anything walks it recursively.
MAX_JSON_DEPTH = 32
_ASCII_INT = re.compile(r"-?[0-9]{1,19}")
_TIME_HINT = "must be an ISO 8601 time such as 2026-11-28T17:30:00+08:00"


def parse_time(value: Any) -> datetime:
    """Parse an ISO 8601 time with a timezone ('Z' or an offset of at most 24 h) into an aware UTC datetime in the
    years ``MIN_YEAR``..``MAX_YEAR``; ``ValueError`` (with the message for the client) otherwise. Only ASCII digits
    count (``fromisoformat`` would read other scripts' digits)."""
    if not isinstance(value, str) or not value or len(value) > 40 or not value.isascii():
        raise ValueError(_TIME_HINT)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(_TIME_HINT) from None
    if dt.tzinfo is None:
        raise ValueError("must include a timezone (Z or +08:00)")
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise ValueError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return dt.astimezone(timezone.utc)


def parse_int(text: Any, lo: int = 0, hi: int = MAX_SAFE_INT) -> int:
    """A whole number written in ASCII digits (optional leading '-'), between ``lo`` and ``hi``, from a query or path
    string; ``ValueError`` otherwise (``int()`` alone would take '١٢٣', ' 12 ', '1_000' or 5,000 digits)."""
    if not isinstance(text, str) or not _ASCII_INT.fullmatch(text):
        raise ValueError("must be a whole number")
    value = int(text)
    if not lo <= value <= hi:
        raise ValueError(f"must be between {lo} and {hi}")
    return value


def split_version(data: Any) -> tuple[int | None, Any]:
    """(the ``"version"`` an edit started from, or None when absent; the body without it). A version that is not a
    whole number from 1 to ``MAX_ID`` raises ``ValidationError`` naming ``version``. A non-dict body is returned as is
    (the form reading it refuses it)."""
    if not isinstance(data, dict) or "version" not in data:
        return None, data
    rest = {k: v for k, v in data.items() if k != "version"}
    value = data["version"]
    if value is None:
        return None, rest
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationError({"version": "must be the version the edit started from (a whole number)"})
    return value, rest


def check_json(value: Any) -> None:
    """Refuse JSON that no field could accept, before any code walks it: nesting deeper than ``MAX_JSON_DEPTH``, whole
    numbers beyond +-2^53, non-finite numbers, and text or keys with lone surrogates (not encodable as UTF-8).
    Raises ``ValidationError`` naming the path of the first bad value (``_body`` for the top). Iterative: a first
    walk without the paths (every body a phone sends is walked), and only when it finds something, one naming it."""
    if _acceptable(value):
        return
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        where = path or "_body"
        if depth > MAX_JSON_DEPTH:
            raise ValidationError({where: f"nests deeper than {MAX_JSON_DEPTH} levels"})
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, int):
            if abs(item) > MAX_SAFE_INT:
                raise ValidationError({where: "is too large a number"})
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValidationError({where: "must be a finite number"})
        elif isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, dict):
            for key, sub in item.items():
                _check_text(key, where)
                stack.append((sub, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(item, list):
            for i, sub in enumerate(item):
                stack.append((sub, f"{path}[{i}]" if path else f"[{i}]", depth + 1))


def _acceptable(value: Any) -> bool:
    """``check_json``'s rules, without naming what breaks them: True when nothing does."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        kind = type(item)
        if kind is str:
            if not item.isascii() and not utf8_encodable(item):
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif kind is int:
            if abs(item) > MAX_SAFE_INT:
                return False
        elif kind is dict:
            for key, sub in item.items():
                if type(key) is not str or (not key.isascii() and not utf8_encodable(key)):
                    return False
                stack.append((sub, depth + 1))
        elif kind is list:
            stack.extend((sub, depth + 1) for sub in item)
        elif not (item is None or kind is bool):
            return False   # not what json.loads makes: the naming walk decides
    return True


def utf8_encodable(text: str) -> bool:
    """False for text no UTF-8 can hold (a lone surrogate sent as a JSON escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(text: str, where: str) -> None:
    if not utf8_encodable(text):
        raise ValidationError({where: "contains an invalid character (a lone surrogate)"})


def _finite(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _plain_point(value) -> dict | None:
    """A GeoJSON Point of finite [lon, lat] (or [lon, lat, elevation]) with the latitude in [-90, 90], as
    ``validate_geojson`` returns it (the longitude brought into [-180, 180), the elevation dropped); None for anything
    else, which ``validate_geojson`` then checks and explains."""
    if not isinstance(value, dict) or value.get("type") != "Point" or len(value) != 2:
        return None
    coords = value.get("coordinates")
    if not isinstance(coords, (list, tuple)) or not 2 <= len(coords) <= 3 or not all(map(_finite, coords)):
        return None
    if abs(coords[1]) > 90:
        return None
    return {"type": "Point", "coordinates": [normalise_lon(coords[0]), float(coords[1])]}


class Cleaned(dict):
    """The checked fields of a ``Form`` (a plain dict), with ``repairs``: what was repaired in each geometry field
    (field name -> ``geometry.Repair``), for the answer to say so."""

    def __init__(self, fields: dict | None = None, repairs: dict[str, Repair] | None = None):
        super().__init__(fields or {})
        self.repairs: dict[str, Repair] = dict(repairs or {})


class Form:
    """Reads fields from ``data``; each reader records an error instead of raising, ``result()`` raises them all.

    With ``partial=True`` (an update) absent fields are skipped, even required ones; present ones are checked.
    """

    #: Times a little ahead of the server clock are accepted (phones' clocks drift).
    CLOCK_SKEW = timedelta(minutes=2)

    def __init__(self, data: Any, partial: bool = False):
        if not isinstance(data, dict):
            raise ValidationError({"_body": "expected a JSON object"})
        self.data = data
        self.partial = partial
        self.errors: dict[str, str] = {}
        self.out: dict[str, Any] = {}
        self.repairs: dict[str, Repair] = {}

    def _get(self, name: str, required: bool):
        """The field's value, or ``_MISSING`` after recording what absence or emptiness means."""
        present = name in self.data
        value = self.data.get(name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if not empty:
            return value
        if required and (present or not self.partial):
            self.errors[name] = "is required"
        elif present:
            self.out[name] = None  # an optional field sent empty clears it
        return _MISSING

    def text(self, name: str, required: bool = False, max_len: int = 200) -> None:
        value = self._get(name, required)
        if value is _MISSING:
            return
        if not isinstance(value, str):
            self.errors[name] = "must be text"
        elif len(value) > max_len:
            self.errors[name] = f"must be at most {max_len} characters"
        else:
            self.out[name] = value.strip()

    def choice(self, name: str, options: Iterable[str], required: bool = False) -> None:
        """One of ``options`` (text: a list, object or number sent instead is refused, never looked up)."""
        options = tuple(options)
        value = self._get(name, required)
        if value is _MISSING:
            return
        if not isinstance(value, str) or value not in options:
            self.errors[name] = f"must be one of: {', '.join(options)}"
        else:
            self.out[name] = value

    def choices(self, name: str, options: Iterable[str], required: bool = False) -> None:
        options = tuple(options)
        value = self._get(name, required)
        if value is _MISSING:
            return
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in options for v in value):
            self.errors[name] = f"must be a list of: {', '.join(options)}"
        else:
            self.out[name] = sorted(set(value), key=options.index)

    def integer(self, name: str, lo: int, hi: int, required: bool = False, message: str | None = None) -> None:
        value = self._get(name, required)
        if value is _MISSING:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = "must be a whole number"
        elif not lo <= value <= hi:
            self.errors[name] = message or f"must be between {lo} and {hi}"
        else:
            self.out[name] = value

    def number(self, name: str, lo: float, hi: float, required: bool = False) -> None:
        value = self._get(name, required)
        if value is _MISSING:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.errors[name] = "must be a number"
        elif not lo <= value <= hi:
            self.errors[name] = f"must be between {lo:g} and {hi:g}"
        else:
            self.out[name] = float(value)

    def identifier(self, name: str, required: bool = False) -> None:
        self.integer(name, 1, MAX_ID, required, message="must be an id")

    def time(self, name: str, now: datetime, required: bool = False, not_before: datetime | None = None,
             not_before_label: str = "") -> None:
        value = self._get(name, required)
        if value is _MISSING:
            return
        try:
            dt = parse_time(value)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return
        if dt > now + self.CLOCK_SKEW:
            self.errors[name] = "may not be in the future"
        elif not_before is not None and dt < not_before:
            self.errors[name] = f"may not be before {not_before_label or not_before.isoformat()}"
        else:
            self.out[name] = dt

    def point(self, name: str, required: bool = False) -> None:
        """A GeoJSON Point (or a Feature of one), or [lon, lat] / [lon, lat, elevation]; stored as a GeoJSON Point
        [lon, lat] with the longitude brought into [-180, 180) (see ``geometry.validate_geojson``)."""
        value = self._get(name, required)
        if value is _MISSING:
            return
        if isinstance(value, (list, tuple)):
            value = {"type": "Point", "coordinates": list(value)}
        quick = _plain_point(value)
        if quick is not None:   # what validate_geojson makes of it, without building a shape (imports of 50,000)
            self.out[name] = quick
            return
        try:
            self.out[name] = validate_geojson(value, ("Point",)).geojson
        except GeometryError as exc:
            self.errors[name] = exc.message

    def geometry(self, name: str, allowed: Iterable[str], required: bool = False,
                 max_vertices: int = MAX_VERTICES) -> None:
        """A GeoJSON geometry of one of the ``allowed`` types, checked, normalised and repaired by
        ``geometry.validate_geojson``; what was repaired is kept in ``repairs[name]`` (and in the result's)."""
        value = self._get(name, required)
        if value is _MISSING:
            return
        try:
            checked = validate_geojson(value, allowed, max_vertices)
        except GeometryError as exc:
            self.errors[name] = exc.message
            return
        self.out[name] = checked.geojson
        if checked.repair is not None:
            self.repairs[name] = checked.repair

    def longitude(self, name: str, required: bool = False) -> None:
        """A longitude in degrees, any finite number, stored in [-180, 180) (``geometry.normalise_lon``)."""
        value = self._get(name, required)
        if value is _MISSING:
            return
        try:
            self.out[name] = normalise_lon(value)
        except GeometryError:
            self.errors[name] = "must be a number"

    def boolean(self, name: str, required: bool = False) -> None:
        value = self._get(name, required)
        if value is _MISSING:
            return
        if not isinstance(value, bool):
            self.errors[name] = "must be true or false"
        else:
            self.out[name] = value

    def client_id(self, name: str = "client_id", required: bool = False) -> None:
        """A client-made id (8 to 64 letters, digits, '-' or '_') that makes a retried change apply once."""
        value = self._get(name, required)
        if value is _MISSING:
            return
        if (not isinstance(value, str) or not 8 <= len(value) <= 64
                or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value)):
            self.errors[name] = "must be 8 to 64 letters, digits, '-' or '_'"
        else:
            self.out[name] = value

    def unknown(self, allowed: Iterable[str]) -> None:
        """Flag fields that are not part of this request, so typos do not pass silently."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                self.errors[key] = "is not a known field"

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def result(self) -> Cleaned:
        """The checked fields (a dict whose ``repairs`` says what was repaired), or ``ValidationError`` with every
        field's error."""
        if self.errors:
            raise ValidationError(self.errors)
        return Cleaned(self.out, self.repairs)


def check_lonlat_pair(lon: Any, lat: Any) -> tuple[float, float]:
    """Return (lon, lat) as floats with lon brought into [-180, 180), or raise ``GeometryError`` (not numbers, or
    lat outside [-90, 90])."""
    lon = normalise_lon(lon)
    check_lonlat(lon, lat)
    return lon, float(lat)
