"""A camera's (or any form's) point of plain finite numbers is checked without building a shape (an import of
50,000 cameras checks 50,000), and comes out exactly as ``validate_geojson`` makes it; anything else is still
checked and explained by ``validate_geojson``."""
import math

import pytest

from search_coord.core import fields
from search_coord.core.errors import ValidationError
from search_coord.core.geometry import validate_geojson

PLAIN = ([116.3, 39.9], (116.3, 39.9), [476.3, 39.9], [-180, 0], [180.0, -90], [179.9999999, 90.0], [0, 0, 12.5],
         {"type": "Point", "coordinates": [-543.25, 12]}, [116, 39])


@pytest.mark.parametrize("value", PLAIN)
def test_a_plain_point_is_what_validate_geojson_makes_of_it_without_a_shape(value, monkeypatch):
    geo = value if isinstance(value, dict) else {"type": "Point", "coordinates": list(value)}
    expected = validate_geojson(geo, ("Point",)).geojson
    monkeypatch.setattr(fields, "validate_geojson", lambda *a, **k: pytest.fail("a shape was built"))
    form = fields.Form({"location": value})
    form.point("location", required=True)
    out = form.result()["location"]
    assert out == expected and all(type(v) is float for v in out["coordinates"])


@pytest.mark.parametrize("value", ([116.3], [116.3, 91], [True, 39.9], [116.3, math.nan], [1, 2, 3, 4], ["116", "39"],
                                   {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, [math.inf, 1]))
def test_anything_else_is_still_checked_and_explained(value):
    form = fields.Form({"location": value})
    form.point("location", required=True)
    with pytest.raises(ValidationError) as e:
        form.result()
    assert e.value.errors["location"]
