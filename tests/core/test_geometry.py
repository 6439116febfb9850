import math
import re

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from search_coord.core.errors import GeometryError, ValidationError
from search_coord.core.fields import Form, check_lonlat_pair
from search_coord.core.geometry import (LocalProjection, area_m2, buffer_m, distance_m, normalise_lon, repair_answer,
                                         validate_geojson)

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
    # the geodesic inverse near the centre is exact to well under a millimetre.
    assert x2 == pytest.approx(x, abs=1e-3) and y2 == pytest.approx(y, abs=1e-3)


@pytest.mark.parametrize("centre", [(116.1985, 39.7712), (-179.9, -33.9), (24.94, 60.17), (0.0, 0.0)])
def test_projection_is_projs_azimuthal_equidistant(centre):
    """The same x, y (and back) as PROJ's ellipsoidal aeqd centred there, to a micrometre, out to 50 km: lists,
    tuples, arrays and scalars come back as they went in."""
    lon0, lat0 = centre
    aeqd = Transformer.from_pipeline("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
                                     f"+step +proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +ellps=WGS84")
    proj = LocalProjection(lat0, lon0)
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-50_000, 50_000, 400), rng.uniform(-50_000, 50_000, 400)
    lon, lat = aeqd.transform(x, y, direction="INVERSE")
    mine_lon, mine_lat = proj.to_lonlat(x, y)
    assert np.allclose(mine_lon, lon, rtol=0, atol=1e-10) and np.allclose(mine_lat, lat, rtol=0, atol=1e-10)
    mine_x, mine_y = proj.to_xy(lon, lat)
    assert np.allclose(mine_x, x, rtol=0, atol=1e-6) and np.allclose(mine_y, y, rtol=0, atol=1e-6)
    as_list = proj.to_xy(list(lon[:3]), list(lat[:3]))
    assert isinstance(as_list[0], list) and as_list[0] == pytest.approx(list(x[:3]), abs=1e-6)
    assert isinstance(proj.to_xy(tuple(lon[:2]), tuple(lat[:2]))[1], tuple)
    one = proj.to_lonlat(float(x[0]), float(y[0]))
    assert isinstance(one[0], float) and one == pytest.approx((lon[0], lat[0]), abs=1e-10)
    assert proj.to_xy(lon0, lat0) == pytest.approx((0.0, 0.0), abs=1e-9)


@pytest.mark.parametrize("geo, message", [
    ("nope", "GeoJSON object"),
    ({"type": "Circle", "coordinates": [0, 0]}, "geometry type"),
    ({"type": "Point", "coordinates": [float("nan"), 0]}, "longitude must be a number"),
    ({"type": "Point", "coordinates": [0, float("inf")]}, "latitude must be a number"),
    ({"type": "Point", "coordinates": [0, 0, float("nan")]}, "elevation must be a number"),
    ({"type": "Point", "coordinates": [0, 0, 10, 3.5]}, "positions have 4 values; only [lon, lat] or [lon, lat, "
                                                       "elevation] are accepted"),
    ({"type": "Point", "coordinates": [0]}, "[longitude, latitude]"),
    ({"type": "Point", "coordinates": [0, -91]}, "latitude"),
    ({"type": "Point", "coordinates": ["a", 0]}, "number"),
    ({"type": "LineString", "coordinates": [[0, 0]]}, "two positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "no area"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [0, 0]]]}, "no area"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "no area"),
    ({"type": "Polygon", "coordinates": []}, "non-empty"),
])
def test_invalid_geojson_is_refused_with_a_reason(geo, message):
    with pytest.raises(GeometryError, match=re.escape(message)):
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


# --- inputs as people produce them: wrapped longitudes, drawn outlines ------------------------------------------------

def square(lon=116.3, lat=39.9, d=0.001, close=True):
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d]]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]] if close else ring]}


def shifted(geo, k):
    """The same geometry as Leaflet gives it on the world copy k turns east (k * 360 added to every longitude)."""
    def walk(c):
        return [c[0] + 360 * k, *c[1:]] if isinstance(c[0], (int, float)) else [walk(x) for x in c]
    return {"type": geo["type"], "coordinates": walk(geo["coordinates"])}


@pytest.mark.parametrize("lon, expected", [(476.30, 116.30), (-243.70, 116.30), (180, -180), (-180, -180),
                                           (540, -180), (179.999, 179.999), (-900.5, 179.5), (0, 0)])
def test_normalise_lon_brings_any_longitude_into_range(lon, expected):
    assert normalise_lon(lon) == pytest.approx(expected, abs=1e-9)
    assert -180 <= normalise_lon(lon) < 180


def test_a_point_from_a_wrapped_world_copy_is_normalised():
    assert validate_geojson({"type": "Point", "coordinates": [476.30, 39.9]}).geojson["coordinates"] == [116.3, 39.9]
    assert validate_geojson({"type": "Point", "coordinates": [-603.7, 39.9, 52.0]}).geojson["coordinates"] == \
        [116.3, 39.9]


@pytest.mark.parametrize("k", [1, -1, 2, -3])
def test_a_shape_drawn_on_a_wrapped_copy_keeps_its_form(k):
    base = validate_geojson(square()).geojson
    moved = validate_geojson(shifted(square(), k))
    assert moved.repair is None
    for (a, b), (c, d) in zip(moved.geojson["coordinates"][0], base["coordinates"][0]):
        assert a == pytest.approx(c, abs=1e-9) and b == d
    assert area_m2(moved.geojson) == pytest.approx(area_m2(base), rel=1e-6)


def test_a_shape_is_normalised_by_its_first_vertex_so_it_stays_whole():
    # a line from 179.9 east to 180.1 crosses the 180° meridian: it cannot be stored whole in [-180, 180]
    with pytest.raises(GeometryError, match="180° meridian"):
        validate_geojson({"type": "LineString", "coordinates": [[179.9, 10], [180.1, 10]]})
    # one that ends on the meridian is whole; one on a wrapped copy is shifted by its first vertex's turn
    assert validate_geojson({"type": "LineString", "coordinates": [[179.9, 10], [180, 10]]}).geojson[
        "coordinates"] == [[179.9, 10], [180, 10]]
    out = validate_geojson({"type": "LineString", "coordinates": [[539.9, 10], [539.95, 10]]}).geojson
    assert out["coordinates"][0][0] == pytest.approx(179.9) and out["coordinates"][1][0] == pytest.approx(179.95)


def test_a_shape_spanning_more_than_half_the_world_is_refused():
    wide = {"type": "LineString", "coordinates": [[-170, 0], [0, 0], [170, 0]]}
    with pytest.raises(GeometryError, match="more than 180° of longitude"):
        validate_geojson(wide)


def test_a_multipolygon_is_shifted_as_a_whole():
    a, b = square(116.3)["coordinates"], square(116.31)["coordinates"]
    geo = shifted({"type": "MultiPolygon", "coordinates": [a, b]}, 1)
    out = validate_geojson(geo).geojson["coordinates"]
    assert out[0][0][0][0] == pytest.approx(116.3) and out[1][0][0][0] == pytest.approx(116.31)


def test_elevation_is_accepted_and_dropped():
    geo = {"type": "LineString", "coordinates": [[116.3, 39.9, 50], [116.31, 39.9, 51.5]]}
    assert validate_geojson(geo).geojson["coordinates"] == [[116.3, 39.9], [116.31, 39.9]]


def test_five_value_positions_are_refused_with_the_count():
    geo = {"type": "LineString", "coordinates": [[116.3, 39.9, 1, 2, 3], [116.31, 39.9]]}
    with pytest.raises(GeometryError, match="positions have 5 values"):
        validate_geojson(geo)


def bowtie(lon=116.3, lat=39.9, d=0.001):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d],
                                                 [lon, lat]]]}


def figure_eight(lon=116.3, lat=39.9, d=0.001):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat - d / 2], [lon + d, lat + d / 2], [lon, lat],
                                                 [lon - d, lat + d / 2], [lon - d, lat - d / 2], [lon, lat]]]}


def test_a_bow_tie_is_split_into_its_two_triangles_with_a_note():
    out = validate_geojson(bowtie())
    assert out.shape.is_valid and out.geojson["type"] == "MultiPolygon" and len(out.geojson["coordinates"]) == 2
    assert out.repair.problem == "crossed" and out.repair.parts == 2
    assert out.repair.text() == "the outline crossed itself; it was split into 2 parts"
    assert {"code": "crossed", "n": 2} in out.repair.items()
    # each triangle is a quarter of the box the bow-tie spans
    assert area_m2(out.geojson) == pytest.approx(area_m2(square()) / 2, rel=1e-3)


def test_a_figure_of_eight_is_split_where_it_touches_itself():
    out = validate_geojson(figure_eight())
    assert out.shape.is_valid and out.geojson["type"] == "MultiPolygon" and len(out.geojson["coordinates"]) == 2
    assert out.repair.problem == "touched" and "touched itself; it was split into 2 parts" in out.repair.text()


def test_repeated_corners_are_removed_with_a_note():
    ring = square()["coordinates"][0]
    geo = {"type": "Polygon", "coordinates": [[ring[0], ring[1], ring[1], ring[2], ring[2], ring[2], ring[3], ring[4]]]}
    out = validate_geojson(geo)
    assert out.geojson == validate_geojson(square()).geojson
    assert out.repair.duplicates == 3 and out.repair.text() == "3 repeated corners were removed"


def test_an_unclosed_ring_is_closed_with_a_note():
    out = validate_geojson(square(close=False))
    assert out.geojson == validate_geojson(square()).geojson
    assert out.repair.closed == 1 and out.repair.text() == "the outline was not closed; it was closed"


def test_a_valid_shape_has_no_note():
    assert validate_geojson(square()).repair is None
    assert repair_answer(None) == {}


def test_overlapping_parts_of_a_multipolygon_are_merged():
    geo = {"type": "MultiPolygon", "coordinates": [square(116.3)["coordinates"], square(116.3005)["coordinates"]]}
    out = validate_geojson(geo)
    assert out.shape.is_valid and out.geojson["type"] == "Polygon"
    assert out.repair.problem == "overlap" and "overlapped" in out.repair.text()


def test_where_only_a_polygon_is_allowed_the_largest_part_is_kept_and_said():
    lon, lat, d = 116.3, 39.9, 0.001
    # a crossed outline whose two parts are 1.9 and 0.4 (in d²): the larger is 83 % of the area
    geo = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon - 3 * d, lat + d],
                                                [lon - 3 * d, lat], [lon, lat]]]}
    out = validate_geojson(geo, ("Polygon",))
    assert out.geojson["type"] == "Polygon" and out.shape.is_valid
    assert out.repair.kept_share == pytest.approx(1.9 / 2.3, abs=0.001)
    assert out.repair.text() == ("the outline crossed itself; it was split into 2 parts; only the largest part was "
                                 "kept (83 % of the area)")


def test_a_polygon_allowed_only_as_multipolygon_is_wrapped():
    out = validate_geojson(square(), ("MultiPolygon",))
    assert out.geojson["type"] == "MultiPolygon" and out.repair is None


def test_a_polygon_thinner_than_a_square_metre_is_refused():
    with pytest.raises(GeometryError, match="no area"):
        validate_geojson(square(d=0.000001))


def test_repair_answer_gives_text_and_codes_for_the_page():
    ans = repair_answer(validate_geojson(bowtie()).repair)
    assert ans["repaired"] == "the outline crossed itself; it was split into 2 parts"
    assert ans["repairs"] == [{"code": "crossed", "n": 2}]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.01, 0.01), st.floats(-0.01, 0.01)), min_size=3, max_size=12),
       st.integers(-3, 3))
def test_any_clicked_outline_is_stored_valid_or_refused_with_a_reason(points, k):
    ring = [[116.3 + 360 * k + x, 39.9 + y] for x, y in points]
    try:
        out = validate_geojson({"type": "Polygon", "coordinates": [ring]}, ("Polygon", "MultiPolygon"))
    except GeometryError as exc:
        assert exc.message
        return
    assert out.shape.is_valid and out.shape.area > 0 and out.geojson["type"] in ("Polygon", "MultiPolygon")
    assert out.shape.bounds[0] >= 116.28 and out.shape.bounds[2] <= 116.32


# --- the Form helpers: every point and geometry entering through a form ----------------------------------------------

def test_form_point_normalises_a_wrapped_longitude_and_keeps_elevation_out():
    form = Form({"at": [476.3, 39.9, 44.0], "geo": {"type": "Point", "coordinates": [-243.7, 39.9]}})
    form.point("at")
    form.point("geo")
    out = form.result()
    assert out["at"] == {"type": "Point", "coordinates": [116.3, 39.9]} and out["geo"] == out["at"]
    assert out.repairs == {}


def test_form_point_refuses_four_values_and_nan():
    form = Form({"a": [116.3, 39.9, 1, 2], "b": [math.nan, 39.9], "c": [116.3, math.inf]})
    for name in "abc":
        form.point(name)
    with pytest.raises(ValidationError) as err:
        form.result()
    assert err.value.errors == {"a": "positions have 4 values; only [lon, lat] or [lon, lat, elevation] are accepted",
                                "b": "longitude must be a number", "c": "latitude must be a number"}


def test_form_geometry_keeps_the_repair_with_the_result():
    form = Form({"geometry": bowtie(476.3)})
    form.geometry("geometry", ("Polygon", "MultiPolygon"))
    out = form.result()
    assert out["geometry"]["type"] == "MultiPolygon"
    assert all(-180 <= x < 180 for poly in out["geometry"]["coordinates"] for x, _ in poly[0])
    assert out.repairs["geometry"].problem == "crossed" and dict(out) == {"geometry": out["geometry"]}


def test_form_geometry_refuses_a_line_drawn_as_a_polygon():
    form = Form({"geometry": {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.31, 39.9], [116.32, 39.9],
                                                                   [116.3, 39.9]]]}})
    form.geometry("geometry", ("Polygon",))
    with pytest.raises(ValidationError, match="no area"):
        form.result()


def test_form_longitude_and_lonlat_pair_normalise():
    form = Form({"lon": 476.3, "bad": math.nan})
    form.longitude("lon")
    form.longitude("bad")
    assert form.errors == {"bad": "must be a number"} and form.out["lon"] == pytest.approx(116.3)
    assert check_lonlat_pair(476.3, 39.9) == (116.3, 39.9)
    with pytest.raises(GeometryError):
        check_lonlat_pair(116.3, 91)
