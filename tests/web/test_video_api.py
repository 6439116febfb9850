"""Video review through the API and the live stream: the camera registry, proposals with windows, tasks, reviewed
intervals and overlap warnings, sightings, the trail, the last known point moving, and the blind spot."""
import json

import pytest
import shapely

from datetime import timedelta

from support import LKP, T0, FakeClock
from search_coord.extensions import socketio

M_LON, M_LAT = 1 / 85_600, 1 / 111_000  # degrees per metre here, roughly


def at(east_m=0.0, north_m=0.0):
    return [LKP[0] + east_m * M_LON, LKP[1] + north_m * M_LAT]


def cam(disp, code, east_m=0.0, north_m=0.0, **kw):
    r = disp.post("/api/v1/cameras", {"code": code, "name": f"Camera {code}", "location": at(east_m, north_m),
                                      "kind": kw.pop("kind", "public_security"), **kw})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def video(app, login, opened):
    """The search (17:30 LKP, now 18:00 Beijing), off1 and off2 on a video-review team, and cameras: C1 at the
    LKP looking east, C2 500 m east, C3 3 km east (beyond 30 minutes' walk), C4 50 km away."""
    app.extensions["search_coord"].clock = FakeClock(T0 + timedelta(minutes=30))  # 18:00 in Beijing
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off2.user["id"]})
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "V1", "kind": "video_review",
                                                        "leader_id": off1.user["id"]}).get_json()
    cams = {"C1": cam(disp, "C1", 0, 0, direction_deg=90, fov_deg=70, range_m=40, retention_days=30),
            "C2": cam(disp, "C2", 500, 0, retention_days=0.5),
            "C3": cam(disp, "C3", 3000, 0),
            "C4": cam(disp, "C4", 50_000, 0)}
    return {"sid": sid, "disp": disp, "off1": off1, "off2": off2, "team": team, "cams": cams}


def test_camera_registry_validates_and_round_trips_csv_and_geojson(login, video):
    disp, off1 = video["disp"], video["off1"]
    bad = disp.post("/api/v1/cameras", {"code": "C1", "name": "", "location": [0, 95], "kind": "drone",
                                        "fov_deg": 0})
    assert bad.status_code == 400
    assert set(bad.get_json()["errors"]) == {"name", "location", "kind", "fov_deg"}
    dup = disp.post("/api/v1/cameras", {"code": "C1", "name": "x", "location": LKP, "kind": "shop"})
    assert dup.status_code == 400 and "already" in dup.get_json()["errors"]["code"]
    assert off1.post("/api/v1/cameras", {"code": "C8", "name": "x", "location": LKP, "kind": "shop"}).status_code == 403

    exported = disp.get("/api/v1/cameras/export?format=csv")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("code,name,lon,lat,kind") and len(text.splitlines()) == 5

    # One bad row: nothing is stored, every bad row is named.
    csv_bad = text + "C5,New,116.2,39.77,shop\nC6,Bad,116.2,95,shop\nC7,Worse,116.2,39.77,zeppelin\n"
    r = disp.client.post("/api/v1/cameras/import?format=csv", data=csv_bad.encode(),
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert r.status_code == 400, r.get_json()
    assert set(r.get_json()["errors"]) == {"row 7.lat", "row 8.kind"}  # the header is row 1
    assert len(disp.get("/api/v1/cameras").get_json()) == 4

    # Every bad value of a row is named, not only the first.
    r = disp.client.post("/api/v1/cameras/import?format=csv", data=(
        "code,name,lon,lat,kind,direction_deg,fov_deg,range_m\nC9,X,116.2,39.77,shop,abc,720,-1\n").encode(),
        headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert set(r.get_json()["errors"]) == {"row 2.direction_deg", "row 2.fov_deg", "row 2.range_m"}
    assert text.startswith("\ufeff")  # so that spreadsheets read the Chinese names as UTF-8

    # Re-importing the export with an edit and a new row: updates by code, creates the new one.
    edited = text.replace("Camera C2", "Camera C2 (gate)") + "C5,New,116.2,39.77,shop\n"
    r = disp.client.post("/api/v1/cameras/import?format=csv", data=edited.encode(),
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert {k: r.get_json()[k] for k in ("created", "updated")} == {"created": 1, "updated": 4}
    names = {c["code"]: c["name"] for c in disp.get("/api/v1/cameras").get_json()}
    assert names["C2"] == "Camera C2 (gate)" and names["C5"] == "New"

    geo = json.loads(disp.get("/api/v1/cameras/export?format=geojson").get_data(as_text=True))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 5
    geo["features"][0]["properties"]["clock_offset_s"] = 95.0
    r = disp.client.post("/api/v1/cameras/import?format=geojson", data=json.dumps(geo).encode(),
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "application/geo+json"})
    assert {k: r.get_json()[k] for k in ("created", "updated")} == {"created": 0, "updated": 5}
    c1 = next(c for c in disp.get("/api/v1/cameras").get_json() if c["code"] == "C1")
    assert c1["clock_offset_s"] == 95.0 and c1["cone"]["type"] == "Polygon" and c1["direction"] == "E"


def test_proposals_rank_by_probability_with_windows_and_retention(video):
    sid, disp = video["sid"], video["disp"]
    data = disp.get(f"/api/v1/searches/{sid}/video").get_json()
    # the panel names only the cameras of its proposals, tasks, stretches and sightings; C3 is in the region (counted)
    # but cannot have been reached; the map reads the region's cameras by its view (GET /cameras/area)
    assert {c["code"] for c in data["cameras"]} == {"C1", "C2"} and data["cameras_in_region"] == 3
    area = disp.get(f"/api/v1/cameras/area?bbox=115,39,117,41&zoom=17&search_id={sid}").get_json()
    assert {c["code"] for c in area["cameras"]} >= {"C1", "C2", "C3"}
    assert "C4" not in {c["code"] for c in area["cameras"]}  # outside the search's region
    props = {p["code"]: p for p in data["proposals"]}
    assert set(props) == {"C1", "C2"}  # C3 cannot have been reached in 30 minutes at 1.3 m/s
    assert [p["code"] for p in data["proposals"]] == ["C1", "C2"]  # the LKP's own camera sees the densest ground
    assert props["C1"]["probability"] > props["C2"]["probability"] > 0
    assert props["C1"]["start"] == "2026-11-28T09:30:00.000Z" and props["C1"]["end"] == "2026-11-28T10:00:00.000Z"
    # 500 m at 1.3 m/s: the earliest he can have passed C2 is 6 min 25 s after 17:30.
    assert props["C2"]["start"].startswith("2026-11-28T09:36:2") and props["C2"]["window_s"] < 1800
    assert props["C2"]["retention"]["status"] == "expiring" and props["C1"]["retention"]["status"] == "ok"
    task = disp.post(f"/api/v1/searches/{sid}/video/tasks", {
        "camera_id": props["C2"]["camera_id"], "start": props["C2"]["start"], "end": props["C2"]["end"],
        "team_id": video["team"]["id"]}).get_json()
    again = {p["code"]: p for p in disp.get(f"/api/v1/searches/{sid}/video").get_json()["proposals"]}
    assert again["C2"]["task_id"] == task["id"] and again["C1"]["task_id"] is None


def test_tasks_refuse_bad_windows_and_cameras_and_reviewers_track_footage(video):
    sid, disp, off1, off2 = video["sid"], video["disp"], video["off1"], video["off2"]
    c1, c4 = video["cams"]["C1"]["id"], video["cams"]["C4"]["id"]
    base = {"start": "2026-11-28T17:40:00+08:00", "end": "2026-11-28T18:00:00+08:00"}
    r = disp.post(f"/api/v1/searches/{sid}/video/tasks", {**base, "camera_id": c1, "end": "2026-11-28T17:35:00+08:00"})
    assert r.status_code == 400 and r.get_json()["errors"] == {"end": "must be after the start"}
    r = disp.post(f"/api/v1/searches/{sid}/video/tasks", {**base, "camera_id": c4})
    assert r.status_code == 400 and "outside this search's region" in r.get_json()["errors"]["camera_id"]
    r = disp.post(f"/api/v1/searches/{sid}/video/tasks", {**base, "camera_id": 999})
    assert r.status_code == 400 and "not in the registry" in r.get_json()["errors"]["camera_id"]
    task = disp.post(f"/api/v1/searches/{sid}/video/tasks", {**base, "camera_id": c1,
                                                              "reviewer_id": off1.user["id"]}).get_json()
    assert task["footage"] == "not_requested" and task["status"] == "open" and task["reviewed_s"] == 0
    assert task["retention"]["status"] == "ok"  # kept 30 days
    c2 = disp.post(f"/api/v1/searches/{sid}/video/tasks", {**base, "camera_id": video["cams"]["C2"]["id"]}).get_json()
    assert c2["retention"]["status"] == "expiring"  # kept half a day: request the footage now
    url = f"/api/v1/searches/{sid}/video/tasks/{task['id']}"
    r = off1.patch(url, {"footage": "received"})
    assert r.status_code == 200 and r.get_json()["footage"] == "received"
    r = off1.patch(url, {"reviewer_id": off2.user["id"]})
    assert r.status_code == 400 and r.get_json()["errors"] == {"reviewer_id": "only a dispatcher may change this"}
    assert off2.patch(url, {"status": "done"}).status_code == 403
    assert disp.patch(url, {"footage": "lost"}).status_code == 400


def test_intervals_correct_the_recorder_clock_and_warn_before_a_second_review(video):
    sid, disp, off1, off2 = video["sid"], video["disp"], video["off1"], video["off2"]
    c1 = video["cams"]["C1"]["id"]
    disp.patch(f"/api/v1/cameras/{c1}", {"clock_offset_s": 120})  # the recorder runs 2 minutes fast
    task = disp.post(f"/api/v1/searches/{sid}/video/tasks", {
        "camera_id": c1, "start": "2026-11-28T17:30:00+08:00", "end": "2026-11-28T18:00:00+08:00",
        "reviewer_id": off1.user["id"]}).get_json()
    assert task["recorder_start"] == "2026-11-28T09:32:00.000Z"
    url = f"/api/v1/searches/{sid}/video/intervals"
    bad = off1.post(url, {"camera_id": c1, "start": "2026-11-28T17:50:00+08:00", "end": "2026-11-28T17:40:00+08:00"})
    assert bad.status_code == 400 and bad.get_json()["errors"] == {"end": "must be after the start"}
    early = off1.post(url, {"camera_id": c1, "start": "2026-11-28T16:00:00+08:00", "end": "2026-11-28T17:00:00+08:00"})
    assert early.status_code == 400 and "before the subject went missing" in early.get_json()["errors"]["end"]

    first = {"camera_id": c1, "task_id": task["id"], "start": "2026-11-28T17:42:00+08:00",
             "end": "2026-11-28T17:52:00+08:00", "client_id": "iv-000000001"}
    r = off1.post(url, first)
    assert r.status_code == 201, r.get_json()
    iv = r.get_json()["interval"]
    assert (iv["start"], iv["end"]) == ("2026-11-28T09:40:00.000Z", "2026-11-28T09:50:00.000Z")
    assert off1.post(url, first).status_code == 200  # a retry: stored once

    # Off2 holds nothing here; asking first shows off1's review, recording is refused until confirmed.
    ask = off2.post(f"/api/v1/searches/{sid}/video/overlaps", {"camera_id": c1, "start": "2026-11-28T17:47:00+08:00",
                                                                "end": "2026-11-28T17:57:00+08:00"}).get_json()
    assert [(o["kind"], o["name"]) for o in ask["overlaps"]] == [("reviewed", "Off1"), ("task", "Off1")]
    second = {"camera_id": c1, "start": "2026-11-28T17:47:00+08:00", "end": "2026-11-28T17:57:00+08:00"}
    r = off2.post(url, second)
    assert r.status_code == 409 and r.get_json()["error"] == "overlap"
    assert r.get_json()["overlaps"][0]["start"] == "2026-11-28T09:40:00.000Z"
    assert off2.post(url, {**second, "confirm_overlap": True}).status_code == 201

    video_state = disp.get(f"/api/v1/searches/{sid}/video").get_json()
    assert len(video_state["intervals"]) == 2
    t = video_state["tasks"][0]
    assert t["status"] == "in_progress" and t["reviewed_s"] == 15 * 60  # 17:40-17:55 of 17:30-18:00
    assert t["reviewed"] == [["2026-11-28T09:40:00.000Z", "2026-11-28T09:55:00.000Z"]]


def test_an_exit_camera_reviewed_without_the_subject_counts_as_a_search(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    gate = cam(disp, "G1", 100, 0, covers_exit=True, direction_deg=0, fov_deg=90, range_m=60)
    disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 400})
    r = off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": gate["id"], "pod": 0.7,
                                                               "start": "2026-11-28T17:30:00+08:00",
                                                               "end": "2026-11-28T18:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    area = r.get_json()["area"]
    assert area["pod"] == 0.7 and area["geometry"]["type"] == "Polygon"
    state = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    assert [a["id"] for a in state["searched_areas"]] == [area["id"]]
    assert any(s["coverage"] > 0 for s in disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"])


def test_sightings_refuse_bad_input(video):
    sid, off1 = video["sid"], video["off1"]
    url = f"/api/v1/searches/{sid}/video/sightings"
    c1, c4 = video["cams"]["C1"]["id"], video["cams"]["C4"]["id"]
    ok = {"camera_id": c1, "time": "2026-11-28T17:45:00+08:00", "confidence": "probable", "direction": "E"}
    for change, field in (({"time": "2026-11-28T17:00:00+08:00"}, "time"), ({"time": "2026-11-28T19:00:00+08:00"}, "time"),
                          ({"direction": "east-ish"}, "direction"), ({"confidence": "maybe"}, "confidence"),
                          ({"camera_id": c4}, "camera_id"), ({"photo_id": 999}, "photo_id")):
        r = off1.post(url, {**ok, **change})
        assert r.status_code == 400 and field in r.get_json()["errors"], (change, r.get_json())
    big = off1.client.post("/api/v1/photos", data={"photo": (__import__("io").BytesIO(
        b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 1024 * 1024)), "big.png")}, headers={"X-CSRF-Token": off1.token})
    assert big.status_code in (400, 413)
    assert video["disp"].get(f"/api/v1/searches/{sid}/video").get_json()["sightings"] == []


def _sight(off, sid, camera_id, time, direction="E", confidence="certain"):
    r = off.post(f"/api/v1/searches/{sid}/video/sightings", {"camera_id": camera_id, "time": time,
                                                              "direction": direction, "confidence": confidence,
                                                              "clock": "true"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_confirming_a_later_sighting_moves_the_search_and_alerts_everyone(app, login, video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    c2 = video["cams"]["C2"]["id"]
    disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 400})
    member = socketio.test_client(app, namespace="/live", flask_test_client=off1.client)
    member.emit("join", {"search_id": sid, "after": 10_000}, namespace="/live", callback=True)
    member.get_received("/live")

    x = _sight(off1, sid, c2, "2026-11-28T17:42:00+08:00")
    assert x["status"] == "pending" and x["direction_deg"] == 90
    r = disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision",
                  {"decision": "confirm", "tz_offset_min": 480})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["lkp_moved"] is True
    assert disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision",
                     {"decision": "reject"}).status_code == 409

    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["lkp"]["coordinates"] == pytest.approx(at(500, 0))
    assert search["lkp_time"] == "2026-11-28T09:42:00.000Z" and search["heading_deg"] == 90
    assert search["lkp_history"][0]["lkp"]["coordinates"] == LKP

    got = [m["args"][0] for m in member.get_received("/live") if m["name"] == "event"]
    types = [e["type"] for e in got]
    assert types[:4] == ["video.sighting_logged", "search.updated", "video.sighting_decided", "broadcast.sent"]
    assert "model.recomputed" in types
    alert = got[3]["payload"]["broadcast"]
    assert alert["kind"] == "sighting" and alert["text"].startswith("Seen 17:42 at camera C2 (Camera C2), heading east.")
    assert "向东方向" in alert["text"]
    assert got[2]["payload"]["trail"]["points"][0]["code"] == "C2"
    origin = got[2]["payload"]["trail"]["origin"]  # the walk from the first last known point, 500 m in 12 min
    assert origin["location"]["coordinates"] == LKP and origin["leg"]["distance_m"] == pytest.approx(500, rel=0.01)
    assert origin["leg"]["seconds"] == 720 and origin["leg"]["flag"] is None
    assert [b["kind"] for b in off1.get(f"/api/v1/searches/{sid}/broadcasts").get_json()] == ["sighting"]

    # The model now tilts east of the new point: the segment just east holds more than the one just west.
    model = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    def poa_at(east_m):
        from shapely.geometry import Point, shape
        p = Point(*at(east_m, 0))
        return next(s["poa0"] for s in model["segments"] if shape(s["geometry"]).contains(p))
    assert poa_at(900) > 1.5 * poa_at(100)
    # Review windows now start from the sighting: C1 (500 m back west) from 17:42 + 500 m at 1.3 m/s.
    props = {p["code"]: p for p in disp.get(f"/api/v1/searches/{sid}/video").get_json()["proposals"]}
    assert props["C1"]["start"].startswith("2026-11-28T09:48:2")


def test_trail_orders_confirmed_sightings_and_flags_impossible_speeds(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    cams = video["cams"]
    late = _sight(off1, sid, cams["C2"]["id"], "2026-11-28T17:50:00+08:00")      # 500 m in 10 min: fine
    early = _sight(off1, sid, cams["C1"]["id"], "2026-11-28T17:40:00+08:00")
    far = _sight(off1, sid, cams["C3"]["id"], "2026-11-28T17:55:00+08:00")       # 2.5 km in 5 min: no walker
    wrong = _sight(off1, sid, cams["C1"]["id"], "2026-11-28T17:52:00+08:00", confidence="possible")
    for x in (late, early, far):
        assert disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision",
                         {"decision": "confirm"}).status_code == 200
    assert disp.post(f"/api/v1/searches/{sid}/video/sightings/{wrong['id']}/decision",
                     {"decision": "reject", "note": "different coat"}).status_code == 200
    trail = disp.get(f"/api/v1/searches/{sid}/video/trail").get_json()
    assert [p["code"] for p in trail["points"]] == ["C1", "C2", "C3"]
    assert [leg["flag"] for leg in trail["legs"]] == [None, "implausible"]
    assert trail["legs"][0]["speed_ms"] == pytest.approx(500 / 600, rel=0.02)
    assert trail["line"]["type"] == "LineString"
    assert disp.get(f"/api/v1/searches/{sid}/state").get_json()["trail"] == trail
    # An earlier sighting confirmed after a later one does not move the last known point back.
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["lkp_time"] == "2026-11-28T09:55:00.000Z"


def test_blind_spot_between_the_last_camera_and_the_cleared_ones_becomes_segments(app, video, login):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    # Last seen at C1 (the LKP) heading east at 17:35; C2 500 m east reviewed 17:35-18:00 without him.
    c1, c2 = video["cams"]["C1"]["id"], video["cams"]["C2"]["id"]
    assert disp.get(f"/api/v1/searches/{sid}/video/blind-spot").get_json()["reason"] == "no confirmed sighting yet"
    x = _sight(off1, sid, c1, "2026-11-28T17:35:00+08:00")
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision", {"decision": "confirm"})
    none_yet = disp.get(f"/api/v1/searches/{sid}/video/blind-spot").get_json()
    assert none_yet["geometry"] is None and none_yet["reason_code"] == "none_cleared"
    off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": c2, "clock": "true",
                                                           "start": "2026-11-28T17:35:00+08:00",
                                                           "end": "2026-11-28T18:00:00+08:00"})
    spot = disp.get(f"/api/v1/searches/{sid}/video/blind-spot").get_json()
    assert spot["clear_camera_ids"] == [c2] and spot["from_camera_id"] == c1
    from shapely.geometry import Point, shape
    geom = shape(spot["geometry"])
    assert geom.contains(Point(*at(150, 0))) and not geom.contains(Point(*at(400, 0)))
    assert not geom.contains(Point(*at(-150, 0)))  # behind him

    disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 400})
    r = disp.post(f"/api/v1/searches/{sid}/video/blind-spot/segments")
    assert r.status_code == 201, r.get_json()
    made = r.get_json()["segments"]
    names = [s["name"] for s in made]
    assert names and all(n.startswith("BS") for n in names) and r.get_json()["reshaped"]
    model = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    segs = {s["name"]: s for s in model["segments"]}
    blind = shapely.union_all([shape(segs[n]["geometry"]) for n in names])
    assert blind.area == pytest.approx(geom.area, rel=1e-3)
    assert sum(shape(s["geometry"]).intersection(blind).area
               for n, s in segs.items() if n not in names) < 1e-5 * blind.area  # cut out: never counted twice
    density = {n: s["poa0"] / s["area_m2"] for n, s in segs.items()}
    assert max(density, key=density.get) in names
    assert sum(s["poa0"] for s in model["segments"]) + model["row0"] == pytest.approx(1.0)
    # A patrol team is sent there first.
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol"})
    sugg = disp.get(f"/api/v1/searches/{sid}/model").get_json()["suggestions"]
    assert sugg and sugg[0]["segment"] in names


def test_a_camera_added_on_the_map_during_a_search_is_announced(app, video):
    sid, disp = video["sid"], video["disp"]
    r = disp.post("/api/v1/cameras", {"code": "S1", "name": "Shop door", "location": at(50, 50), "kind": "shop",
                                      "search_id": sid})
    assert r.status_code == 201
    evs = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
    assert evs[-1]["type"] == "camera.added" and evs[-1]["payload"]["camera"]["code"] == "S1"
    assert disp.post("/api/v1/cameras", {"code": "S2", "name": "x", "location": LKP, "kind": "shop",
                                         "search_id": 999}).status_code == 404
    assert "S2" not in {c["code"] for c in disp.get("/api/v1/cameras").get_json()}


def test_reviewers_of_one_team_are_warned_about_each_others_named_tasks(video):
    sid, disp, off1, off2 = video["sid"], video["disp"], video["off1"], video["off2"]
    c1 = video["cams"]["C1"]["id"]
    disp.patch(f"/api/v1/searches/{sid}/teams/{video['team']['id']}", {"member_ids": [off2.user["id"]]})
    disp.post(f"/api/v1/searches/{sid}/video/tasks", {"camera_id": c1, "start": "2026-11-28T17:30:00+08:00",
                                                       "end": "2026-11-28T18:00:00+08:00",
                                                       "team_id": video["team"]["id"], "reviewer_id": off2.user["id"]})
    r = off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": c1, "start": "2026-11-28T17:40:00+08:00",
                                                               "end": "2026-11-28T17:50:00+08:00"})
    assert r.status_code == 409 and [(o["kind"], o["name"]) for o in r.get_json()["overlaps"]] == [("task", "Off2")]
    assert "recorder_start" in r.get_json()["overlaps"][0]
    # A task for the team as a whole is the team's: its members review it without a warning.
    c2 = video["cams"]["C2"]["id"]
    disp.post(f"/api/v1/searches/{sid}/video/tasks", {"camera_id": c2, "start": "2026-11-28T17:30:00+08:00",
                                                       "end": "2026-11-28T18:00:00+08:00", "team_id": video["team"]["id"]})
    assert off1.post(f"/api/v1/searches/{sid}/video/intervals", {
        "camera_id": c2, "start": "2026-11-28T17:40:00+08:00", "end": "2026-11-28T17:50:00+08:00"}).status_code == 201


def test_more_refusals_change_nothing(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    far = disp.post("/api/v1/cameras", {"code": "SH1", "name": "Shanghai", "location": [121.47, 31.23],
                                        "kind": "shop", "search_id": sid})
    assert far.status_code == 400 and "outside this search's region" in far.get_json()["errors"]["location"]
    assert "SH1" not in {c["code"] for c in disp.get("/api/v1/cameras").get_json()}
    early = off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": video["cams"]["C1"]["id"],
                                                                   "start": "2026-11-26T17:30:00+08:00",
                                                                   "end": "2026-11-28T17:40:00+08:00"})
    assert early.status_code == 400 and "an hour before" in early.get_json()["errors"]["start"]
    assert disp.get(f"/api/v1/searches/{sid}/video").get_json()["intervals"] == []


def test_an_earlier_sighting_confirmed_late_fills_the_trail_without_an_alert(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    later = _sight(off1, sid, video["cams"]["C2"]["id"], "2026-11-28T17:50:00+08:00")
    earlier = _sight(off1, sid, video["cams"]["C1"]["id"], "2026-11-28T17:40:00+08:00")
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{later['id']}/decision", {"decision": "confirm"})
    r = disp.post(f"/api/v1/searches/{sid}/video/sightings/{earlier['id']}/decision", {"decision": "confirm"})
    assert r.get_json()["lkp_moved"] is False and len(r.get_json()["trail"]["points"]) == 2
    assert len(disp.get(f"/api/v1/searches/{sid}/broadcasts").get_json()) == 1  # the later one's alert only
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["missing_since"] == "2026-11-28T09:30:00.000Z"  # not moved by sightings
    assert search["lkp_time"] == "2026-11-28T09:50:00.000Z"


def test_cameras_on_the_way_between_two_known_points_are_proposed_with_their_window(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    mid = cam(disp, "M1", 250, 20)      # on the way from the LKP to C2, 500 m east
    cam(disp, "M2", 250, -400)          # a long detour: cannot have passed it in 12 minutes
    x = _sight(off1, sid, video["cams"]["C2"]["id"], "2026-11-28T17:42:00+08:00")
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision", {"decision": "confirm"})
    route = disp.get(f"/api/v1/searches/{sid}/video").get_json()["route_proposals"]
    codes = [p["code"] for p in route]
    assert codes[0] == "M1" and "M2" not in codes and "C2" not in codes
    m1 = route[0]
    assert m1["detour_m"] < 5 and m1["kind"] == "route"
    # 250 m from each end at 1.3 m/s: from 17:33:12 to 17:38:48
    assert m1["start"].startswith("2026-11-28T09:33:1") and m1["end"].startswith("2026-11-28T09:38:4")
    assert m1["camera_id"] == mid["id"]


def test_a_pending_sighting_shows_the_speed_it_implies_before_it_is_confirmed(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    first = _sight(off1, sid, video["cams"]["C1"]["id"], "2026-11-28T17:40:00+08:00")
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{first['id']}/decision", {"decision": "confirm"})
    _sight(off1, sid, video["cams"]["C3"]["id"], "2026-11-28T17:45:00+08:00")   # 3 km in 5 min
    _sight(off1, sid, video["cams"]["C2"]["id"], "2026-11-28T17:50:00+08:00")   # 500 m in 10 min
    pending = {x["code"]: x for x in disp.get(f"/api/v1/searches/{sid}/video").get_json()["sightings"]
               if x["status"] == "pending"}
    assert pending["C3"]["implied"]["flag"] == "implausible" and pending["C3"]["implied"]["from"] == first["id"]
    assert pending["C2"]["implied"]["flag"] is None
    assert pending["C2"]["implied"]["speed_ms"] == pytest.approx(500 / 600, rel=0.02)


def test_a_mistaken_confirmation_can_be_retracted(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    c1, c2 = video["cams"]["C1"]["id"], video["cams"]["C2"]["id"]
    url = f"/api/v1/searches/{sid}/video/sightings"
    a = _sight(off1, sid, c2, "2026-11-28T17:42:00+08:00")
    assert disp.post(f"{url}/{a['id']}/decision", {"decision": "retract"}).status_code == 409  # still pending
    disp.post(f"{url}/{a['id']}/decision", {"decision": "confirm"})
    r = disp.post(f"{url}/{a['id']}/decision", {"decision": "retract", "note": "a different man"})
    assert r.status_code == 200 and r.get_json()["status"] == "retracted" and r.get_json()["lkp_moved"] is True
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["lkp"]["coordinates"] == LKP and search["lkp_history"] == [] and search["heading_deg"] is None
    assert search["lkp_time"] == "2026-11-28T09:30:00.000Z"
    alerts = [b["text"] for b in disp.get(f"/api/v1/searches/{sid}/broadcasts").get_json()]
    assert alerts[-1].startswith("DISREGARD the sighting at") and len(alerts) == 2
    assert r.get_json()["trail"]["points"] == []

    # Two sightings moved it on; retracting the first keeps the second as the last known point.
    b1 = _sight(off1, sid, c1, "2026-11-28T17:40:00+08:00")
    b2 = _sight(off1, sid, c2, "2026-11-28T17:50:00+08:00")
    for x in (b1, b2):
        disp.post(f"{url}/{x['id']}/decision", {"decision": "confirm"})
    disp.post(f"{url}/{b1['id']}/decision", {"decision": "retract"})
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["lkp_time"] == "2026-11-28T09:50:00.000Z"
    assert [h["replaced_by"] for h in search["lkp_history"]] == [f"sighting {b2['id']}"]
    assert [p["code"] for p in disp.get(f"{url.rsplit('/', 1)[0]}/trail").get_json()["points"]] == ["C2"]


def test_a_re_measured_clock_offset_corrects_every_time_read_off_that_recorder(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    c2 = video["cams"]["C2"]["id"]
    iv = off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": c2, "start": "2026-11-28T17:40:00+08:00",
                                                                "end": "2026-11-28T17:50:00+08:00"}).get_json()
    read = off1.post(f"/api/v1/searches/{sid}/video/sightings", {"camera_id": c2, "time": "2026-11-28T17:52:00+08:00",
                                                                  "direction": "E", "confidence": "certain"}).get_json()
    typed = _sight(off1, sid, c2, "2026-11-28T17:53:00+08:00")  # entered in true time: stays as it is
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{read['id']}/decision", {"decision": "confirm"})
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["lkp_time"] == "2026-11-28T09:52:00.000Z"

    r = disp.patch(f"/api/v1/cameras/{c2}", {"clock_offset_s": 120})  # measured: the recorder runs 2 min fast
    assert r.status_code == 200
    data = disp.get(f"/api/v1/searches/{sid}/video").get_json()
    [stretch] = data["intervals"]
    assert (stretch["start"], stretch["end"]) == ("2026-11-28T09:38:00.000Z", "2026-11-28T09:48:00.000Z")
    assert stretch["recorder_start"] == "2026-11-28T09:40:00.000Z" and stretch["id"] == iv["interval"]["id"]
    times = {x["id"]: x["time"] for x in data["sightings"]}
    assert times[read["id"]] == "2026-11-28T09:50:00.000Z" and times[typed["id"]] == "2026-11-28T09:53:00.000Z"
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["lkp_time"] == "2026-11-28T09:50:00.000Z"
    ev = [e for e in disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
          if e["type"] == "video.clock_corrected"]
    assert ev[-1]["payload"]["intervals"] == [iv["interval"]["id"]]
    assert ev[-1]["payload"]["sightings"] == [read["id"]] and ev[-1]["payload"]["previous_offset_s"] == 0


def test_the_last_known_point_is_always_the_latest_confirmed_sighting(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    url = f"/api/v1/searches/{sid}/video/sightings"
    c1, c2 = video["cams"]["C1"]["id"], video["cams"]["C2"]["id"]
    late = _sight(off1, sid, c2, "2026-11-28T17:50:00+08:00")
    disp.post(f"{url}/{late['id']}/decision", {"decision": "confirm"})
    early = _sight(off1, sid, c1, "2026-11-28T17:45:00+08:00")  # confirmed afterwards: fills in the trail
    r = disp.post(f"{url}/{early['id']}/decision", {"decision": "confirm"}).get_json()
    assert r["lkp_moved"] is False and r["alerted"] is False
    r = disp.post(f"{url}/{late['id']}/decision", {"decision": "retract"}).get_json()
    assert r["alerted"] is True and r["lkp_moved"] is True
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["lkp_time"] == "2026-11-28T09:45:00.000Z"  # the latest confirmed one left, not the first point
    assert search["lkp"]["coordinates"] == video["cams"]["C1"]["location"]["coordinates"]
    kinds = [b["kind"] for b in disp.get(f"/api/v1/searches/{sid}/broadcasts").get_json()]
    assert kinds == ["sighting", "disregard"]


def test_a_re_measured_offset_that_reorders_the_trail_moves_the_last_known_point_with_it(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    url = f"/api/v1/searches/{sid}/video/sightings"
    c1, c2 = video["cams"]["C1"]["id"], video["cams"]["C2"]["id"]
    a = off1.post(url, {"camera_id": c1, "time": "2026-11-28T17:40:00+08:00", "confidence": "certain"}).get_json()
    b = _sight(off1, sid, c2, "2026-11-28T17:45:00+08:00")
    for x in (a, b):
        disp.post(f"{url}/{x['id']}/decision", {"decision": "confirm"})
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["lkp_time"] == "2026-11-28T09:45:00.000Z"
    disp.patch(f"/api/v1/cameras/{c1}", {"clock_offset_s": -600})  # C1's recorder was 10 minutes slow
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["lkp_time"] == "2026-11-28T09:50:00.000Z"  # C1 at 17:50 is now the latest
    trail = disp.get(f"/api/v1/searches/{sid}/video/trail").get_json()
    assert [p["code"] for p in trail["points"]] == ["C2", "C1"]
    ev = [e for e in disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
          if e["type"] in ("search.updated", "video.clock_corrected")][-2:]
    assert set(ev[0]["payload"]["changes"]) == {"lkp", "lkp_time", "lkp_address", "heading_deg"}
    assert [p["code"] for p in ev[1]["payload"]["trail"]["points"]] == ["C2", "C1"]


def test_the_implied_speed_is_checked_on_the_leg_out_too(video):
    sid, disp, off1 = video["sid"], video["disp"], video["off1"]
    url = f"/api/v1/searches/{sid}/video/sightings"
    first = _sight(off1, sid, video["cams"]["C1"]["id"], "2026-11-28T17:40:00+08:00")
    last = _sight(off1, sid, video["cams"]["C2"]["id"], "2026-11-28T17:50:00+08:00")
    for x in (first, last):
        disp.post(f"{url}/{x['id']}/decision", {"decision": "confirm"})
    between = _sight(off1, sid, video["cams"]["C3"]["id"], "2026-11-28T17:45:00+08:00")  # 3 km east, then back
    [p] = [x for x in disp.get(f"/api/v1/searches/{sid}/video").get_json()["sightings"] if x["id"] == between["id"]]
    assert p["implied"]["flag"] == "implausible" and p["implied_next"]["flag"] == "implausible"
    assert p["implied_next"]["to"] == last["id"]
    cam = disp.patch(f"/api/v1/cameras/{video['cams']['C1']['id']}", {"clock_offset_s": 30}).get_json()
    assert cam["offset_measured_at"] == "2026-11-28T10:00:00.000Z"  # measured now, unless told when
