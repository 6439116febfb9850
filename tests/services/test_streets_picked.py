"""Street assignments picked along a route (the blocks along the shortest path through the dispatcher's taps, in
order, the route's length the path's) and of a chosen duration (minutes at the mode's search speed); the preview;
bad input changes nothing."""
import pytest
from sqlalchemy import func, select

from search_coord.adapters.models import Assignment
from search_coord.core.errors import Forbidden, ValidationError
from search_coord.services.streets import assignments, search_view

from test_streets import grid_search, lonlat  # noqa: F401  (the grid layer and a search on it)

TAPS = [(-190, 5), (0, 150), (350, 3)]   # on Middle St, up 中路 and back, east to the footpath beyond 东路


def test_assignment_picked_along_a_route(svc, people, grid_search):
    _, sid, team = grid_search
    d = people["disp"]
    pts = [lonlat(*p) for p in TAPS]
    preview = assignments.preview_path(svc, d, sid, {"mode": "foot", "points": pts, "lang": "en"})
    assert preview["length_m"] == pytest.approx(190 + 150 + 150 + 300 + 50, abs=1)
    assert preview["legs_m"] == pytest.approx([340, 500], abs=1)
    assert preview["snap_m"] == pytest.approx([5, 0, 3], abs=0.2)
    assert preview["speed_ms"] == 0.8 and preview["duration_min"] == pytest.approx(840 / 0.8 / 60, abs=0.1)
    assert preview["labels"] == ["Middle St: 西路 – 中路, 200 m", "中路: Middle St – 北街, 200 m",
                                 "Middle St: 中路 – 东路, 200 m", "Middle St: 东路 – …, 100 m", "footway: Middle St – …, 100 m"]
    with svc.reading() as s:
        assert s.execute(select(func.count()).select_from(Assignment)).scalar() == 0   # a preview stores nothing
    got = assignments.create_street_assignment(svc, d, sid, {"mode": "foot", "points": pts, "team_id": team,
                                                              "lang": "en"})
    a, street = got["assignment"], got["street"]
    assert street["blocks"] == preview["blocks"] and a["places"] == preview["labels"]
    assert street["length_m"] == preview["length_m"] and street["transit_m"] == 0 and street["target_m"] is None
    assert a["geometry"]["coordinates"] == [preview["geometry"]["coordinates"]]
    assert a["kind"] == "route" and a["status"] == "assigned"
    # a vehicle keeps off the footpath: its last tap snaps to the end of Middle St, 50 m away
    car = assignments.preview_path(svc, d, sid, {"mode": "vehicle", "points": pts})
    assert car["length_m"] == pytest.approx(790, abs=1) and car["snap_m"][2] == pytest.approx(50, abs=0.5)
    assert car["speed_ms"] == 4.0 and len(car["blocks"]) == 4


def test_assignment_of_a_duration_at_the_modes_search_speed(svc, people, grid_search):
    _, sid, _ = grid_search
    # the speeds the console's form states (and turns a duration into a length with)
    assert search_view.street_state(svc, people["disp"], sid)["search_speed_ms"] == {"foot": 0.8, "vehicle": 4.0}
    got = assignments.create_street_assignment(svc, people["disp"], sid, {"mode": "vehicle", "duration_min": 5})
    street = got["street"]
    assert street["speed_ms"] == 4.0 and street["target_m"] == pytest.approx(1200)   # 5 min at 4 m/s
    assert 1200 <= street["length_m"] < 1200 + 210
    assert street["duration_min"] == pytest.approx(street["length_m"] / 4.0 / 60, abs=0.1)
    foot = assignments.create_street_assignment(svc, people["disp"], sid, {"mode": "foot", "duration_min": 10})
    assert foot["street"]["target_m"] == pytest.approx(480) and foot["street"]["speed_ms"] == 0.8


BAD = [
    ({"mode": "foot", "duration_min": 0}, "duration_min"),
    ({"mode": "foot", "duration_min": -5}, "duration_min"),
    ({"mode": "foot", "duration_min": 721}, "duration_min"),
    ({"mode": "foot", "duration_min": "ten"}, "duration_min"),
    ({"mode": "foot", "duration_min": True}, "duration_min"),
    ({"mode": "foot", "duration_min": float("nan")}, "duration_min"),
    ({"mode": "foot", "duration_min": 1}, "duration_min"),               # 48 m at 0.8 m/s: shorter than a route
    ({"mode": "foot", "duration_min": 10, "length_m": 500}, "duration_min"),
    ({"mode": "foot", "points": [[116.3, 39.9]]}, "points"),
    ({"mode": "foot", "points": [[116.3, 39.9], [500, 39.9]]}, "points"),
    ({"mode": "foot", "points": [[116.3, 39.9], "x"]}, "points"),
    ({"mode": "foot", "points": "TAPS", "length_m": 500}, "length_m"),
    ({"mode": "foot", "points": "TAPS", "duration_min": 10}, "duration_min"),
    ({"mode": "foot", "points": "FAR"}, "points"),
]


def test_bad_length_duration_or_points_change_nothing(svc, people, grid_search):
    _, sid, _ = grid_search
    before = len(svc.publisher.events)
    for bad, field in BAD:
        bad = dict(bad)
        if bad.get("points") == "TAPS":
            bad["points"] = [lonlat(*p) for p in TAPS]
        far = bad.get("points") == "FAR"
        if far:   # the motorway's far end: 316 m from 东路's north end, the nearest walkable way
            bad["points"] = [lonlat(0, 0), lonlat(300, 600)]
        with pytest.raises(ValidationError) as exc:
            assignments.create_street_assignment(svc, people["disp"], sid, bad)
        assert field in exc.value.errors, (bad, exc.value.errors)
        if far:
            assert exc.value.errors["points"] == "point 2 is 316 m from the nearest walkable street (at most 100 m)"
    with svc.reading() as s:
        assert s.execute(select(func.count()).select_from(Assignment)).scalar() == 0
    assert len(svc.publisher.events) == before


def test_preview_is_for_the_dispatcher_and_checks_its_input(svc, people, grid_search):
    _, sid, _ = grid_search
    pts = [lonlat(*p) for p in TAPS]
    with pytest.raises(Forbidden):
        assignments.preview_path(svc, people["off1"], sid, {"mode": "foot", "points": pts})
    for bad, field in (({"mode": "boat", "points": pts}, "mode"), ({"mode": "foot"}, "points"),
                       ({"mode": "foot", "points": pts, "x": 1}, "x")):
        with pytest.raises(ValidationError) as exc:
            assignments.preview_path(svc, people["disp"], sid, bad)
        assert field in exc.value.errors
