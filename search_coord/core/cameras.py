"""Camera geometry, the pure part: directions of travel and of view, view cones, and what a camera sees of the
probability map. Geometry in metres in the search's local projection; bearings in degrees (0 = north, clockwise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from .errors import ValidationError

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

#: How far a camera sees when its range is not known (m): a typical street camera identifies a walker to ~30 m.
DEFAULT_RANGE_M = 30.0
#: A camera this close (m) to a known point of the subject is the camera that saw them there.
AT_POINT_M = 1.0


@dataclass(frozen=True)
class CameraSite:
    """A camera as the rules see it: where it stands (lon, lat, degrees), where it looks (``direction_deg``,
    ``fov_deg``, ``range_m``; None when unknown), how far its recorder's clock runs fast (s) and how long it keeps
    footage (days)."""
    id: int
    code: str
    name: str
    lon: float
    lat: float
    direction_deg: float | None = None
    fov_deg: float | None = None
    range_m: float | None = None
    clock_offset_s: float = 0.0
    retention_days: float | None = None


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
    """The nearest of the eight compass points to a bearing (degrees), or None."""
    if bearing is None:
        return None
    return COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]


def _unit(bearing: float) -> tuple[float, float]:
    rad = math.radians(bearing)
    return math.sin(rad), math.cos(rad)


# --- cones -------------------------------------------------------------------------------------------------------

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


def site_cone(cam: CameraSite, x: float, y: float) -> Polygon:
    """A camera's cone with the camera at (x, y) m in the search's projection."""
    return cone(x, y, cam.direction_deg, cam.fov_deg, cam.range_m)


def cones(cams: Sequence[CameraSite], xs: Sequence[float], ys: Sequence[float]) -> dict[int, Polygon]:
    """Each camera's cone (by camera id), the cameras at (xs[i], ys[i]) m."""
    polys = cone_array(xs, ys, [c.direction_deg for c in cams], [c.fov_deg for c in cams],
                       [c.range_m for c in cams])
    return dict(zip((c.id for c in cams), polys))


def _numbers(values: Sequence[float | None], n: int) -> np.ndarray:
    """A float array of ``values`` with None as NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float) if n else np.zeros(0)


def cone_array(xs: Sequence[float], ys: Sequence[float], directions: Sequence[float | None],
               fovs: Sequence[float | None], ranges: Sequence[float | None]) -> np.ndarray:
    """``cone`` for many cameras at once (an array of Polygons, in order): the discs buffered in one call, the
    sectors built with numpy, grouped by their number of arc vertices, each group made in one ``shapely.polygons``."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    n = len(x)
    direction, fov, rng = _numbers(directions, n), _numbers(fovs, n), _numbers(ranges, n)
    r = np.where(np.isnan(rng) | (rng == 0), DEFAULT_RANGE_M, rng)
    disc = np.isnan(direction) | np.isnan(fov) | (fov == 0) | (fov >= 360)
    out = np.empty(n, dtype=object)
    if disc.any():
        out[disc] = shapely.buffer(shapely.points(x[disc], y[disc]), r[disc], quad_segs=16)
    sector = ~disc
    steps = np.zeros(n, dtype=int)
    steps[sector] = np.maximum(4, np.ceil(fov[sector] / 5)).astype(int)
    for k in np.unique(steps[sector]):
        idx = np.flatnonzero(sector & (steps == k))
        frac = np.arange(k + 1) / k                                              # (k+1,)
        bearing = direction[idx, None] - fov[idx, None] / 2.0 + fov[idx, None] * frac
        rad = np.radians(bearing)
        ring = np.empty((len(idx), k + 3, 2))                                     # centre, arc, centre again
        ring[:, 0, 0], ring[:, 0, 1] = x[idx], y[idx]
        ring[:, 1:k + 2, 0] = x[idx, None] + r[idx, None] * np.sin(rad)
        ring[:, 1:k + 2, 1] = y[idx, None] + r[idx, None] * np.cos(rad)
        ring[:, k + 2] = ring[:, 0]
        out[idx] = shapely.polygons(ring)
    return out


def cone_areas(directions: Sequence[float | None], fovs: Sequence[float | None],
               ranges: Sequence[float | None]) -> np.ndarray:
    """The area (m²) of each camera's ``cone`` without building it: a sector π r² · fov/360, or the disc π r² when
    the direction is unknown or the field of view is 0 or 360° or more (the unknown range is ``DEFAULT_RANGE_M``).
    The built cone's arc is a polygon, a fraction of a per cent smaller."""
    n = len(directions)
    direction, fov, rng = _numbers(directions, n), _numbers(fovs, n), _numbers(ranges, n)
    r = np.where(np.isnan(rng) | (rng == 0), DEFAULT_RANGE_M, rng)
    disc = np.isnan(direction) | np.isnan(fov) | (fov == 0) | (fov >= 360)
    return math.pi * r * r * np.where(disc, 1.0, np.nan_to_num(fov) / 360.0)


# --- what a camera sees of the probability map ----------------------------------------------------------------------

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
