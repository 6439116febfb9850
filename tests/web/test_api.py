"""API: happy paths, validation error families, and 401 / 403 / 404 for every route."""
import io

import pytest

from search_coord.web.openapi import api_routes

from support import LKP, PASSWORD, ApiClient, make_test_app, open_test_search, search_payload, square

# A real 1 x 1 PNG (photos are decoded on upload)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082")

# (method, path, body, who is logged in but not allowed: None where every logged-in user may call it)
ROUTES = [
    ("GET", "/api/v1/meta", None, None),
    ("GET", "/api/v1/users", None, "off1"),
    ("POST", "/api/v1/users", {"username": "x1", "display_name": "X", "role": "officer", "password": "12345678"}, "disp"),
    ("PATCH", "/api/v1/users/{uid}", {"display_name": "Y"}, "disp"),
    ("POST", "/api/v1/account/password", {"old_password": PASSWORD, "new_password": "tundra-lantern-43"}, None),
    ("GET", "/api/v1/searches", None, None),
    ("POST", "/api/v1/searches", search_payload(), "off1"),
    ("GET", "/api/v1/searches/{sid}", None, "outsider"),
    ("PATCH", "/api/v1/searches/{sid}", {"risk": "low"}, "off1"),
    ("GET", "/api/v1/searches/{sid}/state", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/status", {"status": "suspended"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/found", {"time": "2026-11-28T18:00:00+08:00", "location": LKP,
                                               "condition": "well"}, "outsider"),
    ("GET", "/api/v1/searches/{sid}/events", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/urgency", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/weather", {"temperature_c": -3}, "off1"),
    ("POST", "/api/v1/searches/{sid}/prompts/family_liaison", {"decision": "done"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/help", {"client_id": "help-00000001"}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/join-links", {"role": "patrol"}, "off1"),
    ("GET", "/api/v1/searches/{sid}/join-links", None, "off1"),
    ("POST", "/api/v1/searches/{sid}/join-links/1/revoke", None, "off1"),
    ("POST", "/api/v1/searches/{sid}/guests/{uid}/decision", {"decision": "approve"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/officers", {"username": "aux1", "display_name": "A", "password": "river-stone-9x"},
     "off1"),
    ("GET", "/api/v1/join-status", None, None),
    ("GET", "/api/v1/searches/{sid}/members", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/members", {"user_id": 3}, "off1"),
    ("DELETE", "/api/v1/searches/{sid}/members/{uid}", None, "off1"),
    ("GET", "/api/v1/searches/{sid}/teams", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/teams", {"name": "T", "kind": "foot_patrol"}, "off1"),
    ("PATCH", "/api/v1/searches/{sid}/teams/{tid}", {"name": "T2"}, "off1"),
    ("GET", "/api/v1/searches/{sid}/assignments", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": square()}, "off1"),
    ("PATCH", "/api/v1/searches/{sid}/assignments/{aid}", {"title": "A2"}, "off1"),
    # off2 is on the search but not in the assigned team
    ("POST", "/api/v1/searches/{sid}/assignments/{aid}/status", {"status": "in_progress"}, "off2"),
    ("GET", "/api/v1/searches/{sid}/tracks", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/tracks", {"client_id": "batch-00001", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1]}]}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/tracks/import", {}, "off1"),
    ("GET", "/api/v1/searches/{sid}/tracks/{uid}", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/export/gpx", None, "off1"),
    ("GET", "/api/v1/cameras/area?bbox=116,39,117,40&zoom=17&search_id={sid}", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/clues", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/clues", {"kind": "clue", "time": "2026-11-28T18:00:00+08:00",
                                               "location": LKP, "text": "a glove"}, "outsider"),
    ("GET", "/api/v1/searches/{sid}/broadcasts", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/broadcasts", {"kind": "direction", "text": "seen heading east"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/broadcasts/{bid}/ack", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/model", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/swept", None, "outsider"),
    ("PATCH", "/api/v1/searches/{sid}/model/settings", {"walking_speed_ms": 0.8}, "off1"),
    ("POST", "/api/v1/searches/{sid}/model/recompute", None, "off1"),
    ("POST", "/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 500}, "off1"),
    ("POST", "/api/v1/searches/{sid}/segments", {"geometry": square(d=0.03)}, "off1"),
    ("DELETE", "/api/v1/searches/{sid}/segments/{gid}", None, "off1"),
    ("PATCH", "/api/v1/searches/{sid}/segments/{gid}", {"name": "Z9"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/poa/consensus", {"evaluations": [{"ROW": 100}]}, "off1"),
    ("POST", "/api/v1/searches/{sid}/searched-areas", {"geometry": square(), "pod": 0.5}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/suggestions/accept", {"segment_id": 1, "team_id": 1}, "off1"),
    ("GET", "/api/v1/cameras?search_id={sid}", None, "outsider"),   # officers: a search they are on
    ("POST", "/api/v1/cameras", {"code": "C9", "name": "Gate", "location": LKP, "kind": "residential"}, "off1"),
    ("PATCH", "/api/v1/cameras/{cid}", {"retention_days": 14}, "off1"),
    ("GET", "/api/v1/cameras/export?format=csv", None, "off1"),
    ("GET", "/api/v1/cameras/page?q=C", None, "off1"),
    ("POST", "/api/v1/cameras/import?format=csv", None, "off1"),
    ("GET", "/api/v1/searches/{sid}/video", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/video/tasks", {"camera_id": 1, "start": "2026-11-28T17:40:00+08:00",
                                                     "end": "2026-11-28T18:00:00+08:00"}, "off1"),
    ("PATCH", "/api/v1/searches/{sid}/video/tasks/{vtid}", {"footage": "requested"}, "off2"),
    ("POST", "/api/v1/searches/{sid}/video/overlaps", {"camera_id": 1, "start": "2026-11-28T17:40:00+08:00",
                                                        "end": "2026-11-28T17:50:00+08:00"}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/video/intervals", {"camera_id": 1, "start": "2026-11-28T17:40:00+08:00",
                                                         "end": "2026-11-28T17:50:00+08:00"}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/video/sightings", {"camera_id": 1, "time": "2026-11-28T17:45:00+08:00",
                                                         "confidence": "probable"}, "outsider"),
    ("POST", "/api/v1/searches/{sid}/video/sightings/{xid}/decision", {"decision": "reject"}, "off1"),
    ("GET", "/api/v1/searches/{sid}/video/trail", None, "outsider"),
    ("GET", "/api/v1/searches/{sid}/video/blind-spot", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/video/blind-spot/segments", None, "off1"),
    ("POST", "/api/v1/searches/{sid}/clues/1/photo", {"photo_id": 1}, "outsider"),
    ("POST", "/api/v1/photos", "photo", None),
    ("GET", "/api/v1/photos/{pid}", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/searched-areas/1/retract", {"reason": "entered by mistake"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/clues/1/retract", {"reason": "entered by mistake"}, "off1"),
    ("POST", "/api/v1/searches/{sid}/tracks/retract", {"event_seq": 1, "reason": "entered by mistake"}, "off1"),
    ("GET", "/api/v1/streets/layers", None, "off1"),
    ("POST", "/api/v1/streets/layers", None, "off1"),
    ("GET", "/api/v1/searches/{sid}/streets", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/streets/assignments", {"mode": "foot", "length_m": 500}, "off1"),
    ("POST", "/api/v1/searches/{sid}/streets/path", {"mode": "foot", "points": [[116.1985, 39.7712], [116.2, 39.772]]},
     "off1"),
    ("POST", "/api/v1/searches/{sid}/streets/recount", None, "off1"),
    ("GET", "/api/v1/searches/{sid}/assignments/{aid}/doors", None, "outsider"),
    ("POST", "/api/v1/searches/{sid}/assignments/{aid}/doors", {"address_id": 1, "outcome": "spoken"}, "off2"),
    ("POST", "/api/v1/streets/layers/1/addresses", None, "off1"),
    ("GET", "/api/v1/geocode?q=changyang", None, None),
]
PUBLIC = [("GET", "/api/v1/session"), ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session"),
          ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/join/{token}"), ("POST", "/api/v1/join/{token}")]


@pytest.fixture
def world(login):
    return build_world(login)


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """For the 401 / 403 matrix: one app and one world for the module (a refused call changes nothing, which each
    test checks), a logged-in client kept per user; (login, world, the dispatcher's client)."""
    app = make_test_app(tmp_path_factory.mktemp("refusals") / "instance")
    clients = {}

    def login(username=None):
        if username is None:
            return ApiClient(app, None)
        if username not in clients:
            clients[username] = ApiClient(app, username)
        return clients[username]

    world = build_world(login)
    yield login, world, login("disp")
    app.extensions["search_coord_engine"].dispose()


def _record(disp, world) -> list:
    """What the refusal matrix must leave as it was: the search's events and the camera registry."""
    events = disp.get(f"/api/v1/searches/{world['sid']}/events?after=0").get_json()["events"]
    cameras = disp.get("/api/v1/cameras").get_json()
    return [[e["seq"] for e in events], cameras]


def build_world(login) -> dict:
    """A search with off1 on a team that has an assignment, and a photo on the search."""
    sid, disp = open_test_search(login)
    off1 = login("off1")
    disp.post(f"/api/v1/searches/{sid}/members", {"user_id": login("off2").user["id"]})
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol",
                                                        "leader_id": off1.user["id"]}).get_json()
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "Garages", "kind": "area", "geometry": square(),
                                                          "team_id": team["id"]}).get_json()
    photo = disp.client.post("/api/v1/photos", data={"photo": (io.BytesIO(PNG), "p.png"), "search_id": str(sid)},
                             headers={"X-CSRF-Token": disp.token}).get_json()
    grid = disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 4000})
    assert grid.status_code == 201, grid.get_json()
    gid = disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"][0]["id"]
    bid = disp.post(f"/api/v1/searches/{sid}/broadcasts", {"kind": "description", "text": "grey coat"}).get_json()["id"]
    cam = disp.post("/api/v1/cameras", {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential"})
    assert cam.status_code == 201 and cam.get_json()["id"] == 1, cam.get_json()
    task = disp.post(f"/api/v1/searches/{sid}/video/tasks", {"camera_id": 1, "start": "2026-11-28T17:30:00+08:00",
                                                              "end": "2026-11-28T18:00:00+08:00",
                                                              "reviewer_id": off1.user["id"]})
    assert task.status_code == 201, task.get_json()
    xid = off1.post(f"/api/v1/searches/{sid}/video/sightings", {"camera_id": 1, "time": "2026-11-28T17:41:00+08:00",
                                                                "confidence": "possible"}).get_json()["id"]
    return {"sid": sid, "tid": team["id"], "aid": a["id"], "pid": photo["id"], "uid": off1.user["id"], "gid": gid,
            "bid": bid, "cid": 1, "vtid": task.get_json()["id"], "xid": xid}


def _call(c, method, path, body, world):
    url = path.format(**world)
    if url.endswith("/cameras/import?format=csv"):
        return c.client.post(url, data="code,name,lon,lat,kind\nC2,Shop,116.2,39.77,shop\n",
                             headers={"X-CSRF-Token": c.token, "Content-Type": "text/csv"})
    if body == "photo":
        return c.client.post(url, data={"photo": (io.BytesIO(PNG), "p.png")}, headers={"X-CSRF-Token": c.token})
    return {"GET": c.get, "POST": c.post, "PATCH": c.patch, "DELETE": c.delete}[method](
        url, **({"json": body if body is not None else {}} if method in ("POST", "PATCH") else {}))


def test_the_matrix_covers_every_api_route(app):
    covered = {(m, p.split("?")[0].replace("{sid}", "{search_id}").replace("{tid}", "{team_id}")
                .replace("{aid}", "{assignment_id}").replace("{pid}", "{photo_id}").replace("{gid}", "{segment_id}").replace("{bid}", "{broadcast_id}")
                .replace("/clues/1/", "/clues/{clue_id}/").replace("/searched-areas/1/", "/searched-areas/{area_id}/").replace("{cid}", "{camera_id}").replace("{vtid}", "{task_id}").replace("{xid}", "{sighting_id}")
                .replace("/users/{uid}", "/users/{user_id}").replace("/members/{uid}", "/members/{user_id}")
                .replace("/prompts/family_liaison", "/prompts/{prompt_id}").replace("/join-links/1/", "/join-links/{link_id}/")
                .replace("/guests/{uid}", "/guests/{user_id}").replace("/tracks/{uid}", "/tracks/{user_id}")
                .replace("/export/gpx", "/export/{fmt}")
                .replace("/streets/layers/1/", "/streets/layers/{layer_id}/"))
               for m, p, _, _ in ROUTES} | set(PUBLIC)
    assert set(api_routes(app)) == covered


@pytest.mark.parametrize("method, path, body, _who", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_401_without_login(refusals, method, path, body, _who):
    login, world, disp = refusals
    before = _record(disp, world)
    r = _call(login(None), method, path, body, world)
    assert r.status_code == 401, r.get_json()
    assert r.get_json()["error"] == "not_authenticated"
    assert _record(disp, world) == before


@pytest.mark.parametrize("method, path, body, who", [r for r in ROUTES if r[3]],
                         ids=[f"{m} {p}" for m, p, _, w in ROUTES if w])
def test_403_when_not_allowed(refusals, method, path, body, who):
    login, world, disp = refusals
    before = _record(disp, world)
    r = _call(login(who), method, path, body, world)
    if path.startswith("/api/v1/photos/"):   # a photo one may not see answers exactly as a missing one
        assert r.status_code == 404 and r.get_json()["error"] == "not_found", r.get_json()
    else:
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["error"] == "forbidden"
    assert _record(disp, world) == before


@pytest.mark.parametrize("method, path, body, who", [r for r in ROUTES if r[3] is None],
                         ids=[f"{m} {p}" for m, p, _, w in ROUTES if w is None])
def test_routes_open_to_every_logged_in_user(login, world, method, path, body, who):
    r = _call(login("outsider"), method, path, body, world)
    assert r.status_code in (200, 201), r.get_json()


@pytest.mark.parametrize("path", [
    "/api/v1/searches/999", "/api/v1/searches/999/state", "/api/v1/photos/999", "/api/v1/nothing-here",
    "/api/v1/searches/{sid}/teams/999", "/api/v1/searches/{sid}/assignments/999/status",
])
def test_404_for_unknown_ids(login, world, path):
    c = login("disp")
    url = path.format(**world)
    r = c.post(url, {"status": "done", "debrief": "x"}) if url.endswith("status") else (
        c.patch(url, {"name": "n"}) if "/teams/" in url else c.get(url))
    assert r.status_code == 404 and r.get_json()["error"] == "not_found", r.get_json()


def test_csrf_is_required_for_every_change(login, world):
    c = login("disp")
    r = c.client.post("/api/v1/searches", json=search_payload())  # no token
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"
    r = c.client.post("/api/v1/searches", json=search_payload(), headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"


def test_login_cookie_flags_and_logout(app):
    c = app.test_client()
    token = c.get("/api/v1/session").get_json()["csrf_token"]
    r = c.post("/api/v1/session", json={"username": "disp", "password": "wrong"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 401
    r = c.post("/api/v1/session", json={"username": "disp", "password": PASSWORD},
               headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = r.get_json()["csrf_token"]
    assert c.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 200
    assert c.get("/api/v1/searches").status_code == 401


def test_secure_cookie_when_configured(tmp_path):
    from search_coord import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SESSION_COOKIE_SECURE": True, "TILE_URL": ""})
    r = app.test_client().get("/api/v1/session")
    assert "Secure" in r.headers["Set-Cookie"]
    app.extensions["search_coord_engine"].dispose()


def test_open_search_reports_every_field_error_at_once_and_changes_nothing(login):
    c = login("disp")
    bad = search_payload(risk="extreme", lkp={"type": "Point", "coordinates": [0, 91]},
                         lkp_time="2099-01-01T00:00:00Z",
                         subject={"name": "", "age": 200, "category": "child_1_3", "extra": 1})
    r = c.post("/api/v1/searches", bad)
    assert r.status_code == 400
    errors = r.get_json()["errors"]
    assert set(errors) == {"risk", "lkp", "lkp_time", "subject.name", "subject.age", "subject.extra"}
    assert c.get("/api/v1/searches").get_json() == []


@pytest.mark.parametrize("geometry, message", [
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "no area"),
    ({"type": "Polygon", "coordinates": [[[0, 0, 0, 1], [1, 0, 0, 1], [1, 1, 0, 1], [0, 0, 0, 1]]]}, "4 values"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [0, 95], [1, 1], [0, 0]]]}, "latitude"),
    ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "geometry type"),
    ({"type": "Polygon", "coordinates": [[[i * 1e-5, (i % 2) * 1e-5] for i in range(6000)] + [[0, 0]]]},
     "vertices"),
])
def test_geojson_is_checked(opened, geometry, message):
    sid, disp = opened
    r = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": geometry})
    assert r.status_code == 400 and message in r.get_json()["errors"]["geometry"]
    assert disp.get(f"/api/v1/searches/{sid}/assignments").get_json() == []


def test_json_bodies_are_capped(opened):
    sid, disp = opened
    huge = {"title": "A", "kind": "area", "instructions": "x" * (2 * 1024 * 1024), "geometry": square()}
    r = disp.post(f"/api/v1/searches/{sid}/assignments", huge)
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"


def test_malformed_json_is_a_clear_400(opened):
    sid, disp = opened
    r = disp.client.post(f"/api/v1/searches/{sid}/teams", data="{not json",
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "application/json"})
    assert r.status_code == 400 and "_body" in r.get_json()["errors"]


def test_photos_must_be_images_of_acceptable_size(login):
    c = login("disp")
    h = {"X-CSRF-Token": c.token}
    r = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(b"<html>hi</html>"), "x.jpg")}, headers=h)
    assert r.status_code == 400 and "not a JPEG" in r.get_json()["errors"]["photo"]
    r = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * (9 * 2**20)), "x.jpg")},
                      headers=h)
    assert r.status_code == 400 and "could not be read" in r.get_json()["errors"]["photo"]
    r = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * (25 * 2**20)), "x.jpg")},
                      headers=h)
    assert r.status_code == 413
    r = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(PNG), "x.png")}, headers=h)
    assert r.status_code == 201
    got = c.get(f"/api/v1/photos/{r.get_json()['id']}")
    assert got.data == PNG and got.mimetype == "image/png"


def test_whole_flow_through_the_api(login, opened):
    sid, disp = opened
    off1 = login("off1")
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "Video", "kind": "video_review",
                                                        "leader_id": off1.user["id"]})
    assert team.status_code == 201
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {
        "title": "Cameras", "kind": "places", "team_id": team.get_json()["id"],
        "geometry": {"type": "MultiPoint", "coordinates": [LKP]}, "places": ["North gate"]}).get_json()
    assert a["status"] == "assigned"
    assert off1.post(f"/api/v1/searches/{sid}/assignments/{a['id']}/status",
                     {"status": "in_progress"}).status_code == 200
    r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "b-000000001", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1], "acc": 8}]})
    assert r.status_code == 201 and r.get_json()["accepted"] == 1
    r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "b-000000001", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1], "acc": 8}]})
    assert r.status_code == 200 and r.get_json()["duplicate"] is True
    r = off1.post(f"/api/v1/searches/{sid}/clues", {"kind": "sighting", "time": "2026-11-28T18:05:00+08:00",
                                                     "location": LKP, "text": "seen at the bus stop"})
    assert r.status_code == 201
    r = off1.post(f"/api/v1/searches/{sid}/found", {"time": "2026-11-28T21:00:00+08:00", "location": LKP,
                                                     "condition": "well", "client_id": "found-000001"})
    assert r.status_code == 201 and r.get_json()["search"]["status"] == "found"
    assert disp.post(f"/api/v1/searches/{sid}/status", {"status": "closed"}).get_json()["status"] == "closed"
    events = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # FOUND stands the assignments down (issue 15): their changes follow the alert
    main = [e for e in events if e["type"] != "assignment.status_changed"]
    assert [e["type"] for e in main[-3:]] == ["search.found", "broadcast.sent", "search.status_changed"]
    assert all(e["device"] for e in events) and main[-3]["device"] == "test-device-1"
    assert {a["status"] for a in disp.get(f"/api/v1/searches/{sid}/assignments").get_json()} <= {"done", "aborted"}
    r = disp.get(f"/api/v1/searches/{sid}/events?after=abc")
    assert r.status_code == 400 and "after" in r.get_json()["errors"]


def test_conflicts_are_409(opened):
    sid, disp = opened
    assert disp.post(f"/api/v1/searches/{sid}/status", {"status": "closed"}).status_code == 200
    r = disp.post(f"/api/v1/searches/{sid}/status", {"status": "open"})
    assert r.status_code == 409 and "closed" in r.get_json()["message"]


def test_admin_manages_accounts(login):
    adm = login("adm")
    r = adm.post("/api/v1/users", {"username": "new.officer", "display_name": "New", "role": "officer",
                                   "password": "long-enough"})
    assert r.status_code == 201
    uid = r.get_json()["id"]
    assert adm.post("/api/v1/users", {"username": "new.officer", "display_name": "Dup", "role": "officer",
                                      "password": "long-enough"}).get_json()["errors"] == {"username": "is taken"}
    assert adm.patch(f"/api/v1/users/{uid}", {"active": False}).get_json()["active"] is False
    c = login(None)
    r = c.post("/api/v1/session", {"username": "new.officer", "password": "long-enough"})
    assert r.status_code == 401


def test_a_deactivated_user_is_logged_out_at_once(login):
    off1 = login("off1")
    assert off1.get("/api/v1/searches").status_code == 200
    adm = login("adm")
    adm.patch(f"/api/v1/users/{off1.user['id']}", {"active": False})
    assert off1.get("/api/v1/searches").status_code == 401


def test_geocode(login):
    c = login("disp")
    assert c.get("/api/v1/geocode?q=Changyang").get_json()[0]["lat"] == pytest.approx(39.7712)
    assert c.get("/api/v1/geocode?q=").status_code == 400


def test_a_retried_photo_upload_is_stored_once(login):
    c = login("off1")
    h = {"X-CSRF-Token": c.token}
    first = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(PNG), "p.png"), "client_id": "photo-abc12345"},
                          headers=h)
    again = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(PNG), "p.png"), "client_id": "photo-abc12345"},
                          headers=h)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["duplicate"] is True
    bad = c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(PNG), "p.png"), "client_id": "x"}, headers=h)
    assert bad.status_code == 400 and "client_id" in bad.get_json()["errors"]


def test_an_expired_session_is_401_not_a_csrf_error(app):
    c = app.test_client()
    r = c.post("/api/v1/searches", json={}, headers={"X-CSRF-Token": "stale-token-from-an-old-session"})
    assert r.status_code == 401 and r.get_json()["error"] == "not_authenticated"
