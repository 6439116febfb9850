"""Streets through the services: loading layers (OSM extract, GeoJSON centrelines), replacing them, the network
reach and block POA of a search, street assignments, coverage per block from tracks, live events."""
import json
import pathlib
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from search_coord.adapters.street_models import StreetCoverage, StreetLayer, StreetWay
from search_coord.core.errors import Forbidden, ValidationError
from search_coord.core.geometry import LocalProjection
from search_coord.services import field, model_read, searches, teams
from search_coord.services.streets import assignments, coverage, doors, layers, search_view
from search_coord.services.streets.network_reach import route_between

from support import search_payload

OSM = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "osm"
CENTRE = (116.30, 39.90)
PROJ = LocalProjection(CENTRE[1], CENTRE[0])
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)


def lonlat(x, y):
    lon, lat = PROJ.to_lonlat(x, y)
    return [round(float(lon), 7), round(float(lat), 7)]


def grid_geojson() -> bytes:
    """Three east-west streets (y = -200, 0, 200) and three north-south ones (x = -200, 0, 200), 600 m long,
    crossing at shared vertices; names in Chinese with English where given; a footpath east of the grid."""
    feats = []
    xs = (-300, -200, 0, 200, 300)
    for y, zh, en in ((-200, "南街", "South St"), (0, "中街", "Middle St"), (200, "北街", None)):
        props = {"name": zh, "name:zh": zh, "highway": "residential", **({"name:en": en} if en else {})}
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "LineString", "coordinates": [lonlat(x, y) for x in xs]}})
    for x, zh in ((-200, "西路"), (0, "中路"), (200, "东路")):
        feats.append({"type": "Feature", "properties": {"name": zh, "highway": "tertiary"},
                      "geometry": {"type": "LineString", "coordinates": [lonlat(x, y) for y in xs]}})
    feats.append({"type": "Feature", "properties": {"highway": "footway"},
                  "geometry": {"type": "LineString", "coordinates": [lonlat(300, 0), lonlat(400, 0)]}})
    feats.append({"type": "Feature", "properties": {"highway": "motorway", "name": "环路"},
                  "geometry": {"type": "LineString", "coordinates": [lonlat(300, 200), lonlat(300, 600)]}})
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


@pytest.fixture
def grid_search(svc, people):
    """A grid layer and a search whose LKP is 10 m north of Middle St, 50 m east of 中路, missing 6 min."""
    d = people["disp"]
    svc.clock.now = NOW
    layer = layers.load_layer(svc, d, grid_geojson(), name="grid", filename="grid.geojson")
    sid = searches.open_search(svc, d, search_payload(lkp={"type": "Point", "coordinates": lonlat(50, 10)},
                                                      lkp_time=(NOW - timedelta(minutes=6)).isoformat()))["id"]
    searches.add_member(svc, d, sid, people["off1"].user_id)
    team = teams.create_team(svc, d, sid, {"name": "Foot 1", "kind": "foot_patrol",
                                          "leader_id": people["off1"].user_id})
    return layer, sid, team["id"]


def test_geojson_layer_counts_names_and_walk_drive(svc, people, grid_search):
    layer, _, _ = grid_search
    c = layer["counts"]
    assert c["ways"] == 8 and c["walkable"] == 7 and c["drivable"] == 7   # footway walk-only, motorway drive-only
    assert c["with_zh"] == 3 and c["with_en"] == 2
    assert c["blocks"] > 8 and layer["seconds"]["total"] >= 0 and not layer["duplicate"]
    again = layers.load_layer(svc, people["disp"], grid_geojson(), name="grid")
    assert again["duplicate"] and again["id"] == layer["id"]
    assert [x["id"] for x in layers.list_layers(svc, people["disp"])] == [layer["id"]]


def test_bad_files_and_officers_change_nothing(svc, people):
    for data in (b"", b"not a street file", b'{"type": "FeatureCollection", "features": []}',
                 b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                 b'"geometry": {"type": "LineString", "coordinates": [[500, 1], [2, 3]]}}]}', b"<osm><broken"):
        with pytest.raises(ValidationError):
            layers.load_layer(svc, people["disp"], data)
    with pytest.raises(Forbidden):
        layers.load_layer(svc, people["off1"], grid_geojson())
    with pytest.raises(Forbidden):
        layers.list_layers(svc, people["off1"])
    with svc.reading() as s:
        assert s.execute(select(func.count()).select_from(StreetLayer)).scalar() == 0
        assert s.execute(select(func.count()).select_from(StreetWay)).scalar() == 0


def test_replacing_a_layer_keeps_the_old_one_inactive(svc, people, grid_search):
    layer, sid, _ = grid_search
    data = json.loads(grid_geojson())
    data["features"] = data["features"][:4]
    new = layers.load_layer(svc, people["disp"], json.dumps(data).encode(), name="grid v2", replace=layer["id"])
    listed = layers.list_layers(svc, people["disp"], include_replaced=True)
    assert [(x["id"], x["active"], x["replaced_by"]) for x in listed] == [(new["id"], True, None),
                                                                         (layer["id"], False, new["id"])]
    state = search_view.street_state(svc, people["disp"], sid)
    assert state["layer"]["id"] == new["id"]


def test_search_reach_on_the_network_and_block_poa(svc, people, grid_search):
    _, sid, _ = grid_search
    state = search_view.street_state(svc, people["off1"], sid)
    reach = state["reach"]
    # 10 min at the dementia walking speed, capped: the isochrone is a network, far smaller than the disc
    assert reach["snap_m"] == pytest.approx(10, abs=0.5)
    assert 0 < reach["length_m"] < 3650     # the grid's walkable ways are 3,700 m; its far corners are not reached
    model = model_read.get_model(svc, people["disp"], sid)
    assert PROJ.project(shape(reach["geometry"])).area < 0.5 * 3.1416 * reach["budget_m"] ** 2
    assert model["reach"]["network"] is True and model["reach"]["geometry"] == reach["geometry"]
    blocks = state["blocks"]
    assert blocks and all(b["status"] == "not" for b in blocks)
    assert sum(b["poa"] for b in blocks) == pytest.approx(state["poa"]["on_street"], abs=1e-3)
    assert state["poa"]["on_street"] + state["poa"]["unplaced"] == pytest.approx(0.5, abs=1e-3)
    top = blocks[0]
    assert top["street"]["local"] in ("中街", "中路") and top["length_m"] == pytest.approx(200, abs=1)
    assert {top["from"]["local"], top["to"]["local"]} & {"中街", "中路", "西路", "东路", "北街", "南街"}
    assert all(b["street"]["local"] != "环路" for b in blocks)   # the motorway is not walked


def test_a_search_off_every_layer_says_so(svc, people):
    sid = searches.open_search(svc, people["disp"], search_payload())["id"]
    state = search_view.street_state(svc, people["disp"], sid)
    assert state["layer"] is None and state["hint"] == "no_layer"
    assert "network" not in model_read.get_model(svc, people["disp"], sid)["reach"]


def test_street_assignment_of_a_given_length(svc, people, grid_search):
    _, sid, team = grid_search
    got = assignments.create_street_assignment(svc, people["disp"], sid,
                                               {"mode": "vehicle", "length_m": 500, "team_id": team, "lang": "en"})
    a, street = got["assignment"], got["street"]
    assert a["kind"] == "route" and a["status"] == "assigned" and a["geometry"]["type"] == "MultiLineString"
    assert 500 <= street["length_m"] < 500 + 210 and street["transit_m"] == 0
    assert a["places"] == street["labels"] and ": " in a["places"][0] and " – " in a["places"][0]
    assert any("Middle St" in p for p in a["places"])          # English names where the data has them
    ev = [e for _, e in svc.publisher.events if e["type"] == "assignment.created"][-1]
    assert ev["payload"]["assignment"]["id"] == a["id"]
    # the next suggestion leaves out the blocks already assigned
    second = assignments.create_street_assignment(svc, people["disp"], sid, {"mode": "foot", "length_m": 300})
    assert not set(second["street"]["blocks"]) & set(street["blocks"])
    state = search_view.street_state(svc, people["disp"], sid)
    assert {x["assignment_id"] for x in state["assignments"]} == {a["id"], second["assignment"]["id"]}
    # by a drawn polygon: only blocks that cross it
    poly = {"type": "Polygon", "coordinates": [[lonlat(-250, -250), lonlat(-150, -250), lonlat(-150, 250),
                                                lonlat(-250, 250), lonlat(-250, -250)]]}
    west = assignments.create_street_assignment(svc, people["disp"], sid,
                                                {"mode": "foot", "length_m": 5000, "polygon": poly})
    assert all("西路" in p or p.startswith(("中街", "南街", "北街")) for p in west["assignment"]["places"])
    for bad, field_name in (({"mode": "boat", "length_m": 500}, "mode"), ({"mode": "foot"}, "length_m"),
                            ({"mode": "foot", "length_m": 10}, "length_m"),
                            ({"mode": "foot", "length_m": 500, "blocks": [10 ** 6]}, "blocks"),
                            ({"mode": "foot", "length_m": 500, "polygon": {"type": "Polygon"}}, "polygon")):
        with pytest.raises(ValidationError) as exc:
            assignments.create_street_assignment(svc, people["disp"], sid, bad)
        assert field_name in exc.value.errors
    with pytest.raises(Forbidden):
        assignments.create_street_assignment(svc, people["off1"], sid, {"mode": "foot", "length_m": 500})


def _walk(svc, actor, sid, pts, start, acc=5.0, n0=0, size=10):
    """Post fixes (x, y metres) 10 s apart in batches of ``size``; returns the streets.covered payloads published."""
    before = len(svc.publisher.events)
    for i in range(0, len(pts), size):
        batch = [{"t": (start + timedelta(seconds=10 * (i + j))).isoformat(), "lon": lonlat(*p)[0],
                  "lat": lonlat(*p)[1], "acc": acc} for j, p in enumerate(pts[i:i + size])]
        field.add_track_batch(svc, actor, sid, {"client_id": f"b-{n0 + i:06d}", "points": batch})
    return [e["payload"] for _, e in svc.publisher.events[before:] if e["type"] == "streets.covered"]


@pytest.mark.parametrize("size", [10, 1])
def test_walking_a_street_turns_its_blocks_searched_live(svc, people, grid_search, size):
    """A phone sending ten fixes a batch, or one (each batch's line starts from the fix stored before it)."""
    _, sid, _ = grid_search
    # off1 walks Middle St from x=-200 to x=200, 6 m north of the centreline, a fix every 10 m
    pts = [(x, 6.0 + (3 if x % 20 else -3)) for x in range(-200, 201, 10)]
    covered = _walk(svc, people["off1"], sid, pts, NOW - timedelta(minutes=5), size=size)
    assert covered and all(p["mode"] == "foot" and p["user_id"] == people["off1"].user_id for p in covered)
    state = {b["index"]: b for b in search_view.street_state(svc, people["disp"], sid)["blocks"]}
    middle = [b for b in state.values() if b["street"]["local"] == "中街" and b["length_m"] == pytest.approx(200, abs=1)]
    assert len(middle) == 2 and all(b["status"] == "searched" for b in middle)
    assert all(0 < b["pod"] < 1 and b["pod_by_mode"]["foot"] == b["pod"] for b in middle)
    crossing = [b for b in state.values() if b["street"]["local"] in ("西路", "中路", "东路") and b["status"] != "not"]
    assert crossing and all(b["status"] == "partly" for b in crossing)
    south = [b for b in state.values() if b["street"]["local"] == "南街"]
    assert all(b["status"] == "not" for b in south)


def test_coarse_fixes_search_no_street(svc, people, grid_search):
    _, sid, _ = grid_search
    pts = [(0.0, y) for y in range(-190, 191, 10)]
    # foot W = 20 m: a fix only counts with accuracy <= 40 m
    assert _walk(svc, people["off1"], sid, pts, NOW - timedelta(minutes=5), acc=60.0) == []
    with svc.reading() as s:
        assert s.execute(select(func.count()).select_from(StreetCoverage)).scalar() == 0


def test_recount_from_stored_tracks(svc, people, grid_search):
    _, sid, _ = grid_search
    _walk(svc, people["off1"], sid, [(x, 0.0) for x in range(-200, 1, 10)], NOW - timedelta(minutes=5))
    before = {b["index"]: b["coverage"] for b in search_view.street_state(svc, people["disp"], sid)["blocks"]
              if b["coverage"]}
    got = coverage.recount(svc, people["disp"], sid)
    after = {b["index"]: b["coverage"] for b in search_view.street_state(svc, people["disp"], sid)["blocks"]
             if b["coverage"]}
    assert got["blocks"] == len(after) and set(after) >= {i for i, c in before.items() if c.get("foot", 0) >= 0.8}
    with pytest.raises(Forbidden):
        coverage.recount(svc, people["off1"], sid)


@pytest.mark.skipif(not (OSM / "helsinki-centre.osm.pbf").exists(), reason="no ../shared/data/osm")
def test_osm_extract_loads_with_names_and_addresses(svc, people):
    data = (OSM / "helsinki-centre.osm.pbf").read_bytes()
    layer = layers.load_layer(svc, people["disp"], data, filename="helsinki-centre.osm.pbf")
    c = layer["counts"]
    assert layer["source"] == "osm" and c["ways"] > 2000 and c["blocks"] > c["ways"] and c["addresses"] > 1000
    assert c["walkable"] > c["drivable"] > 500
    assert layer["bbox"][0] == pytest.approx(24.93, abs=0.02) and layer["bbox"][1] == pytest.approx(60.16, abs=0.02)
    with svc.reading() as s:
        names = set(s.execute(select(StreetWay.name).where(StreetWay.layer_id == layer["id"])).scalars())
    assert {"Mannerheimintie", "Pohjoisesplanadi", "Aleksanterinkatu"} <= names


@pytest.mark.skipif(not (OSM / "helsinki-centre.osm.pbf").exists(), reason="no ../shared/data/osm")
def test_door_to_door_list_along_a_street_assignment(svc, people):
    d, off1 = people["disp"], people["off1"]
    svc.clock.now = NOW
    layers.load_layer(svc, d, (OSM / "helsinki-centre.osm.pbf").read_bytes(), filename="helsinki-centre.osm.pbf")
    sid = searches.open_search(svc, d, search_payload(lkp={"type": "Point", "coordinates": [24.9470, 60.1688]},
                                                      lkp_time=(NOW - timedelta(minutes=20)).isoformat()))["id"]
    searches.add_member(svc, d, sid, off1.user_id)
    searches.add_member(svc, d, sid, people["off2"].user_id)
    team = teams.create_team(svc, d, sid, {"name": "Doors 1", "kind": "door_to_door", "leader_id": off1.user_id})
    a = assignments.create_street_assignment(svc, d, sid, {"mode": "foot", "length_m": 600,
                                                           "team_id": team["id"]})["assignment"]
    listing = doors.door_list(svc, off1, sid, a["id"])
    assert len(listing["doors"]) >= 5 and listing["counts"]["open"] == len(listing["doors"])
    assert all(x["label"] and x["check"] is None for x in listing["doors"])
    first = listing["doors"][0]
    got = doors.check_door(svc, off1, sid, a["id"], {"address_id": first["id"], "outcome": "no_answer",
                                                     "client_id": "door-000001"})
    assert got["outcome"] == "no_answer" and got["address"] == first["label"]
    again = doors.check_door(svc, off1, sid, a["id"], {"address_id": first["id"], "outcome": "no_answer",
                                                       "client_id": "door-000001"})
    assert again == got
    published = [e for _, e in svc.publisher.events if e["type"] == "door.checked"]
    assert len(published) == 1 and published[0]["payload"]["address_id"] == first["id"]
    doors.check_door(svc, off1, sid, a["id"], {"address_id": first["id"], "outcome": "spoken",
                                               "notes": "lives alone, has not seen her", "client_id": "door-000002"})
    after = doors.door_list(svc, d, sid, a["id"])
    assert after["doors"][0]["check"]["outcome"] == "spoken" and after["counts"]["spoken"] == 1
    assert after["counts"]["open"] == len(listing["doors"]) - 1
    for bad, name in (({"address_id": first["id"], "outcome": "maybe"}, "outcome"),
                      ({"address_id": 10 ** 9, "outcome": "spoken"}, "address_id"),
                      ({"outcome": "spoken"}, "address_id")):
        with pytest.raises(ValidationError) as exc:
            doors.check_door(svc, off1, sid, a["id"], bad)
        assert name in exc.value.errors
    with pytest.raises(Forbidden):     # on the search, not on the team
        doors.check_door(svc, people["off2"], sid, a["id"], {"address_id": first["id"], "outcome": "spoken"})
    with pytest.raises(Forbidden):
        doors.door_list(svc, people["outsider"], sid, a["id"])


def test_reach_re_anchors_when_the_last_known_point_moves(svc, people, grid_search):
    _, sid, _ = grid_search
    before = search_view.street_state(svc, people["disp"], sid)
    searches.update_search(svc, people["disp"], sid, {"lkp": {"type": "Point", "coordinates": lonlat(-200, -150)}})
    after = search_view.street_state(svc, people["disp"], sid)
    assert after["reach"]["geometry"] != before["reach"]["geometry"]
    assert after["reach"]["snap_m"] == pytest.approx(0, abs=0.5)          # on 西路 now
    assert after["blocks"][0]["street"]["local"] in ("西路", "南街")
    assert model_read.get_model(svc, people["disp"], sid)["reach"]["geometry"] == after["reach"]["geometry"]


def test_route_between_two_points_follows_the_streets(svc, people, grid_search):
    with svc.reading() as s:
        got = route_between(s, tuple(lonlat(-200, 100)), tuple(lonlat(200, -100)))   # 100 + 400 + 100 along 西路, a street, 东路
        assert got is not None and got["length_m"] == pytest.approx(600, abs=1)
        assert route_between(s, (116.1985, 39.7712), tuple(lonlat(0, 0))) is None   # no layer holds the first


def test_after_a_restart_the_network_is_built_in_the_background(svc, people, grid_search):
    """The model's reach and the live track path never wait for a layer's build: the disc (and no matching) until
    the network is ready, then the isochrone."""
    _, sid, _ = grid_search
    layers.forget_networks()
    first = search_view.street_state(svc, people["disp"], sid)
    model = model_read.get_model(svc, people["disp"], sid)
    assert first["hint"] in ("building", None)
    if first["hint"] == "building":
        assert model["reach"].get("network_pending") or model["reach"].get("network")
    for _ in range(100):
        state = search_view.street_state(svc, people["disp"], sid)
        if state["hint"] is None:
            break
        time.sleep(0.1)
    assert state["reach"] is not None and state["blocks"]
    assert model_read.get_model(svc, people["disp"], sid)["reach"]["network"] is True


def _gate_builds(monkeypatch):
    """Forget the built networks and hold the next background build until the returned event is set."""
    gate = threading.Event()
    real = layers.build

    def held(*args, **kwargs):
        assert gate.wait(30)
        return real(*args, **kwargs)

    layers.forget_networks()
    monkeypatch.setattr(layers, "build", held)
    return gate


@pytest.mark.parametrize("ready_by", ["next_batch", "desk"])
def test_batches_stored_while_the_network_is_built_are_counted_once_it_is_ready(svc, people, grid_search,
                                                                                monkeypatch, ready_by):
    """After a restart the network is built in the background; batches that arrive meanwhile are stored unmatched
    and counted (every stored track again) as soon as it is ready: by the search's next batch, or when the desk's
    streets panel asks again — nobody has to call recount."""
    layer, sid, _ = grid_search
    gate = _gate_builds(monkeypatch)
    west = [(x, 6.0) for x in range(-200, 1, 10)]      # Middle St, x = -200..0: a 200 m block
    assert _walk(svc, people["off1"], sid, west, NOW - timedelta(minutes=5)) == []
    assert search_view.street_state(svc, people["disp"], sid)["hint"] == "building"
    with svc.reading() as s:
        assert s.execute(select(func.count()).select_from(StreetCoverage)).scalar() == 0
    gate.set()
    for _ in range(300):
        with svc.reading() as s:
            if layers.cached_net(s, s.get(StreetLayer, layer["id"])) is not None:
                break
        time.sleep(0.05)
    before = len(svc.publisher.events)
    if ready_by == "next_batch":
        east = [(x, 6.0) for x in range(10, 201, 10)]
        covered = _walk(svc, people["off1"], sid, east, NOW - timedelta(minutes=5) + timedelta(seconds=210), n0=100)
        assert covered and covered[0].get("recount") is True
    state = search_view.street_state(svc, people["disp"], sid)
    assert state["hint"] is None
    published = [e["payload"] for _, e in svc.publisher.events[before:] if e["type"] == "streets.covered"]
    assert published and published[0].get("recount") is True
    x0 = lonlat(0, 0)[0]
    status = {"west" if sum(c[0] for c in b["geometry"]["coordinates"]) / len(b["geometry"]["coordinates"]) < x0
              else "east": b["status"] for b in state["blocks"]
              if b["street"]["local"] == "中街" and b["length_m"] == pytest.approx(200, abs=1)}
    assert status["west"] == "searched"
    if ready_by == "next_batch":
        assert status["east"] == "searched"
    # counted once: a later view recounts nothing more
    again = len(svc.publisher.events)
    search_view.street_state(svc, people["disp"], sid)
    assert not [e for _, e in svc.publisher.events[again:] if e["type"] == "streets.covered"]
