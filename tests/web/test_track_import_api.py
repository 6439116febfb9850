"""Importing GPX / KML tracks through the API: the handheld case file once, coverage counted, live event, notes per
point, permissions, bad files."""
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support import FakeClock, search_payload, square

from search_coord.adapters.models import TrackImport, TrackPoint

CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data"
HERE = [116.30, 39.90]
T0 = datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc)
URL = "/api/v1/searches/{}/tracks/import"


def setup_search(app, login):
    """A search whose last known point is where the case files are, the clock at T0 + 3 h, a segment on the track."""
    app.extensions["search_coord"].clock = FakeClock(T0 + timedelta(hours=3))
    disp = login("disp")
    r = disp.post("/api/v1/searches", search_payload(lkp={"type": "Point", "coordinates": HERE},
                                                      lkp_time="2026-11-29T09:30:00Z"))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    seg = disp.post(f"/api/v1/searches/{sid}/segments", {"geometry": square(116.3003, 39.9003, 0.002)})
    assert seg.status_code == 201, seg.get_json()
    return sid, disp


def send(c, sid, data, name="track.gpx", **form):
    return c.client.post(URL.format(sid), data={"file": (io.BytesIO(data), name), **form},
                         headers={"X-CSRF-Token": c.token})


def stored_points(app, sid) -> int:
    with app.extensions["search_coord"].reading() as s:
        return s.query(TrackPoint).filter(TrackPoint.search_id == sid).count()


def gpx_walk(n=20, start=T0 + timedelta(minutes=30)) -> bytes:
    pts = "".join(f'<trkpt lat="{39.899 + i * 0.0001:.5f}" lon="{116.299 + i * 0.0001:.5f}"><time>'
                  f'{(start + timedelta(seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>'
                  for i in range(n))
    return (f'<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{pts}'
            "</trkseg></trk></gpx>").encode()


def test_the_handheld_case_file_is_imported_once_with_coverage_and_notes(app, login):
    sid, disp = setup_search(app, login)
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "Team 2", "kind": "foot_patrol"}).get_json()
    data = (CASES / "handheld.gpx").read_bytes()
    r = send(disp, sid, data, "handheld.gpx", unit="Team 2 handheld", team_id=str(team["id"]))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["duplicate"] is False and body["format"] == "gpx" and body["points_in_file"] == 8
    assert body["unit"]["name"] == "Team 2 handheld" and body["team_id"] == team["id"]
    assert body["counts"] == {"read": 8, "taken": 7, "repeated": 1, "interpolated": 1}
    assert {n["index"]: n["status"] for n in body["notes"]} == {3: "repeated", 6: "interpolated"}
    assert body["stored"] == 7 and stored_points(app, sid) == 7
    assert body["coverage"] and all(v > 0 for v in body["coverage"].values())
    model = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    assert any(s["coverage"] > 0 for s in model["segments"])

    # the same file again, even under another name: stored once, answered as a duplicate
    again = send(disp, sid, data, "copy.gpx", unit="Someone else")
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["id"] == body["id"] and stored_points(app, sid) == 7

    # the unit is on the search and its track is on the map, drawn from the same live event as a phone's
    state = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    unit = next(m for m in state["members"] if m["id"] == body["unit"]["id"])
    assert unit["role"] == "unit" and unit["active"] is False and unit["display_name"] == "Team 2 handheld"
    assert len(state["tracks"][str(unit["id"])]) == 7
    assert unit["id"] in next(t for t in state["teams"] if t["id"] == team["id"])["member_ids"]
    evs = disp.get(f"/api/v1/searches/{sid}/events").get_json()["events"]
    points = [e for e in evs if e["type"] == "track.points"]
    imported = [e for e in evs if e["type"] == "track.imported"]
    assert len(points) == 1 and points[0]["payload"]["user_id"] == unit["id"] and points[0]["payload"]["points"]
    assert len(imported) == 1 and imported[0]["payload"]["filename"] == "handheld.gpx"
    assert imported[0]["payload"]["stored"] == 7


def test_the_unit_cannot_log_in(app, login):
    sid, disp = setup_search(app, login)
    body = send(disp, sid, gpx_walk(), unit="Vehicle 3 tracker").get_json()
    anon = login(None)
    for password in ("", "!", "x"):
        r = anon.post("/api/v1/session", {"username": f"unit-{sid}-x", "password": password})
        assert r.status_code == 401
    users = disp.get("/api/v1/users").get_json()
    unit = next(u for u in users if u["id"] == body["unit"]["id"])
    r = anon.post("/api/v1/session", {"username": unit["username"], "password": "!"})
    assert r.status_code == 401


def test_the_same_unit_name_reuses_the_unit_and_a_kml_track_imports(app, login):
    sid, disp = setup_search(app, login)
    first = send(disp, sid, gpx_walk(), unit="Vehicle 3").get_json()
    t = T0 + timedelta(hours=1)
    whens = "".join(f"<when>{(t + timedelta(seconds=5 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</when>" for i in range(5))
    coords = "".join(f"<gx:coord>{116.3 + i * 0.0002} {39.9 + i * 0.0001} 50</gx:coord>" for i in range(5))
    kml = ('<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>'
           f"<Placemark><name>V3</name><gx:Track>{whens}{coords}</gx:Track></Placemark></Document></kml>").encode()
    r = send(disp, sid, kml, "v3.kml", unit="  vehicle 3 ")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["format"] == "kml" and r.get_json()["stored"] == 5
    assert r.get_json()["unit"]["id"] == first["unit"]["id"]


def test_only_a_dispatcher_imports(app, login):
    sid, disp = setup_search(app, login)
    off1 = login("off1")
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off1.user["id"]}).status_code == 201
    r = send(off1, sid, gpx_walk(), unit="Mine")
    assert r.status_code == 403 and stored_points(app, sid) == 0
    assert send(login(None), sid, gpx_walk(), unit="x").status_code == 401
    assert send(disp, 999, gpx_walk(), unit="x").status_code == 404


def test_bad_files_and_fields_are_refused_and_change_nothing(app, login):
    sid, disp = setup_search(app, login)
    cases = [
        (b"<html>no</html>", {"unit": "U"}, "file"),
        (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>',
         {"unit": "U"}, "file"),
        (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="39.9" lon="116.3"/>'
         b'<rtept lat="39.91" lon="116.31"/></rte></gpx>', {"unit": "U"}, "file"),      # a route: no times
        (gpx_walk(start=T0 - timedelta(hours=2)), {"unit": "U"}, "file"),               # all before the disappearance
        (gpx_walk(), {}, "unit"),
        (gpx_walk(), {"unit": "U", "team_id": "99"}, "team_id"),
        (gpx_walk(), {"unit": "U", "team_id": "abc"}, "team_id"),
    ]
    for data, form, field in cases:
        r = send(disp, sid, data, **form)
        assert r.status_code == 400, (form, r.get_json())
        assert field in r.get_json()["errors"], r.get_json()
    r = disp.client.post(URL.format(sid), data={"unit": "U"}, headers={"X-CSRF-Token": disp.token})
    assert r.status_code == 400 and "file" in r.get_json()["errors"]
    r = send(disp, sid, b"<gpx>" + b" " * (8 * 1024 * 1024) + b"</gpx>", unit="U")
    assert r.status_code == 413
    assert stored_points(app, sid) == 0
    with app.extensions["search_coord"].reading() as s:
        assert s.query(TrackImport).count() == 0


def test_points_before_the_disappearance_are_reported_not_stored(app, login):
    sid, disp = setup_search(app, login)
    r = send(disp, sid, gpx_walk(n=20, start=T0 - timedelta(seconds=50)), unit="Early")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["counts"]["before_missing"] == 5 and body["stored"] == 15
    assert [n["index"] for n in body["notes"] if n["status"] == "before_missing"] == [0, 1, 2, 3, 4]


def test_a_file_exported_again_or_grown_counts_each_fix_once(app, login):
    """The same walk in another file (grown by 5 points, times in +08:00, GPX 1.0): only new fixes are stored and the
    coverage grows only by them."""
    sid, disp = setup_search(app, login)
    first = send(disp, sid, gpx_walk(20), unit="eTrex 10").get_json()
    assert first["stored"] == 20
    cov = lambda: sum(s["coverage"] for s in disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"])  # noqa: E731
    before = cov()
    grown = send(disp, sid, gpx_walk(25), "grown.gpx", unit="eTrex 10").get_json()
    assert grown["duplicate"] is False and grown["stored"] == 5
    after_grown = cov()
    assert after_grown > before
    local = gpx_walk(25).decode().replace('version="1.1"', 'version="1.0"').replace(
        "http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0")
    for i in range(25):   # the same instants written in Beijing time
        utc = (T0 + timedelta(minutes=30, seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        bj = (T0 + timedelta(minutes=30, seconds=10 * i, hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        local = local.replace(utc, bj)
    again = send(disp, sid, local.encode(), "v10.gpx", unit="eTrex 10").get_json()
    assert again["stored"] == 0 and cov() == after_grown
    assert stored_points(app, sid) == 25
