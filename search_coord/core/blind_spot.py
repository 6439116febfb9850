"""The blind spot, the pure part: which reviewed cameras around the last sighting are clear (did not see the subject
when they would have passed), and the ground between them and the last camera that saw them. Geometry in metres in
the search's local projection; speeds in m/s; times aware (or naive-UTC) datetimes, never read from a clock.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Sequence

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from .cameras import wedge
from .review import Interval, covered_seconds
from .segments import grid

#: The blind spot keeps the ground this far either side of the direction of travel last seen.
BLIND_SPREAD_DEG = 75.0
#: A camera counts as "did not see the subject" when its reviewed footage covers this share of the window in which
#: the subject, heading its way from the last sighting, would have passed it.
CLEAR_COVERAGE = 0.8


def passing_window(distance_m: float, seen_at: datetime, now: datetime, sustained_ms: float,
                   fastest_ms: float) -> Interval | None:
    """When the subject, seen at ``seen_at`` and heading straight for a camera ``distance_m`` away at any plausible
    pace (their fastest down to half the sustained one), would have passed it, up to ``now``; None if not yet."""
    start = seen_at + timedelta(seconds=distance_m / fastest_ms)
    end = min(now, seen_at + timedelta(seconds=distance_m / (sustained_ms / 2)))
    return (start, end) if end > start else None


def is_clear(distance_m: float, seen_at: datetime, now: datetime, sustained_ms: float, fastest_ms: float,
             reviewed: Sequence[Interval]) -> bool:
    """Whether a camera did not see the subject: its reviewed footage covers ``CLEAR_COVERAGE`` of the window in
    which they would have passed it (``passing_window``)."""
    window = passing_window(distance_m, seen_at, now, sustained_ms, fastest_ms)
    if window is None:
        return False
    return covered_seconds(window, reviewed) >= CLEAR_COVERAGE * (window[1] - window[0]).total_seconds()


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


# --- handing it over as segments ------------------------------------------------------------------------------------

#: Blind-spot ground is handed over in pieces about the size of the search's other segments (so that the
#: suggestions weigh it fairly against them), or of this many m² when there are none.
BLIND_PIECE_M2 = 250_000.0


def piece_size(segment_areas: Sequence[float]) -> float:
    """The size (m²) of the blind spot's pieces: the median of the search's other segments, or ``BLIND_PIECE_M2``."""
    sizes = sorted(segment_areas)
    return sizes[len(sizes) // 2] if sizes else BLIND_PIECE_M2


def pieces(region: BaseGeometry, piece_m2: float) -> list[BaseGeometry]:
    """The blind spot cut into square pieces of about ``piece_m2`` (whole when at most 1.5 pieces)."""
    if region.area <= 1.5 * piece_m2:
        return [region]
    return [c.polygon for c in grid(region, math.sqrt(piece_m2), "square")]


def cut_out(segment: BaseGeometry, region: BaseGeometry) -> BaseGeometry:
    """What is left of a segment with the blind spot taken out: its polygonal parts only (no stray lines or
    points); empty when nothing is left."""
    rest = segment.difference(region)
    if rest.geom_type in ("Polygon", "MultiPolygon"):
        return rest
    return shapely.union_all([g for g in getattr(rest, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")])
