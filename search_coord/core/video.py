"""Video review, the pure part: recorder clocks, view cones, review windows, footage retention, what each camera
sees of the probability map, reviewed intervals and their overlaps, the sightings trail, and the blind spot.
Geometry in metres in the search's local projection; times are aware or naive-UTC datetimes, never read from a clock.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from .errors import ValidationError
from .fields import _MISSING, Form, parse_time

CAMERA_KINDS = ("public_security", "traffic", "shop", "residential", "bus", "other")
CONFIDENCES = ("certain", "probable", "possible")
FOOTAGE_STATES = ("not_requested", "requested", "received", "unavailable")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

#: How far a camera sees when its range is not known (m): a typical street camera identifies a walker to ~30 m.
DEFAULT_RANGE_M = 30.0
#: Faster than this over a leg between two sightings, no walker (brisk walking tops out near 2.2 m/s).
WALKER_LIMIT_MS = 2.5
#: Footage whose overwrite time is this close is flagged as expiring.
EXPIRING_WITHIN = timedelta(hours=24)
#: Footage from this long before the subject went missing may be reviewed (what they wore, which way they left).
REVIEW_LEAD = timedelta(hours=1)
#: POD of a reviewed window at a camera watching the only way out of an area, unless the reviewer states one.
DEFAULT_EXIT_POD = 0.8
#: The blind spot keeps the ground this far either side of the direction of travel last seen.
BLIND_SPREAD_DEG = 75.0
#: How strongly a known direction of travel tilts the ring model (the cardioid 1 + κ·cos Δθ): ahead 1.6×, behind 0.4×.
HEADING_KAPPA = 0.6
#: Recorder clock offsets beyond this are accepted with a warning (seconds).
CLOCK_WARN_S = 86400.0
#: No recorder clock is further off than this (seconds, about 100 years): its epoch, 1970, is 56 years back.
CLOCK_MAX_S = 100 * 365.25 * 86400


# --- clocks ------------------------------------------------------------------------------------------------------

def true_time(recorder: datetime, offset_s: float) -> datetime:
    """The true time of a moment read off a recorder whose clock runs ``offset_s`` seconds fast."""
    return recorder - timedelta(seconds=offset_s)


def recorder_time(true: datetime, offset_s: float) -> datetime:
    """What the recorder's clock shows at a true moment."""
    return true + timedelta(seconds=offset_s)


def clock_warning(offset_s: float | None) -> str | None:
    """A warning for a recorder clock more than ``CLOCK_WARN_S`` (a day) off, in days or years either way (a recorder
    reset to its factory date, or set to the wrong year); None for a smaller or unknown offset. Such offsets are
    accepted: every time read off that recorder is corrected by them."""
    if offset_s is None or abs(offset_s) <= CLOCK_WARN_S:
        return None
    days = abs(offset_s) / 86400.0
    size = f"{days / 365.25:.1f} years" if days >= 365 else f"{days:.1f} days"
    way = "ahead of" if offset_s > 0 else "behind"
    return (f"the recorder's clock is {size} {way} the true time (reset to a factory date or the wrong year?); "
            "times read off it are corrected by this offset, so check it was measured right")


# --- directions --------------------------------------------------------------------------------------------------

def parse_direction(value) -> float | None:
    """A direction of travel as a compass bearing in degrees (0 = north, clockwise): from N/NE/.../NW or a number."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().upper() in COMPASS:
        return COMPASS.index(value.strip().upper()) * 45.0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
            and 0 <= value <= 360:
        return float(value) % 360.0
    raise ValidationError({"direction": "must be one of N, NE, E, SE, S, SW, W, NW or a bearing 0-360"})


def compass_label(bearing: float | None) -> str | None:
    if bearing is None:
        return None
    return COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]


def _unit(bearing: float) -> tuple[float, float]:
    rad = math.radians(bearing)
    return math.sin(rad), math.cos(rad)


def wedge(x: float, y: float, bearing: float, width_deg: float, radius: float, steps: int | None = None) -> Polygon:
    """A sector centred on (x, y) around a compass bearing, ``width_deg`` wide, out to ``radius`` (its arc drawn
    with a vertex every 5° or so)."""
    steps = steps or max(4, math.ceil(width_deg / 5))
    half = width_deg / 2.0
    pts = [(x, y)]
    for i in range(steps + 1):
        dx, dy = _unit(bearing - half + width_deg * i / steps)
        pts.append((x + radius * dx, y + radius * dy))
    return Polygon(pts)


def cone(x: float, y: float, direction_deg: float | None, fov_deg: float | None, range_m: float | None) -> Polygon:
    """What a camera sees: a sector of its range around its view direction; a disc when the direction is unknown
    or the field of view is 360°."""
    r = float(range_m or DEFAULT_RANGE_M)
    if direction_deg is None or not fov_deg or fov_deg >= 360:
        return Point(x, y).buffer(r, quad_segs=16)
    return wedge(x, y, direction_deg, fov_deg, r)


# --- review windows and retention --------------------------------------------------------------------------------

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


def retention(window_start: datetime, retention_days: float | None, now: datetime) -> tuple[datetime | None, str]:
    """When the footage at the window's start is overwritten, and whether it is ok, expiring (within a day),
    expired, or unknown (retention not recorded)."""
    if retention_days is None:
        return None, "unknown"
    expires = window_start + timedelta(days=retention_days)
    if expires <= now:
        return expires, "expired"
    return expires, "expiring" if expires - now <= EXPIRING_WITHIN else "ok"


def probability_seen(view: BaseGeometry, pieces: Sequence[tuple[BaseGeometry, float]]) -> float:
    """The probability mass of the ground a camera sees: each piece (segment or ring) holds ``mass`` spread uniformly
    over its area; the view takes its share of every piece it overlaps."""
    return float(probabilities_seen([view], pieces)[0])


def probabilities_seen(views: Sequence[BaseGeometry], pieces: Sequence[tuple[BaseGeometry, float]]) -> np.ndarray:
    """``probability_seen`` for many views at once (vectorised over the views, one pass per piece)."""
    arr = np.array(views, dtype=object)
    out = np.zeros(len(arr))
    if not len(arr):
        return out
    for geom, mass in pieces:
        if mass <= 0 or geom.area <= 0:
            continue
        hit = shapely.intersects(arr, geom)
        if hit.any():
            out[hit] += mass * shapely.area(shapely.intersection(arr[hit], geom)) / geom.area
    return out


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


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Union of intervals, sorted, touching ones joined."""
    out: list[list[datetime]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def covered_seconds(window: tuple[datetime, datetime], intervals: Iterable[tuple[datetime, datetime]]) -> float:
    """How much of ``window`` the intervals cover (each moment once)."""
    ws, we = window
    total = 0.0
    for s, e in merge(intervals):
        s, e = max(s, ws), min(e, we)
        if e > s:
            total += (e - s).total_seconds()
    return total


def overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> tuple[datetime, datetime] | None:
    s, e = max(a[0], b[0]), min(a[1], b[1])
    return (s, e) if e > s else None


# --- the trail ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leg:
    from_id: int
    to_id: int
    distance_m: float
    seconds: float
    speed_ms: float | None
    flag: str | None  # None, "fast" (beyond the category's fastest plausible pace) or "implausible" (no walker)


def legs(points: Sequence[tuple[int, datetime, float]], distances: Sequence[float], fastest_ms: float) -> list[Leg]:
    """The legs between consecutive sightings (``points`` in time order as (id, time, _), ``distances`` between
    them in metres) with their implied speed; two sightings at the same moment in different places are implausible."""
    out = []
    for (a, ta, _), (b, tb, _), d in zip(points, points[1:], distances):
        dt = (tb - ta).total_seconds()
        speed = d / dt if dt > 0 else (0.0 if d < 1 else math.inf)
        flag = "implausible" if speed > WALKER_LIMIT_MS else "fast" if speed > fastest_ms else None
        out.append(Leg(a, b, d, dt, None if math.isinf(speed) else speed, flag))
    return out


# --- the blind spot ----------------------------------------------------------------------------------------------

def blind_spot(last: tuple[float, float], heading: float | None, clear: Sequence[tuple[float, float]],
               clear_views: Sequence[BaseGeometry], radius: float) -> BaseGeometry:
    """The ground the subject most likely entered after the last camera that saw them at ``last``: within
    ``radius``, nearer to that camera than to any reviewed camera that did not see them (beyond one of those they
    would have been seen), within 75° either side of the direction of travel when it is known (a walker seen
    heading east may drift, rarely turns straight back), and outside what the clear cameras watch."""
    lx, ly = last
    region = Point(lx, ly).buffer(radius, quad_segs=32)
    big = radius * 4 + 1.0
    for cx, cy in clear:
        dx, dy = cx - lx, cy - ly
        d = math.hypot(dx, dy)
        if d < 1e-6:
            continue
        # The half-plane of points nearer to the last camera: behind the perpendicular bisector.
        ux, uy = dx / d, dy / d
        mx, my = lx + dx / 2, ly + dy / 2
        px, py = -uy, ux
        half = Polygon([(mx + px * big, my + py * big), (mx - px * big, my - py * big),
                        (mx - px * big - ux * big, my - py * big - uy * big),
                        (mx + px * big - ux * big, my + py * big - uy * big)])
        region = region.intersection(half)
    if heading is not None:
        region = region.intersection(wedge(lx, ly, heading, 2 * BLIND_SPREAD_DEG, radius * 1.01))
    if clear_views:
        region = region.difference(shapely.union_all(list(clear_views)))
    return region


# --- forms -------------------------------------------------------------------------------------------------------

CAMERA_FIELDS = ("code", "name", "location", "kind", "owner", "contact", "direction_deg", "fov_deg", "range_m",
                 "retention_days", "clock_offset_s", "offset_measured_at", "covers_exit", "notes", "active")


def clean_camera(data, now: datetime, partial: bool = False) -> dict:
    """A camera of the registry; ``location`` is a GeoJSON Point or [lon, lat]."""
    form = Form(data, partial)
    form.unknown(CAMERA_FIELDS)
    form.text("code", required=True, max_len=20)
    form.text("name", required=True, max_len=120)
    form.point("location", required=True)
    form.choice("kind", CAMERA_KINDS, required=True)
    form.text("owner", max_len=120)
    form.text("contact", max_len=120)
    form.number("direction_deg", 0, 360)
    form.number("fov_deg", 1, 360)
    form.number("range_m", 1, 500)
    form.number("retention_days", 0, 3650)
    form.number("clock_offset_s", -CLOCK_MAX_S, CLOCK_MAX_S)
    form.time("offset_measured_at", now)
    form.boolean("covers_exit")
    form.text("notes", max_len=4000)
    form.boolean("active")
    out = form.result()
    if "code" in out and (not out["code"] or any(ch.isspace() or ch in ",;\"'" for ch in out["code"])):
        raise ValidationError({"code": "must be a short code without spaces, commas or quotes, e.g. C7"})
    return out


def clean_task(data, now: datetime, not_before: datetime, partial: bool = False) -> dict:
    form = Form(data, partial)
    form.unknown(("camera_id", "start", "end", "team_id", "reviewer_id", "notes", "footage", "status"))
    if not partial:
        form.identifier("camera_id", required=True)
    elif "camera_id" in data:
        form.error("camera_id", "cannot be changed; cancel the task and create another")
    form.time("start", now + timedelta(days=1), required=True, not_before=not_before,
              not_before_label="the time the subject went missing")
    form.time("end", now + timedelta(days=1), required=True)
    form.identifier("team_id")
    form.identifier("reviewer_id")
    form.text("notes", max_len=4000)
    form.choice("footage", FOOTAGE_STATES)
    form.choice("status", TASK_STATUSES)
    out = form.result()
    if out.get("start") and out.get("end"):
        check_interval(out["start"], out["end"])
    return out


def _clock_time(form: Form, name: str, offset_s: float, clock: str):
    """A time read off the recorder (or already true): the true time, or None after recording an error."""
    raw = form._get(name, True)
    if raw is _MISSING:
        return None
    try:
        dt = parse_time(raw)
    except ValueError as exc:
        form.error(name, str(exc))
        return None
    return true_time(dt, offset_s) if clock == "recorder" else dt


def clean_interval(data, now: datetime, missing_since: datetime, offset_s: float) -> dict:
    """A reviewed stretch of footage; start and end are recorder times unless ``clock`` is ``true``."""
    form = Form(data)
    form.unknown(("camera_id", "task_id", "start", "end", "clock", "notes", "pod", "confirm_overlap", "client_id"))
    form.identifier("camera_id", required=True)
    form.identifier("task_id")
    form.choice("clock", ("recorder", "true"))
    clock = form.out.get("clock") or "recorder"
    start = _clock_time(form, "start", offset_s, clock)
    end = _clock_time(form, "end", offset_s, clock)
    form.text("notes", max_len=4000)
    form.number("pod", 0.01, 0.99)
    form.boolean("confirm_overlap")
    form.client_id()
    if start and end:
        if end <= start:
            form.error("end", "must be after the start")
        if end > now + Form.CLOCK_SKEW:
            form.error("end", "may not be in the future (check the recorder's clock offset)")
        if end <= missing_since:
            form.error("end", "is before the subject went missing")
        elif start < missing_since - REVIEW_LEAD:
            form.error("start", "is more than an hour before the subject went missing")
    out = form.result()
    out["start"], out["end"], out["clock"] = start, end, clock
    return out


def clean_sighting(data, now: datetime, missing_since: datetime, offset_s: float) -> dict:
    """A sighting on a camera; ``time`` is read off the recorder unless ``clock`` is ``true``."""
    form = Form(data)
    form.unknown(("camera_id", "time", "clock", "direction", "confidence", "photo_id", "notes", "client_id"))
    form.identifier("camera_id", required=True)
    form.choice("clock", ("recorder", "true"))
    clock = form.out.get("clock") or "recorder"
    t = _clock_time(form, "time", offset_s, clock)
    try:
        form.out["direction_deg"] = parse_direction(data.get("direction"))
    except ValidationError as exc:
        form.errors.update(exc.errors)
    form.choice("confidence", CONFIDENCES, required=True)
    form.identifier("photo_id")
    form.text("notes", max_len=4000)
    form.client_id()
    if t is not None:
        if t > now + Form.CLOCK_SKEW:
            form.error("time", "may not be in the future (check the recorder's clock offset)")
        elif t < missing_since:
            form.error("time", "is before the subject went missing")
    out = form.result()
    out["time"], out["clock"] = t, clock
    out["recorder_time"] = recorder_time(t, offset_s)
    return out
