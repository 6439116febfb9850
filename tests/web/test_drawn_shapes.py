"""Shapes as people draw them (field-data case "drawn shapes"): a bow-tie, a figure of eight and a repeated corner,
each sent as an assignment, a segment and a searched area, come back stored, valid and with a note that says what
was repaired; shapes with no area are refused and change nothing; wrapped longitudes are brought home."""
import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from support import search_payload

CASE = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data" / "drawn-shapes.json"
CENTRE = (116.30, 39.90)


def generated_shapes(lon=CENTRE[0], lat=CENTRE[1], d=0.0006):
    """Our own inputs of the same kind: what a click-by-click drawing tool makes."""
    bowtie = [[lon - d, lat - d], [lon + d, lat + d], [lon + d, lat - d], [lon - d, lat + d], [lon - d, lat - d]]
    eight = [[lon, lat], [lon + d, lat - d / 2], [lon + d, lat + d / 2], [lon, lat], [lon - d, lat + d / 2],
             [lon - d, lat - d / 2], [lon, lat]]
    dup = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
           [lon - d, lat + d], [lon - d, lat - d]]
    unclosed = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"bowtie": ({"type": "Polygon", "coordinates": [bowtie]}, "crossed"),
            "figure_eight": ({"type": "Polygon", "coordinates": [eight]}, "touched"),
            "duplicate_vertex": ({"type": "Polygon", "coordinates": [dup]}, "duplicates"),
            "unclosed": ({"type": "Polygon", "coordinates": [unclosed]}, "closed")}


def case_shapes():
    if not CASE.exists():
        pytest.skip(f"case file {CASE} not present")
    data = json.loads(CASE.read_text())
    codes = {"bowtie": "crossed", "figure_eight": "touched", "duplicate_vertex": "duplicates"}
    return {name: (geo, codes.get(name)) for name, geo in data.items()}


@pytest.fixture
def near_case(app, login):
    """A search whose last known point is where the case's shapes lie, with one team."""
    disp = login("disp")
    r = disp.post("/api/v1/searches", search_payload(lkp={"type": "Point", "coordinates": list(CENTRE)}))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T", "kind": "foot_patrol"}).get_json()
    return sid, disp, team["id"]


def assert_stored_valid(geo):
    g = shape(geo)
    assert geo["type"] in ("Polygon", "MultiPolygon") and g.is_valid and g.area > 0


def check_note(answer, code):
    assert answer.get("repaired"), answer
    assert code in [item["code"] for item in answer["repairs"]]


def send_all_three(sid, disp, team_id, name, geo):
    """The shape as an assignment, a segment and a searched area; returns the three answers."""
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": name, "kind": "area", "geometry": geo})
    assert a.status_code == 201, a.get_json()
    g = disp.post(f"/api/v1/searches/{sid}/segments", {"geometry": geo})
    assert g.status_code == 201, g.get_json()
    s = disp.post(f"/api/v1/searches/{sid}/searched-areas", {"geometry": geo, "pod": 0.5, "team_id": team_id})
    assert s.status_code == 201, s.get_json()
    return a.get_json(), g.get_json(), s.get_json()


@pytest.mark.parametrize("source", ["case", "generated"])
def test_each_drawn_shape_is_stored_valid_with_a_note_as_assignment_segment_and_searched_area(near_case, source):
    sid, disp, team_id = near_case
    shapes = case_shapes() if source == "case" else generated_shapes()
    for name, (geo, code) in shapes.items():
        # each shape on a fresh search area: segments may not overlap, so earlier ones are removed first
        for seg in disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"]:
            assert disp.delete(f"/api/v1/searches/{sid}/segments/{seg['id']}").status_code == 204
        assignment, segment, searched = send_all_three(sid, disp, team_id, name, geo)
        for answer in (assignment, segment, searched["area"]):
            assert_stored_valid(answer["geometry"])
            check_note(answer, code)
        check_note(searched, code)
        if code in ("crossed", "touched"):
            assert "split into 2 parts" in assignment["repaired"]
            assert len(shape(segment["geometry"]).geoms) == 2

        stored = disp.get(f"/api/v1/searches/{sid}/state").get_json()
        assert_stored_valid([x for x in stored["assignments"] if x["id"] == assignment["id"]][0]["geometry"])
        assert_stored_valid([x for x in stored["searched_areas"] if x["id"] == searched["area"]["id"]][0]["geometry"])
        segs = disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"]
        assert_stored_valid([x for x in segs if x["id"] == segment["id"]][0]["geometry"])

    # the note is kept with the change in the search's log
    evs = disp.get(f"/api/v1/searches/{sid}/events").get_json()["events"]
    noted = {e["type"] for e in evs if (e["payload"].get("assignment") or e["payload"].get("segment")
                                         or e["payload"].get("area") or {}).get("repaired")}
    assert noted == {"assignment.created", "segment.added", "area.searched"}


def test_a_valid_shape_carries_no_note(near_case):
    sid, disp, team_id = near_case
    d = 0.0005
    sq = {"type": "Polygon", "coordinates": [[[116.3 - d, 39.9 - d], [116.3 + d, 39.9 - d], [116.3 + d, 39.9 + d],
                                              [116.3 - d, 39.9 + d], [116.3 - d, 39.9 - d]]]}
    for answer in send_all_three(sid, disp, team_id, "square", sq):
        assert "repaired" not in answer and "repairs" not in answer


def test_an_assignment_edited_into_a_bow_tie_is_repaired_with_a_note(near_case):
    sid, disp, _ = near_case
    shapes = generated_shapes()
    a = disp.post(f"/api/v1/searches/{sid}/assignments",
                  {"title": "A", "kind": "area", "geometry": shapes["duplicate_vertex"][0]}).get_json()
    r = disp.patch(f"/api/v1/searches/{sid}/assignments/{a['id']}", {"geometry": shapes["bowtie"][0]})
    assert r.status_code == 200, r.get_json()
    assert_stored_valid(r.get_json()["geometry"])
    check_note(r.get_json(), "crossed")
    assert "repaired" not in disp.patch(f"/api/v1/searches/{sid}/assignments/{a['id']}", {"title": "B"}).get_json()


def test_a_shape_drawn_on_a_wrapped_world_copy_is_stored_where_it_is(near_case):
    sid, disp, team_id = near_case
    geo, _ = generated_shapes()["duplicate_vertex"]
    east = {"type": "Polygon", "coordinates": [[[x + 360, y] for x, y in geo["coordinates"][0]]]}
    for answer in send_all_three(sid, disp, team_id, "wrapped", east)[:1]:
        lons = [x for x, _ in answer["geometry"]["coordinates"][0]]
        assert all(116.29 < x < 116.31 for x in lons)
    clue = disp.post(f"/api/v1/searches/{sid}/clues", {"kind": "clue", "time": "2026-11-28T18:00:00+08:00",
                                                       "location": [476.30, 39.90], "text": "a glove"})
    assert clue.status_code == 201, clue.get_json()
    assert clue.get_json()["location"]["coordinates"] == [116.3, 39.9]


@pytest.mark.parametrize("geometry, message", [
    ({"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.301, 39.9], [116.302, 39.9], [116.3, 39.9]]]},
     "no area"),
    ({"type": "Polygon", "coordinates": [[[116.3, 39.9, 0, 7], [116.301, 39.9, 0, 8], [116.301, 39.901, 0, 9],
                                          [116.3, 39.9, 0, 7]]]}, "positions have 4 values"),
    ({"type": "Polygon", "coordinates": [[[116.3, 39.9], [300.0, 39.9], [300.0, 40], [116.3, 39.9]]]}, "more than 180°"),
])
def test_shapes_that_cannot_be_an_area_are_refused_and_change_nothing(near_case, geometry, message):
    sid, disp, team_id = near_case
    segments = disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"]   # those proposed at opening
    for url, body in ((f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": geometry}),
                      (f"/api/v1/searches/{sid}/segments", {"geometry": geometry}),
                      (f"/api/v1/searches/{sid}/searched-areas", {"geometry": geometry, "pod": 0.5})):
        r = disp.post(url, body)
        assert r.status_code == 400 and message in r.get_json()["errors"]["geometry"], r.get_json()
    state = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    assert state["assignments"] == [] and state["searched_areas"] == []
    assert disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"] == segments
