"""Field-by-field checking of input dicts: every error is collected, then reported at once."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from .errors import GeometryError, ValidationError
from .geometry import MAX_VERTICES, Repair, check_lonlat, normalise_lon, validate_geojson

_MISSING = object()


def parse_time(value: Any) -> datetime:
    """Parse an ISO 8601 time with a timezone ('Z' or an offset) into an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise ValueError("must be an ISO 8601 time such as 2026-11-28T17:30:00+08:00")
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError("must be an ISO 8601 time such as 2026-11-28T17:30:00+08:00") from None
    if dt.tzinfo is None:
        raise ValueError("must include a timezone (Z or +08:00)")
    return dt.astimezone(timezone.utc)


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
        options = tuple(options)
        value = self._get(name, required)
        if value is _MISSING:
            return
        if value not in options:
            self.errors[name] = f"must be one of: {', '.join(options)}"
        else:
            self.out[name] = value

    def choices(self, name: str, options: Iterable[str], required: bool = False) -> None:
        options = tuple(options)
        value = self._get(name, required)
        if value is _MISSING:
            return
        if not isinstance(value, list) or any(v not in options for v in value):
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
        self.integer(name, 1, 2**53, required, message="must be an id")

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
