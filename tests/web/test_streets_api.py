"""The streets API over HTTP: a layer uploaded as a multipart file, the search's streets, a street assignment, bad
uploads as 400 naming the field; and the command-line load."""
import io
import json

from support import LKP, PASSWORD  # noqa: F401

from search_coord.cli import streets_cli


def grid_near_lkp() -> bytes:
    """Two crossing streets through a point 20 m east of the demo LKP, with Chinese and English names."""
    lon, lat = LKP
    d = 0.004
    feats = [
        {"type": "Feature", "properties": {"name": "京良路", "name:en": "Jingliang Rd", "highway": "secondary"},
         "geometry": {"type": "LineString", "coordinates": [[lon - d, lat], [lon + 0.0002, lat], [lon + d, lat]]}},
        {"type": "Feature", "properties": {"name": "长阳路", "highway": "residential"},
         "geometry": {"type": "LineString", "coordinates": [[lon + 0.0002, lat - d], [lon + 0.0002, lat],
                                                            [lon + 0.0002, lat + d]]}},
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def upload(c, data: bytes, name="grid.geojson", query=""):
    return c.client.post(f"/api/v1/streets/layers{query}", data={"file": (io.BytesIO(data), name)},
                         headers={"X-CSRF-Token": c.token})


def test_upload_read_and_assign(opened, login):
    sid, disp = opened
    before = disp.get(f"/api/v1/searches/{sid}/streets").get_json()
    assert before["layer"] is None and before["hint"] == "no_layer"
    r = upload(disp, grid_near_lkp(), query="?name=Changyang")
    assert r.status_code == 201, r.get_json()
    layer = r.get_json()
    assert layer["name"] == "Changyang" and layer["counts"]["ways"] == 2 and layer["counts"]["blocks"] == 4
    assert upload(disp, grid_near_lkp()).status_code == 200       # the same file again: the same layer
    assert [x["id"] for x in disp.get("/api/v1/streets/layers").get_json()["layers"]] == [layer["id"]]
    off1 = login("off1")
    state = off1.get(f"/api/v1/searches/{sid}/streets").get_json()
    assert state["layer"]["id"] == layer["id"] and state["reach"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    names = {b["street"]["local"] for b in state["blocks"]}
    assert names == {"京良路", "长阳路"}
    assert disp.get(f"/api/v1/searches/{sid}/model").get_json()["reach"]["network"] is True
    r = disp.post(f"/api/v1/searches/{sid}/streets/assignments", {"mode": "foot", "length_m": 400, "lang": "en"})
    assert r.status_code == 201, r.get_json()
    a = r.get_json()["assignment"]
    assert a["kind"] == "route" and a["places"] and any("Jingliang Rd" in p for p in a["places"])
    r = disp.post(f"/api/v1/searches/{sid}/streets/assignments", {"mode": "car", "length_m": "far"})
    assert r.status_code == 400 and set(r.get_json()["errors"]) >= {"mode", "length_m"}
    assert disp.post(f"/api/v1/searches/{sid}/streets/recount").status_code == 200


def test_bad_uploads_are_400(opened):
    _, disp = opened
    for data, name in ((b"hello", "x.txt"), (b"", "empty.osm.pbf"), (b"<osm version='0.6'><way", "bad.osm")):
        r = upload(disp, data, name)
        assert r.status_code == 400 and "file" in r.get_json()["errors"], (name, r.get_json())
    r = upload(disp, grid_near_lkp(), query="?replace=abc")
    assert r.status_code == 400 and "replace" in r.get_json()["errors"]
    r = upload(disp, grid_near_lkp(), query="?replace=99")
    assert r.status_code == 404
    assert disp.get("/api/v1/streets/layers").get_json()["layers"] == []


def test_command_line_load_and_list(app, tmp_path):
    path = tmp_path / "centrelines.geojson"
    path.write_bytes(grid_near_lkp())
    runner = app.test_cli_runner()
    out = runner.invoke(streets_cli, ["load", str(path), "--name", "Changyang"])
    assert out.exit_code == 0, out.output
    assert "layer 1 Changyang: 2 ways" in out.output and "4 blocks" in out.output
    again = runner.invoke(streets_cli, ["load", str(path)])
    assert "already loaded as layer 1" in again.output
    listed = runner.invoke(streets_cli, ["list"])
    assert "Changyang" in listed.output and "active" in listed.output
    bad = runner.invoke(streets_cli, ["load", str(path), "--user", "off1"])
    assert bad.exit_code != 0 and "no active dispatcher or admin" in bad.output


def test_station_addresses_from_a_csv(opened):
    _, disp = opened
    layer = upload(disp, grid_near_lkp()).get_json()
    lon, lat = LKP
    csv_text = f"lon,lat,street,housenumber,unit\n{lon + 0.001},{lat + 0.0001},京良路,12,\n{lon + 0.002},{lat},京良路,14,商店\n"
    r = disp.client.post(f"/api/v1/streets/layers/{layer['id']}/addresses",
                         data={"file": (io.BytesIO(csv_text.encode()), "addresses.csv")},
                         headers={"X-CSRF-Token": disp.token})
    assert r.status_code == 201 and r.get_json()["added"] == 2
    bad = "lon,lat,street\n200,1,x\nabc,2,y\n"
    r = disp.client.post(f"/api/v1/streets/layers/{layer['id']}/addresses", data=bad.encode(),
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert r.status_code == 400 and "line 2" in r.get_json()["errors"]["file"] and "line 3" in r.get_json()["errors"]["file"]
    listed = disp.get("/api/v1/streets/layers").get_json()["layers"][0]
    assert listed["counts"]["addresses"] == 2
    r = disp.client.post("/api/v1/streets/layers/99/addresses", data=csv_text.encode(),
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert r.status_code == 404


def test_route_picked_along_the_streets_and_a_duration(opened):
    """The preview of a picked route, the assignment made from it, one of a duration; 400 on bad input, nothing
    changed."""
    sid, disp = opened
    assert upload(disp, grid_near_lkp()).status_code == 201
    lon, lat = LKP
    pts = [[lon - 0.003, lat + 0.00005], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.003]]   # along 京良路, up 长阳路
    r = disp.post(f"/api/v1/searches/{sid}/streets/path", {"mode": "vehicle", "points": pts, "lang": "en"})
    assert r.status_code == 200, r.get_json()
    path = r.get_json()
    assert path["geometry"]["type"] == "LineString" and 500 < path["length_m"] < 650
    assert [x.split(":")[0] for x in path["labels"]] == ["Jingliang Rd", "长阳路"] and path["speed_ms"] == 4.0
    r = disp.post(f"/api/v1/searches/{sid}/streets/assignments", {"mode": "vehicle", "points": pts})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["street"]["blocks"] == path["blocks"]
    r = disp.post(f"/api/v1/searches/{sid}/streets/assignments", {"mode": "foot", "duration_min": 8})
    assert r.status_code == 201 and r.get_json()["street"]["target_m"] == 384.0   # 8 min at 0.8 m/s
    made = len(disp.get(f"/api/v1/searches/{sid}/assignments").get_json())
    for url, bad, field in (
            ("path", {"mode": "foot", "points": [pts[0], [lon + 0.01, lat + 0.01]]}, "points"),   # ~1 km off the streets
            ("path", {"mode": "foot", "points": "here"}, "points"),
            ("assignments", {"mode": "foot", "points": [pts[0], [lon + 0.01, lat + 0.01]]}, "points"),
            ("assignments", {"mode": "foot", "duration_min": 0}, "duration_min"),
            ("assignments", {"mode": "foot", "duration_min": 5000}, "duration_min"),
            ("assignments", {"mode": "foot", "duration_min": 10, "length_m": 500}, "duration_min"),
            ("assignments", {"mode": "foot", "points": pts, "length_m": 500}, "length_m")):
        r = disp.post(f"/api/v1/searches/{sid}/streets/{url}", bad)
        assert r.status_code == 400 and field in r.get_json()["errors"], (url, bad, r.get_json())
    far = disp.post(f"/api/v1/searches/{sid}/streets/path", {"mode": "foot", "points": [pts[0], [lon + 0.01, lat + 0.01]]})
    assert "from the nearest walkable street (at most 100 m)" in far.get_json()["errors"]["points"]
    assert len(disp.get(f"/api/v1/searches/{sid}/assignments").get_json()) == made
