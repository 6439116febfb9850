"""Geometry in metres over WGS84 GeoJSON.

GeoJSON (lon, lat) is what is stored and sent; every distance, buffer and area is computed in metres, either in a
local azimuthal equidistant projection centred on the search (``LocalProjection``) or geodesically on WGS84.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import shapely
from pyproj import Geod, Transformer
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from .errors import GeometryError

WGS84 = Geod(ellps="WGS84")

#: Default cap on the number of vertices of one submitted geometry.
MAX_VERTICES = 5000

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class LocalProjection:
    """Azimuthal equidistant projection on WGS84 centred at (lat, lon); x east and y north, in metres."""

    def __init__(self, lat: float, lon: float):
        check_lonlat(lon, lat)
        self.lat = float(lat)
        self.lon = float(lon)
        # A PROJ pipeline (degrees -> radians -> AEQD on WGS84) is built in a fraction of a millisecond, unlike
        # Transformer.from_crs with its database look-ups (~30 ms), and stays cheap when request threads share it.
        self._pipeline = Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=aeqd +lat_0={self.lat!r} +lon_0={self.lon!r} +ellps=WGS84")

    def to_xy(self, lon, lat):
        """Project lon/lat in degrees (scalars or arrays) to x/y metres."""
        return self._pipeline.transform(lon, lat)

    def to_lonlat(self, x, y):
        """Inverse of ``to_xy``: x/y metres to lon/lat degrees."""
        return self._pipeline.transform(x, y, direction="INVERSE")

    def project(self, geom):
        """A shapely geometry in lon/lat to the same geometry in metres."""
        return shapely.transform(geom, lambda c: _stack(self._pipeline.transform(c[:, 0], c[:, 1])))

    def unproject(self, geom):
        """A shapely geometry in metres back to lon/lat."""
        return shapely.transform(geom, lambda c: _stack(self._pipeline.transform(c[:, 0], c[:, 1], direction="INVERSE")))

    def __repr__(self) -> str:
        return f"LocalProjection(lat={self.lat}, lon={self.lon})"


def _stack(xy):
    import numpy as np

    return np.column_stack(xy)


def check_lonlat(lon: Any, lat: Any) -> None:
    """Raise ``GeometryError`` unless lon is in [-180, 180] and lat in [-90, 90] (finite numbers)."""
    for name, value, bound in (("longitude", lon, 180.0), ("latitude", lat, 90.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise GeometryError(f"{name} must be a number")
        if abs(value) > bound:
            raise GeometryError(f"{name} {value} is outside [-{bound:g}, {bound:g}]")


@dataclass(frozen=True)
class CheckedGeometry:
    """A GeoJSON geometry that passed ``validate_geojson``, with its shapely shape in lon/lat."""

    geojson: dict
    shape: Any


def validate_geojson(obj: Any, allowed: Iterable[str] = GEOMETRY_TYPES, max_vertices: int = MAX_VERTICES) -> CheckedGeometry:
    """Check a GeoJSON geometry (or a Feature wrapping one) and return it normalised.

    Checks: the type is one of ``allowed``; positions are [lon, lat] numbers within range; lines have two or more
    positions; polygon rings are closed with four or more positions; polygons are not self-intersecting; no more than
    ``max_vertices`` positions in all. Raises ``GeometryError`` saying what is wrong.
    """
    allowed = tuple(allowed)
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict):
        raise GeometryError("geometry must be a GeoJSON object")
    gtype = obj.get("type")
    if gtype not in allowed:
        raise GeometryError(f"geometry type must be one of {', '.join(allowed)}; got {gtype!r}")
    coords = obj.get("coordinates")
    counter = [0]
    depth = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}[gtype]
    clean = _check_coords(coords, depth, gtype, counter, max_vertices)
    geo = {"type": gtype, "coordinates": clean}
    geom = shape(geo)
    if not geom.is_valid:
        raise GeometryError(f"geometry is not valid: {explain_validity(geom)}")
    return CheckedGeometry(geojson=geo, shape=geom)


def _check_coords(coords, depth, gtype, counter, max_vertices):
    if depth == 0:
        if not isinstance(coords, (list, tuple)) or len(coords) not in (2, 3):
            raise GeometryError("a position must be [longitude, latitude]")
        check_lonlat(coords[0], coords[1])
        counter[0] += 1
        if counter[0] > max_vertices:
            raise GeometryError(f"geometry has more than {max_vertices} vertices")
        return [float(coords[0]), float(coords[1])]
    if not isinstance(coords, (list, tuple)) or not coords:
        raise GeometryError(f"{gtype} coordinates must be a non-empty array")
    out = [_check_coords(c, depth - 1, gtype, counter, max_vertices) for c in coords]
    if depth == 1 and gtype in ("LineString", "MultiLineString") and len(out) < 2:
        raise GeometryError("a line needs at least two positions")
    if depth == 1 and gtype in ("Polygon", "MultiPolygon"):
        if len(out) < 4:
            raise GeometryError("a polygon ring needs at least four positions")
        if out[0] != out[-1]:
            raise GeometryError("a polygon ring must be closed (first and last positions equal)")
    return out


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
