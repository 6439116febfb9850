"""When the person went missing and where they were known to be: pure rules over the search's chain of known points.

The chain starts at the first last known point (what the caller reported when the search was opened) and goes on
through each confirmed sighting after it; a search stores the current last known point (``lkp``, ``lkp_time``) and,
once a sighting has moved it, the points before it (``lkp_history``, oldest first, each ``{"lkp", "lkp_time", ...}``
with ``lkp_time`` an ISO 8601 string).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Sequence

from .fields import parse_time
from .geometry import distance_m as geodesic_m


def as_utc(dt: datetime) -> datetime:
    """An aware UTC datetime from a stored naive-UTC or an aware one (never the machine's local zone)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def missing_since(lkp_time: datetime, history: Sequence[Mapping] | None) -> datetime:
    """When the person went missing: the first last-known time of the chain, as an aware UTC datetime.

    A confirmed sighting moves the last known point and its time on, never this: a fix, clue or sighting after it
    is valid evidence even when it is older than the current last known time (a phone that was offline sends what
    it queued). ``lkp_time`` is the current last known time (naive UTC or aware); ``history`` the points it replaced.
    """
    if history:
        return parse_time(history[0]["lkp_time"])
    return as_utc(lkp_time)


# --- the chain -----------------------------------------------------------------------------------------------------

#: Faster than this over a leg between two known points, no walker (brisk walking tops out near 2.2 m/s).
WALKER_LIMIT_MS = 2.5


@dataclass(frozen=True)
class KnownPoint:
    """Where the subject was known to be (lon, lat, degrees) at ``t`` (aware UTC): the first last known point
    (``source`` "origin", no ``sighting_id``) or a confirmed sighting on a camera (``source`` "sighting")."""
    lon: float
    lat: float
    t: datetime
    source: str = "origin"
    sighting_id: int | None = None
    camera_id: int | None = None
    address: str | None = None
    heading_deg: float | None = None


@dataclass(frozen=True)
class Leg:
    """The way between two known points: ``from_id`` / ``to_id`` their sighting ids (None for the origin), how far
    (m), how long (s), the implied speed (m/s; None for two places at the same moment) and a flag: None, "fast"
    (beyond the category's fastest plausible pace) or "implausible" (no walker)."""
    from_id: int | None
    to_id: int | None
    distance_m: float
    seconds: float
    speed_ms: float | None
    flag: str | None


@dataclass(frozen=True)
class Chain:
    """The chain of known points: the origin, then every confirmed sighting after it in time order."""
    points: tuple[KnownPoint, ...]
    legs: tuple[Leg, ...]

    @property
    def origin(self) -> KnownPoint:
        return self.points[0]

    @property
    def lkp(self) -> KnownPoint:
        """The last known point: the last of the chain."""
        return self.points[-1]

    @property
    def history(self) -> tuple[KnownPoint, ...]:
        """The points the last known point replaced, oldest first."""
        return self.points[:-1]


def leg(a: KnownPoint, b: KnownPoint, fastest_ms: float, distance: float | None = None) -> Leg:
    """The leg from ``a`` to ``b`` with its implied speed; two points at the same moment in different places (1 m or
    more apart) are implausible. ``distance`` (m) when already known, else geodesic."""
    d = geodesic_m(a.lon, a.lat, b.lon, b.lat) if distance is None else distance
    dt = (b.t - a.t).total_seconds()
    speed = d / dt if dt > 0 else (0.0 if d < 1 else math.inf)
    flag = "implausible" if speed > WALKER_LIMIT_MS else "fast" if speed > fastest_ms else None
    return Leg(a.sighting_id, b.sighting_id, d, dt, None if math.isinf(speed) else speed, flag)


def legs(points: Sequence[KnownPoint], fastest_ms: float) -> tuple[Leg, ...]:
    """The legs between consecutive points (in time order)."""
    return tuple(leg(a, b, fastest_ms) for a, b in zip(points, points[1:]))


def by_time(points: Iterable[KnownPoint]) -> list[KnownPoint]:
    """Points in time order; at the same moment, by sighting id."""
    return sorted(points, key=lambda p: (p.t, p.sighting_id or 0))


def chain(origin: KnownPoint, confirmed: Iterable[KnownPoint], fastest_ms: float) -> Chain:
    """The chain from the origin through the confirmed sightings strictly after it (earlier ones do not move the
    last known point), with the legs between them."""
    points = (origin, *[p for p in by_time(confirmed) if p.t > origin.t])
    return Chain(points, legs(points, fastest_ms))


def stored_points(lkp: Mapping, lkp_time: datetime, history: Sequence[Mapping] | None, address: str | None = None,
                  heading_deg: float | None = None) -> tuple[KnownPoint, ...]:
    """The chain as a search stores it: each point of ``history`` (oldest first), then the current last known point
    (``lkp`` a GeoJSON Point, ``lkp_time`` naive UTC or aware, its ``address`` and ``heading_deg``). A point that
    replaced another carries the sighting id of its ``replaced_by`` tag ("sighting 12")."""
    entries = [(h["lkp"], parse_time(h["lkp_time"]), h.get("address"), h.get("heading_deg"))
               for h in (history or [])]
    entries.append((lkp, as_utc(lkp_time), address, heading_deg))
    tags = [None] + [h.get("replaced_by") for h in (history or [])]
    out = []
    for (point, t, address, heading), tag in zip(entries, tags):
        sid = _sighting_id(tag)
        out.append(KnownPoint(point["coordinates"][0], point["coordinates"][1], t,
                              "sighting" if sid is not None else "origin", sid, None, address, heading))
    return tuple(out)


def _sighting_id(tag) -> int | None:
    if isinstance(tag, str) and tag.startswith("sighting "):
        try:
            return int(tag.split(" ", 1)[1])
        except ValueError:
            return None
    return None


def history_entries(points: Sequence[KnownPoint], replaced_at: Mapping[str, str], now_iso: str) -> list[dict]:
    """The stored ``lkp_history`` of a chain: every point but the last, each with what replaced it
    (``replaced_by`` "sighting N") and when (kept from ``replaced_at`` by tag, else ``now_iso``). Points are
    written as the search stores them (``lkp`` GeoJSON, ``lkp_time`` ISO 8601 'Z' to the millisecond)."""
    out = []
    for a, b in zip(points, points[1:]):
        tag = f"sighting {b.sighting_id}"
        out.append({"lkp": {"type": "Point", "coordinates": [a.lon, a.lat]}, "lkp_time": iso_z(a.t),
                    "address": a.address, "heading_deg": a.heading_deg, "replaced_by": tag,
                    "replaced_at": replaced_at.get(tag) or now_iso})
    return out


def iso_z(dt: datetime) -> str:
    """An aware or naive-UTC datetime as ISO 8601 UTC with 'Z', to the millisecond (as the API writes times)."""
    return as_utc(dt).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def implied_legs(point: KnownPoint, origin: KnownPoint, confirmed: Sequence[KnownPoint],
                 fastest_ms: float) -> tuple[Leg | None, Leg | None]:
    """The legs a pending sighting at ``point`` would add to the trail: in, from the latest confirmed sighting at or
    before it (or from the origin; None when it is before the origin), and out, to the next confirmed one after it
    (None when there is none): confirming one in between can break that leg. (None, None) for a point before the
    origin with no confirmed sighting before it."""
    before = [p for p in confirmed if p.t <= point.t]
    if before:
        leg_in = leg(max(before, key=lambda p: (p.t, p.sighting_id or 0)), point, fastest_ms)
    elif point.t < origin.t:
        return None, None
    else:
        leg_in = leg(origin, point, fastest_ms)
    after = [p for p in confirmed if p.t > point.t]
    leg_out = leg(point, min(after, key=lambda p: (p.t, p.sighting_id or 0)), fastest_ms) if after else None
    return leg_in, leg_out


def trail_legs(origin: KnownPoint, confirmed: Sequence[KnownPoint],
               fastest_ms: float) -> tuple[Leg | None, tuple[Leg, ...]]:
    """The trail of the confirmed sightings (in time order): the leg from the origin to the first of them (None
    when there is none, or it is before the origin) and the legs between them."""
    first = leg(origin, confirmed[0], fastest_ms) if confirmed and confirmed[0].t >= origin.t else None
    return first, legs(confirmed, fastest_ms)
