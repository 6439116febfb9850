import math

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from search_coord.core.errors import GeometryError
from search_coord.core.geometry import LocalProjection, area_m2, buffer_m, distance_m, validate_geojson

CENTER = (116.1985, 39.7712)


@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 270])
@pytest.mark.parametrize("dist", [100, 2_000, 20_000])
def test_local_projection_distances_agree_with_geodesic(bearing, dist):
    proj = LocalProjection(CENTER[1], CENTER[0])
    target = geodesic(meters=dist).destination((CENTER[1], CENTER[0]), bearing)
    x, y = proj.to_xy(target.longitude, target.latitude)
    assert math.hypot(x, y) == pytest.approx(dist, rel=1e-3)


def test_buffered_point_area_matches_geodesic_circle():
    circle = buffer_m({"type": "Point", "coordinates": list(CENTER)}, 1000, quad_segs=64)
    # A 256-gon of radius 1 km: its area is within 0.01 % of pi r^2, and measured geodesically.
    assert area_m2(circle) == pytest.approx(math.pi * 1000**2, rel=1e-3)


def test_area_of_a_known_square():
    # A 0.01 x 0.01 degree cell at the equator is about 1113.2 m x 1105.7 m.
    sq = {"type": "Polygon", "coordinates": [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01], [0, 0]]]}
    assert area_m2(sq) == pytest.approx(1113.19 * 1105.74, rel=1e-3)


def test_distance_m_is_geodesic():
    assert distance_m(116.0, 39.0, 116.0, 40.0) == pytest.approx(
        geodesic((39.0, 116.0), (40.0, 116.0)).meters, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(-20_000, 20_000), st.floats(-20_000, 20_000))
def test_projection_round_trips(x, y):
    proj = LocalProjection(CENTER[1], CENTER[0])
    lon, lat = proj.to_lonlat(x, y)
    x2, y2 = proj.to_xy(lon, lat)
    # PROJ's inverse near the centre is exact to well under a millimetre.
    assert x2 == pytest.approx(x, abs=1e-3) and y2 == pytest.approx(y, abs=1e-3)


@pytest.mark.parametrize("geo, message", [
    ("nope", "GeoJSON object"),
    ({"type": "Circle", "coordinates": [0, 0]}, "geometry type"),
    ({"type": "Point", "coordinates": [200, 0]}, "longitude"),
    ({"type": "Point", "coordinates": [0, -91]}, "latitude"),
    ({"type": "Point", "coordinates": ["a", 0]}, "number"),
    ({"type": "LineString", "coordinates": [[0, 0]]}, "two positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "closed"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "Self-intersection"),
])
def test_invalid_geojson_is_refused_with_a_reason(geo, message):
    with pytest.raises(GeometryError, match=message):
        validate_geojson(geo)


def test_vertex_cap():
    line = {"type": "LineString", "coordinates": [[0.0001 * i, 0] for i in range(101)]}
    with pytest.raises(GeometryError, match="more than 100 vertices"):
        validate_geojson(line, max_vertices=100)


def test_feature_is_unwrapped_and_type_restricted():
    feat = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
    assert validate_geojson(feat).geojson == {"type": "Point", "coordinates": [1.0, 2.0]}
    with pytest.raises(GeometryError):
        validate_geojson(feat, ("Polygon",))


def test_buffer_refuses_negative_distance():
    with pytest.raises(GeometryError):
        buffer_m({"type": "Point", "coordinates": [0, 0]}, -1)
