"""Where to look: the ring model of probability around the last known point, clipped by reach, integrated over
segments; and which segment each team should search next. Geometry in metres with the LKP at (0, 0)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import Point

from .errors import ProbabilityError

#: Share of subjects found in each annulus: [0, r25], [r25, r50], [r50, r75], [r75, r95], and [r95, 1.5·r95]
#: for the last 5 % (the IGT4SAR "rest of world" ring convention, docs/science.md §1.1).
RING_MASS = (0.25, 0.25, 0.25, 0.20, 0.05)
OUTER_FACTOR = 1.5
#: Nobody knows the last known point better than this: reach is never taken as less (m).
MIN_REACH_M = 100.0
_QUAD_SEGS = 64


def _radii(rings: Sequence[float]) -> list[float]:
    if len(rings) != 4 or any(not isinstance(r, (int, float)) or r <= 0 for r in rings) \
            or any(a >= b for a, b in zip(rings, rings[1:])):
        raise ProbabilityError("rings must be four increasing radii in metres")
    return [0.0, *map(float, rings), float(rings[3]) * OUTER_FACTOR]


def effective_reach(reach_m: float | None) -> float:
    return math.inf if reach_m is None else max(MIN_REACH_M, float(reach_m))


def annuli(rings: Sequence[float], reach_m: float | None = None, heading_deg: float | None = None,
           kappa: float = 0.0) -> list[tuple[object, float]]:
    """The five annuli (shapely polygons, clipped to the reach disc) with the probability each holds (sums to 1).

    Inside an annulus the density is uniform; clipping by reach removes the mass that lies beyond it and the rest is
    renormalised (the subject cannot be further than they could walk). With a direction of travel (a compass
    ``heading_deg``) each annulus is cut into 16 sectors whose density is tilted by the cardioid 1 + κ·cos Δθ
    (its mean over the circle is 1, so each annulus keeps its share before clipping).
    """
    r = _radii(rings)
    reach = effective_reach(reach_m)
    disc = Point(0, 0).buffer(reach, quad_segs=_QUAD_SEGS) if math.isfinite(reach) else None
    tilted = heading_deg is not None and kappa > 0
    if tilted and not 0 < kappa < 1:
        raise ProbabilityError("kappa must be between 0 and 1")
    out = []
    for k, mass in enumerate(RING_MASS):
        outer = Point(0, 0).buffer(r[k + 1], quad_segs=_QUAD_SEGS)
        ring = outer if r[k] == 0 else outer.difference(Point(0, 0).buffer(r[k], quad_segs=_QUAD_SEGS))
        full = ring.area
        pieces = [(ring, 1.0)]
        if tilted:
            pieces = [(ring.intersection(_sector(i, r[k + 1] * 1.01)),
                       1.0 + kappa * math.cos(math.radians((i + 0.5) * _SECTOR_DEG - heading_deg)))
                      for i in range(_SECTORS)]
        for piece, weight in pieces:
            if disc is not None and reach < r[k + 1]:
                piece = piece.intersection(disc)
            if piece.is_empty or piece.area <= 0:
                continue
            out.append((piece, mass * weight * piece.area / full))
    total = math.fsum(m for _, m in out)
    return [(ring, m / total) for ring, m in out]


_SECTORS = 16
_SECTOR_DEG = 360.0 / _SECTORS


def _sector(i: int, radius: float):
    """Sector i of 16 around the origin (compass bearings i·22.5° to (i+1)·22.5°), out to ``radius``."""
    pts = [(0.0, 0.0)]
    for j in range(9):
        a = math.radians(i * _SECTOR_DEG + _SECTOR_DEG * j / 8)
        pts.append((radius * math.sin(a), radius * math.cos(a)))
    return shapely.Polygon(pts)


def ring_poa(segments: Mapping[int, object], rings: Sequence[float], reach_m: float | None = None,
             heading_deg: float | None = None, kappa: float = 0.0) -> tuple[dict[int, float], float]:
    """Initial POA of each segment from the ring model (tilted towards a direction of travel when one is known),
    and ROW (what falls outside every segment)."""
    ids = list(segments)
    geoms = np.array([segments[i] for i in ids], dtype=object)
    poa = np.zeros(len(ids))
    for ring, mass in annuli(rings, reach_m, heading_deg, kappa):
        if len(ids):
            poa += mass * shapely.area(shapely.intersection(geoms, ring)) / ring.area
    result = {i: float(p) for i, p in zip(ids, poa)}
    row = max(0.0, 1.0 - math.fsum(result.values()))
    return result, row


def search_region(rings: Sequence[float], reach_m: float | None = None):
    """The area to split automatically: the 95 % ring, clipped by reach (a disc in metres)."""
    radius = min(float(rings[3]), effective_reach(reach_m))
    return Point(0, 0).buffer(radius, quad_segs=_QUAD_SEGS)


@dataclass(frozen=True)
class Suggestion:
    team_id: int
    segment_id: int
    gain_per_hour: float  # probability of finding the subject in the next hour there (POA × POD of one hour)
    coverage: float       # the coverage one hour of this team adds to the segment


def suggest(poa: Mapping[int, float], areas: Mapping[int, float], teams: Sequence[tuple[int, float]],
            exclude: set[int] = frozenset()) -> list[Suggestion]:
    """Propose a segment for each team: the one where an hour of its effort (W × v × 3600 m²) gains the most
    probability of success, POAᵢ·(1 − e^(−E/Aᵢ)); teams with more effort choose first; a segment goes to one team."""
    taken = set(exclude)
    out = []
    for team_id, effort in sorted(teams, key=lambda t: -t[1]):
        best = None
        for seg, p in poa.items():
            if seg in taken or not areas.get(seg):
                continue
            c = effort / areas[seg]
            gain = p * -math.expm1(-c)
            if best is None or gain > best.gain_per_hour:
                best = Suggestion(team_id, seg, gain, c)
        if best is not None and best.gain_per_hour > 0:
            taken.add(best.segment_id)
            out.append(best)
    return out
