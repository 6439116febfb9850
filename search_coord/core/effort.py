"""From what was actually searched to coverage per segment: GPS tracks as line pieces (gaps never count),
their length inside each segment, and polygons marked searched with a stated POD. All in metres."""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString

from .errors import ProbabilityError

#: Default effective sweep widths W (m) per search mode. No published urban W exists (docs/science.md §2): these are
#: estimates from W ≈ 1.645 × average maximum detection range (Koester et al. 2014) with R_d of about 12 m on foot
#: in streets, 18 m from a slow car (but a narrower field of view), 6 m door to door; editable per search.
DEFAULT_SWEEP_WIDTH_M = {"foot": 20.0, "vehicle": 30.0, "door_to_door": 10.0}
#: Searching speeds (m/s) used to turn an hour of a team's time into effort W × v × 3600 for suggestions.
DEFAULT_SEARCH_SPEED_MS = {"foot": 0.8, "vehicle": 4.0, "door_to_door": 0.25}
#: Two consecutive fixes further apart than this in time (s) or distance (m) are a gap, never searched ground
#: (core/tracks.py has the other rules of what a track counts).
DEFAULT_GAP_S = 120.0
DEFAULT_GAP_M = 300.0

TEAM_KIND_MODE = {"foot_patrol": "foot", "vehicle_patrol": "vehicle", "door_to_door": "door_to_door"}


def mode_for_team_kind(kind: str | None) -> str:
    """The sweep mode of a team kind (video review and others search on foot when they move)."""
    return TEAM_KIND_MODE.get(kind or "", "foot")


class SegmentIndex:
    """Segments (shapely polygons in metres, keyed by id) behind an STR-tree, for length-inside queries."""

    def __init__(self, polygons: Mapping[int, object]):
        self.ids = np.array(list(polygons.keys()))
        self.geoms = np.array(list(polygons.values()), dtype=object)
        self.areas = shapely.area(self.geoms) if len(self.geoms) else np.array([])
        self.tree = STRtree(self.geoms)
        shapely.prepare(self.geoms)

    def lengths_inside(self, lines: Iterable[LineString]) -> dict[int, float]:
        """Total length (m) of ``lines`` inside each segment they touch."""
        lines = [ln for ln in lines if not ln.is_empty]
        if not lines or not len(self.geoms):
            return {}
        arr = np.array(lines, dtype=object)
        li, si = self.tree.query(arr, predicate="intersects")
        if not len(li):
            return {}
        lengths = shapely.length(shapely.intersection(arr[li], self.geoms[si]))
        out: dict[int, float] = {}
        for seg, length in zip(self.ids[si].tolist(), lengths.tolist()):
            if length > 0:
                out[seg] = out.get(seg, 0.0) + length
        return out

    def overlap_shares(self, polygon) -> dict[int, float]:
        """Share (0..1) of each segment's area that ``polygon`` covers."""
        idx = self.tree.query(polygon, predicate="intersects")
        if not len(idx):
            return {}
        inter = shapely.area(shapely.intersection(self.geoms[idx], polygon))
        return {int(self.ids[i]): float(a / self.areas[i]) for i, a in zip(idx.tolist(), inter.tolist())
                if a > 0 and self.areas[i] > 0}


def coverage_from_lengths(lengths: Mapping[int, float], areas: Mapping[int, float], sweep_width_m: float
                          ) -> dict[int, float]:
    """Coverage W·L/A added to each segment by track lengths inside it."""
    if not sweep_width_m >= 0:
        raise ProbabilityError("sweep width must be >= 0")
    return {k: sweep_width_m * length / areas[k] for k, length in lengths.items() if areas.get(k)}


def coverage_from_stated_pod(pod: float, share: float) -> float:
    """Coverage equivalent to a stated POD over ``share`` of a segment: −ln(1 − POD) × share.

    A POD of 1 is capped at 0.99 (nobody can be certain).
    """
    if isinstance(pod, bool) or not isinstance(pod, (int, float)) or not 0 <= pod <= 1:
        raise ProbabilityError("POD must be between 0 and 1")
    return -math.log1p(-min(pod, 0.99)) * max(0.0, min(1.0, share))


def swept_area(pieces_with_width: Iterable[tuple[LineString, float]], simplify_m: float = 2.0):
    """The ground swept at least once: each track piece buffered by half its sweep width, then united (metres).

    For display only: it caps at the area and ignores repeated passes, so it is never used as coverage
    (docs/science.md §2). Tracks are simplified by ``simplify_m`` first, which costs well under 1 % of the area.
    """
    buffers = [piece.simplify(simplify_m).buffer(width / 2.0, quad_segs=4) for piece, width in pieces_with_width]
    if not buffers:
        return shapely.Polygon()
    return shapely.union_all(buffers)


def simplify_indices(xy: Sequence[tuple[float, float]], runs: Sequence[int], tolerance_m: float = 2.0) -> list[int]:
    """Indices of the fixes to keep for display (Douglas-Peucker within each run, ``tolerance_m`` in metres): the
    first and last fix of every run are always kept, so gaps stay gaps."""
    keep: set[int] = set()
    start = 0
    for i in range(1, len(xy) + 1):
        if i == len(xy) or runs[i] != runs[start]:
            keep |= _douglas_peucker(xy, start, i - 1, tolerance_m)
            start = i
    return sorted(keep)


def _douglas_peucker(xy, first: int, last: int, tol: float) -> set[int]:
    keep = {first, last}
    stack = [(first, last)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = xy[a], xy[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, worst_d = None, tol
        for i in range(a + 1, b):
            px, py = xy[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm > 0 else math.hypot(px - ax, py - ay)
            if d > worst_d:
                worst, worst_d = i, d
        if worst is not None:
            keep.add(worst)
            stack += [(a, worst), (worst, b)]
    return keep
