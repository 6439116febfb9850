"""Which footage to review, the pure part: review windows from the chain of known points, footage retention,
ranking, reviewed intervals and their overlaps, and the cameras on the route between two known points.
Times are aware (or naive-UTC) datetimes, never read from a clock; distances geodesic, in metres.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from .cameras import AT_POINT_M, CameraSite
from .errors import ValidationError
from .geometry import distance_m
from .known_points import KnownPoint
from .rings import MIN_REACH_M, OUTER_FACTOR

#: Footage whose overwrite time is this close is flagged as expiring.
EXPIRING_WITHIN = timedelta(hours=24)
#: Footage from this long before the subject went missing may be reviewed (what they wore, which way they left).
REVIEW_LEAD = timedelta(hours=1)
#: At most this many proposals of each kind.
MAX_PROPOSALS = 50

Interval = tuple[datetime, datetime]


def region_radius(ring95_m: float, elapsed_s: float, fastest_ms: float) -> float:
    """How far (m) from any known point of the subject a camera can matter: the 95 % ring's outer edge, or the reach
    at the fastest plausible pace over ``elapsed_s`` since they went missing, whichever is larger."""
    return max(ring95_m * OUTER_FACTOR, max(0.0, elapsed_s) * fastest_ms, MIN_REACH_M)


def near(points: Sequence[KnownPoint], radius_m: float) -> tuple[float, float, float, float]:
    """A (min lon, min lat, max lon, max lat) box holding every place within ``radius_m`` of the points (a first
    cut before the exact distances)."""
    lats, lons = [p.lat for p in points], [p.lon for p in points]
    dlat = radius_m / 111_000.0
    dlon = radius_m / (111_000.0 * max(0.05, math.cos(math.radians(max(map(abs, lats))))))
    return min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat


def nearest_m(points: Sequence[KnownPoint], lon: float, lat: float) -> float:
    """The distance (m) from (lon, lat) to the nearest of the points."""
    return min(distance_m(p.lon, p.lat, lon, lat) for p in points)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


def review_window(distance_m: float, since: datetime, fastest_ms: float, latest: datetime) -> Window | None:
    """The footage worth reviewing at a camera ``distance_m`` from where the subject was at ``since``: from the
    earliest they could have got there at their fastest plausible speed, to ``latest`` (now, or a later sighting).
    None when they cannot have got there by then."""
    if fastest_ms <= 0:
        raise ValueError("speed must be positive")
    earliest = since + timedelta(seconds=max(0.0, distance_m) / fastest_ms)
    if earliest >= latest:
        return None
    return Window(earliest, latest)


def window_for(points: Sequence[KnownPoint], cam: CameraSite, fastest_ms: float,
               now: datetime) -> tuple[Window, float] | None:
    """The window worth reviewing at a camera and its distance (m) from the known point it is measured from: the
    latest known point the subject can have reached it from, from the earliest arrival at their fastest pace to the
    next known point's time (or now). None when they cannot have reached it."""
    for i in range(len(points) - 1, -1, -1):
        p = points[i]
        latest = points[i + 1].t if i + 1 < len(points) else now
        d = distance_m(p.lon, p.lat, cam.lon, cam.lat)
        w = review_window(d, p.t, fastest_ms, latest)
        if w is not None:
            return w, d
    return None


def retention(window_start: datetime, retention_days: float | None, now: datetime) -> tuple[datetime | None, str]:
    """When the footage at the window's start is overwritten, and whether it is ok, expiring (within a day),
    expired, or unknown (retention not recorded)."""
    if retention_days is None:
        return None, "unknown"
    expires = window_start + timedelta(days=retention_days)
    if expires <= now:
        return expires, "expired"
    return expires, "expiring" if expires - now <= EXPIRING_WITHIN else "ok"


@dataclass(frozen=True)
class Candidate:
    camera_id: int
    distance_m: float
    probability: float


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Most probable ground first; equal probability (to 1e-9), the nearer camera first."""
    return sorted(candidates, key=lambda c: (-round(c.probability, 9), c.distance_m, c.camera_id))


# --- reviewed intervals ------------------------------------------------------------------------------------------

def check_interval(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end": "must be after the start"})


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted, touching ones joined."""
    out: list[list[datetime]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def covered_seconds(window: Interval, intervals: Iterable[Interval]) -> float:
    """How much of ``window`` the intervals cover (each moment once)."""
    ws, we = window
    total = 0.0
    for s, e in merge(intervals):
        s, e = max(s, ws), min(e, we)
        if e > s:
            total += (e - s).total_seconds()
    return total


def overlap(a: Interval, b: Interval) -> Interval | None:
    s, e = max(a[0], b[0]), min(a[1], b[1])
    return (s, e) if e > s else None


def clipped(window: Interval, intervals: Iterable[Interval]) -> list[Interval]:
    """The parts of ``intervals`` inside ``window``, merged."""
    return merge(hit for hit in (overlap(window, iv) for iv in intervals) if hit)


# --- the route between known points ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RouteHit:
    """A camera the subject can have passed on leg ``leg`` (from point ``leg`` to point ``leg + 1`` of the chain),
    in ``window``; ``detour_m`` how much longer the way by it is than the straight one, ``distance_m`` from the
    leg's start, ``reviewed`` whether footage over the whole window is already reviewed."""
    camera: CameraSite
    window: Window
    leg: int
    detour_m: float
    distance_m: float
    reviewed: bool


def camera_at(point: KnownPoint, cams: Sequence[CameraSite]) -> CameraSite | None:
    """The (first) camera standing at a known point (within ``AT_POINT_M``), or None."""
    return next((c for c in cams if distance_m(point.lon, point.lat, c.lon, c.lat) < AT_POINT_M), None)


def route(points: Sequence[KnownPoint], cams: Sequence[CameraSite], fastest_ms: float,
          reviewed: Mapping[int, Sequence[Interval]], limit: int = MAX_PROPOSALS) -> list[RouteHit]:
    """Cameras on the way between consecutive known points: those the subject can have passed in between at their
    fastest plausible pace (cameras at a known point excepted: their footage is the sighting itself). The
    straightest detours first; footage already reviewed over the whole window goes last."""
    at_point = {c.id for c in cams for p in points if distance_m(p.lon, p.lat, c.lon, c.lat) < AT_POINT_M}
    found = []
    for i, (a, b) in enumerate(zip(points, points[1:])):
        direct = distance_m(a.lon, a.lat, b.lon, b.lat)
        for cam in cams:
            if cam.id in at_point:
                continue
            da, db = distance_m(a.lon, a.lat, cam.lon, cam.lat), distance_m(cam.lon, cam.lat, b.lon, b.lat)
            start = a.t + timedelta(seconds=da / fastest_ms)
            end = b.t - timedelta(seconds=db / fastest_ms)
            if end <= start:
                continue  # they cannot have passed it and still been at the next point in time
            w = Window(start, end)
            done = covered_seconds((start, end), reviewed.get(cam.id, ())) >= w.seconds - 1
            found.append(RouteHit(cam, w, i, da + db - direct, da, done))
    found.sort(key=lambda h: (h.reviewed, h.detour_m, h.distance_m, h.camera.id))
    return found[:limit]
