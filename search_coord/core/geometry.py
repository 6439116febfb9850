"""Geometry in metres over WGS84 GeoJSON.

GeoJSON (lon, lat) is what is stored and sent; every distance, buffer and area is computed in metres, either in a
local azimuthal equidistant projection centred on the search (``LocalProjection``) or geodesically on WGS84.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from .errors import GeometryError

WGS84 = Geod(ellps="WGS84")

#: Default cap on the number of vertices of one submitted geometry.
MAX_VERTICES = 5000

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class LocalProjection:
    """Azimuthal equidistant projection on WGS84 centred at (lat, lon); x east and y north, in metres.

    A point's x, y are its geodesic distance ``s`` from the centre and the azimuth ``az`` of that geodesic there:
    ``x = s sin(az)``, ``y = s cos(az)``; the inverse follows the geodesic of that azimuth for that distance. This is
    PROJ's ellipsoidal ``+proj=aeqd`` (it solves the same geodesic problems, Karney 2013, "Algorithms for
    geodesics", J. Geodesy 87), computed by pyproj's ``Geod``, to within nanometres of it (``tests/core``).

    Why not a PROJ transformer: pyproj builds a transformer's PROJ object once per thread that uses it (PROJ's
    objects are not shared across threads), ~0.15-0.3 ms, and the server gives every HTTP connection a thread of its
    own, so every request that projected paid it; a ``Geod`` holds no per-thread state and costs nothing to make.
    """

    def __init__(self, lat: float, lon: float):
        check_lonlat(lon, lat)
        self.lat = float(lat)
        self.lon = float(lon)

    def to_xy(self, lon, lat):
        """Project lon/lat in degrees (scalars, lists, tuples or arrays of one shape) to x/y metres, of the same
        kind as given."""
        if isinstance(lon, list) and isinstance(lat, list) and len(lon) <= _FEW:   # a phone's batch: no arrays
            az, _back, s = WGS84.inv([self.lon] * len(lon), [self.lat] * len(lat), lon, lat)
            az = [math.radians(a) for a in az]
            return [d * math.sin(a) for d, a in zip(s, az)], [d * math.cos(a) for d, a in zip(s, az)]
        lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        az, _back, s = WGS84.inv(np.full(lon_a.shape, self.lon), np.full(lat_a.shape, self.lat), lon_a, lat_a)
        az = np.radians(az)
        return _like(lon, s * np.sin(az)), _like(lat, s * np.cos(az))

    def to_lonlat(self, x, y):
        """Inverse of ``to_xy``: x/y metres to lon/lat degrees, of the same kind as given."""
        x_a, y_a = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        lon, lat, _back = WGS84.fwd(np.full(x_a.shape, self.lon), np.full(y_a.shape, self.lat),
                                    np.degrees(np.arctan2(x_a, y_a)), np.hypot(x_a, y_a))
        return _like(x, lon), _like(y, lat)

    def project(self, geom):
        """A shapely geometry in lon/lat to the same geometry in metres."""
        return shapely.transform(geom, lambda c: _stack(self.to_xy(c[:, 0], c[:, 1])))

    def unproject(self, geom):
        """A shapely geometry in metres back to lon/lat."""
        return shapely.transform(geom, lambda c: _stack(self.to_lonlat(c[:, 0], c[:, 1])))

    def __repr__(self) -> str:
        return f"LocalProjection(lat={self.lat}, lon={self.lon})"


#: Up to this many points given as lists are projected without numpy's arrays (each costs more than the sum).
_FEW = 64


def _like(given, values: np.ndarray):
    """``values`` (an array) as the kind of ``given``: a float for a scalar (a 0-d array too, as PROJ gave), a list
    or tuple for those, else an array."""
    if np.ndim(given) == 0:
        return float(values)
    if isinstance(given, (list, tuple)):
        return type(given)(values.tolist())
    return values


def _stack(xy):
    return np.column_stack(xy)


def check_lonlat(lon: Any, lat: Any) -> None:
    """Raise ``GeometryError`` unless lon is in [-180, 180] and lat in [-90, 90] (finite numbers)."""
    for name, value, bound in (("longitude", lon, 180.0), ("latitude", lat, 90.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise GeometryError(f"{name} must be a number")
        if abs(value) > bound:
            raise GeometryError(f"{name} {value} is outside [-{bound:g}, {bound:g}]")


def _lon_turns(lon: float) -> int:
    """How many whole turns (360°) to add to ``lon`` to bring it into [-180, 180)."""
    return -math.floor((lon + 180.0) / 360.0)


def normalise_lon(lon: float) -> float:
    """A longitude in degrees, of any size, as the same meridian in [-180, 180).

    Leaflet gives 476.3 for 116.3 on the world copy one turn east. Rounded to 1e-9° (0.1 mm) when shifted, so that
    476.3 comes back as 116.3. Raises ``GeometryError`` for a value that is not a finite number.
    """
    if isinstance(lon, bool) or not isinstance(lon, (int, float)) or not math.isfinite(lon):
        raise GeometryError("longitude must be a number")
    turns = _lon_turns(lon)
    return float(lon) if turns == 0 else round(lon + 360.0 * turns, 9)


@dataclass(frozen=True)
class Repair:
    """What ``validate_geojson`` changed in a drawn (multi)polygon so that it became a valid area.

    ``closed``: rings that were not closed (closed now); ``duplicates``: repeated consecutive corners removed;
    ``problem``: None, "crossed" (the outline crossed itself), "touched" (it touched itself at a point), "overlap"
    (parts of a MultiPolygon overlapped) or "invalid" (another defect, named in ``reason``); ``parts``: polygons
    after the repair; ``kept_share``: when only one polygon was allowed, the share (0-1) of the area that was kept.
    """

    closed: int = 0
    duplicates: int = 0
    problem: str | None = None
    reason: str = ""
    parts: int = 1
    kept_share: float | None = None

    def items(self) -> list[dict]:
        """The changes as codes for the page to word in its language: [{"code": ..., "n": ...}, ...]."""
        out = []
        if self.problem:
            out.append({"code": self.problem, "n": self.parts})
        if self.closed:
            out.append({"code": "closed", "n": self.closed})
        if self.duplicates:
            out.append({"code": "duplicates", "n": self.duplicates})
        if self.kept_share is not None:
            out.append({"code": "largest", "n": round(100 * self.kept_share)})
        return out

    def text(self) -> str:
        """The changes in one English sentence, e.g. "the outline crossed itself; it was split into 2 parts"."""
        split = f"it was split into {self.parts} parts" if self.parts > 1 else "it was repaired"
        words = {
            "crossed": f"the outline crossed itself; {split}",
            "touched": f"the outline touched itself; {split}",
            "overlap": f"the parts overlapped; they were merged into {self.parts} "
                       f"{'part' if self.parts == 1 else 'parts'}",
            "invalid": f"the shape was not a valid area ({self.reason}); {split}",
            "closed": "the outline was not closed; it was closed",
            "duplicates": f"{self.duplicates} repeated {'corner was' if self.duplicates == 1 else 'corners were'} "
                          "removed",
            "largest": f"only the largest part was kept ({round(100 * (self.kept_share or 0))} % of the area)",
        }
        return "; ".join(words[item["code"]] for item in self.items())


def repair_answer(repair: Repair | None) -> dict:
    """The fields an API answer carries about a repaired shape: {"repaired": English text, "repairs": codes}, or {}."""
    if repair is None:
        return {}
    return {"repaired": repair.text(), "repairs": repair.items()}


@dataclass(frozen=True)
class CheckedGeometry:
    """A GeoJSON geometry that passed ``validate_geojson``, with its shapely shape in lon/lat and what was repaired
    (``repair`` is None when nothing was)."""

    geojson: dict
    shape: Any
    repair: Repair | None = None


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
#: A drawn area smaller than this (m², geodesic) is a line or a point, not a place to search.
MIN_AREA_M2 = 1.0


def validate_geojson(obj: Any, allowed: Iterable[str] = GEOMETRY_TYPES, max_vertices: int = MAX_VERTICES) -> CheckedGeometry:
    """Check a GeoJSON geometry (or a Feature wrapping one) and return it normalised, repaired where it can be.

    Positions are [lon, lat] or [lon, lat, elevation] finite numbers (the elevation is dropped; four or more values
    are refused). Longitudes of any size are brought into range as a whole: every vertex is shifted by the turns of
    360° that bring the first vertex into [-180, 180) (Leaflet's wrapped world copies), so a shape is never torn
    apart; one that then crosses the 180° meridian or spans more than 180° of longitude is refused (this tool works
    within a region). Latitudes must lie in [-90, 90]. Lines have two or more positions.

    Polygons as people draw them are repaired and the changes reported in ``repair``: rings are closed, repeated
    consecutive corners removed, and an invalid outline (a bow-tie, a figure of eight, overlapping parts) is made
    valid with ``shapely.make_valid`` (method "structure"), keeping its polygonal parts; it may become a
    MultiPolygon, or, where only "Polygon" is allowed, its largest part. A polygon that has no area (under
    ``MIN_AREA_M2`` after the repair) is refused. No more than ``max_vertices`` positions in all.

    Raises ``GeometryError`` saying what is wrong.
    """
    allowed = tuple(allowed)
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict):
        raise GeometryError("geometry must be a GeoJSON object")
    gtype = obj.get("type")
    if gtype not in allowed and not (gtype == "Polygon" and "MultiPolygon" in allowed):
        raise GeometryError(f"geometry type must be one of {', '.join(allowed)}; got {gtype!r}")
    counter = {"vertices": 0, "closed": 0, "duplicates": 0}
    clean = _check_coords(obj.get("coordinates"), _DEPTH[gtype], gtype, counter, max_vertices)
    clean = _shift_longitudes(clean, _DEPTH[gtype])
    geo = {"type": gtype, "coordinates": clean}
    if gtype in ("Polygon", "MultiPolygon"):
        return _checked_area(geo, allowed, counter)
    geom = shape(geo)
    if not geom.is_valid:
        raise GeometryError(f"geometry is not valid: {explain_validity(geom)}")
    return CheckedGeometry(geojson=geo, shape=geom)


def _check_position(coords) -> list[float]:
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        raise GeometryError("a position must be [longitude, latitude]")
    if len(coords) > 3:
        raise GeometryError(f"positions have {len(coords)} values; only [lon, lat] or [lon, lat, elevation] are "
                            "accepted")
    lon, lat = coords[0], coords[1]
    for name, value in (("longitude", lon), ("latitude", lat)) + ((("elevation", coords[2]),) if len(coords) == 3
                                                                  else ()):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise GeometryError(f"{name} must be a number")
    if abs(lat) > 90:
        raise GeometryError(f"latitude {lat} is outside [-90, 90]")
    return [float(lon), float(lat)]


def _check_coords(coords, depth, gtype, counter, max_vertices):
    if depth == 0:
        counter["vertices"] += 1
        if counter["vertices"] > max_vertices:
            raise GeometryError(f"geometry has more than {max_vertices} vertices")
        return _check_position(coords)
    if not isinstance(coords, (list, tuple)) or not coords:
        raise GeometryError(f"{gtype} coordinates must be a non-empty array")
    out = [_check_coords(c, depth - 1, gtype, counter, max_vertices) for c in coords]
    if depth == 1 and gtype in ("LineString", "MultiLineString") and len(out) < 2:
        raise GeometryError("a line needs at least two positions")
    if depth == 1 and gtype in ("Polygon", "MultiPolygon"):
        ring = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
        counter["duplicates"] += len(out) - len(ring)
        if ring[0] != ring[-1]:
            ring.append(ring[0])
            counter["closed"] += 1
        if len(ring) < 4:
            raise GeometryError("the outline has no area: it needs at least three different corners")
        return ring
    return out


def _shift_longitudes(coords, depth):
    """Shift every longitude by the turns that bring the first one into range; refuse what is still out of it."""
    first = coords
    for _ in range(depth):
        first = first[0]
    turns = _lon_turns(first[0])
    lons = []

    def walk(c, d):
        if d == 0:
            lon = c[0] if turns == 0 else round(c[0] + 360.0 * turns, 9)
            lons.append(lon)
            return [lon, c[1]]
        return [walk(x, d - 1) for x in c]

    out = walk(coords, depth)
    if max(lons) - min(lons) > 180:
        raise GeometryError("the shape spans more than 180° of longitude; draw it within the search's region")
    if max(lons) > 180:
        raise GeometryError("the shape crosses the 180° meridian; draw it on one side of it")
    return out


def _problem_of(geom, reason: str) -> str:
    if reason.startswith("Ring Self-intersection"):
        return "touched"
    if reason.startswith("Self-intersection"):
        if geom.geom_type == "MultiPolygon" and all(p.is_valid for p in geom.geoms):
            return "overlap"
        return "crossed"
    return "invalid"


def _as_lists(c):
    return [_as_lists(x) for x in c] if isinstance(c[0], (list, tuple)) else [float(c[0]), float(c[1])]


def _checked_area(geo: dict, allowed: tuple, counter: dict) -> CheckedGeometry:
    geom = shape(geo)
    problem = reason = None
    if not geom.is_valid:
        reason = explain_validity(geom)
        problem = _problem_of(geom, reason)
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    if geom.is_empty or abs(WGS84.geometry_area_perimeter(geom)[0]) < MIN_AREA_M2:
        raise GeometryError("the outline has no area: its corners lie on one line (or on one spot)")
    polys = list(getattr(geom, "geoms", [geom]))
    kept_share = None
    if len(polys) > 1 and "MultiPolygon" not in allowed:
        largest = max(polys, key=lambda p: p.area)
        kept_share = largest.area / geom.area
        geom = largest
    if problem is not None:
        geo = {"type": geom.geom_type, "coordinates": _as_lists(mapping(geom)["coordinates"])}
    if geo["type"] not in allowed:  # a single Polygon where only MultiPolygon is taken
        geo = {"type": "MultiPolygon", "coordinates": [geo["coordinates"]]}
        geom = shape(geo)
    changed = problem or counter["closed"] or counter["duplicates"] or kept_share is not None
    repair = Repair(closed=counter["closed"], duplicates=counter["duplicates"], problem=problem,
                    reason=(reason or "").split("[")[0], parts=len(polys), kept_share=kept_share) if changed else None
    return CheckedGeometry(geojson=geo, shape=geom, repair=repair)


def _projection_for(geom, center) -> LocalProjection:
    if center is None:
        c = geom.centroid if not geom.is_empty else None
        if c is None:
            raise GeometryError("empty geometry")
        return LocalProjection(c.y, c.x)
    lon, lat = center
    return LocalProjection(lat, lon)


def buffer_m(geojson: dict, metres: float, center=None, quad_segs: int = 16) -> dict:
    """Buffer a GeoJSON geometry by ``metres`` (>= 0) and return the GeoJSON polygon.

    The work is done in a local projection centred at ``center`` (lon, lat) or, by default, the geometry's centroid.
    """
    if isinstance(metres, bool) or not isinstance(metres, (int, float)) or not math.isfinite(metres) or metres < 0:
        raise GeometryError("buffer distance must be a non-negative number of metres")
    geom = validate_geojson(geojson).shape
    proj = _projection_for(geom, center)
    buffered = proj.project(geom).buffer(metres, quad_segs=quad_segs)
    return mapping(proj.unproject(buffered))


def area_m2(geojson: dict) -> float:
    """Geodesic area on WGS84 of a GeoJSON (multi)polygon, in m² (0 for points and lines)."""
    geom = validate_geojson(geojson).shape
    area, _ = WGS84.geometry_area_perimeter(geom)
    return abs(area)


def length_m(geojson: dict) -> float:
    """Geodesic length on WGS84 of a GeoJSON line (or polygon perimeter), in metres."""
    geom = validate_geojson(geojson).shape
    return WGS84.geometry_length(geom)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on WGS84 between two lon/lat points, in metres."""
    check_lonlat(lon1, lat1)
    check_lonlat(lon2, lat2)
    _, _, d = WGS84.inv(lon1, lat1, lon2, lat2)
    return d
