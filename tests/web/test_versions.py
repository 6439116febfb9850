"""Two dispatchers at once: every editable resource carries a version; a stale edit is a 409 with the current values
and changes nothing; only the fields that really change are stored and logged; edits without a version still work."""
from support import LKP, square


def _events(c, sid, type_):
    return [e for e in c.get(f"/api/v1/searches/{sid}/events").get_json()["events"] if e["type"] == type_]


def test_views_carry_a_version(app, login, opened):
    sid, disp = opened
    search = disp.get(f"/api/v1/searches/{sid}").get_json()
    assert search["version"] == 1
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol"}).get_json()
    assert team["version"] == 1
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": square()})
    assert a.get_json()["version"] == 1
    cam = disp.post("/api/v1/cameras", {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential"})
    assert cam.get_json()["version"] == 1
    disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 4000})
    model = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    assert model["settings"]["version"] == 1 and all(g["version"] == 1 for g in model["segments"])
    state = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    assert state["search"]["version"] == 1 and state["teams"][0]["version"] == 1


def test_saving_notes_does_not_undo_anothers_risk_and_logs_only_the_notes(app, login, opened):
    """The bug of issue 10: dispatcher B saved the whole form (old risk included) and reverted A's risk."""
    sid, a = opened
    b = login("disp")
    start = b.get(f"/api/v1/searches/{sid}").get_json()
    r = a.patch(f"/api/v1/searches/{sid}", {"risk": "medium", "version": start["version"]})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    # B's edit started from version 1: refused with the current values, nothing changed
    r = b.patch(f"/api/v1/searches/{sid}", {"risk": "high", "notes": "B's notes", "version": start["version"]})
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["error"] == "conflict" and body["message"]
    assert body["current"]["risk"] == "medium" and body["current"]["version"] == 2
    now = b.get(f"/api/v1/searches/{sid}").get_json()
    assert (now["risk"], now["notes"], now["version"]) == ("medium", start["notes"], 2)
    # B reviews and sends only what B changed, from the current version
    r = b.patch(f"/api/v1/searches/{sid}", {"notes": "B's notes", "version": 2})
    assert r.status_code == 200 and r.get_json()["risk"] == "medium" and r.get_json()["notes"] == "B's notes"
    updates = _events(a, sid, "search.updated")
    assert [u["payload"]["changes"] for u in updates] == [{"risk": "medium"}, {"notes": "B's notes"}]
    assert updates[0]["payload"]["previous"] == {"risk": "high"}
    assert updates[1]["payload"]["search"]["version"] == 3 and updates[1]["payload"]["version_checked"] is True


def test_the_server_logs_only_real_changes(app, login, opened):
    sid, disp = opened
    s = disp.get(f"/api/v1/searches/{sid}").get_json()
    r = disp.patch(f"/api/v1/searches/{sid}", {"risk": s["risk"], "risk_reasons": s["risk_reasons"],
                                               "notes": "new", "version": s["version"]})
    assert r.status_code == 200
    assert _events(disp, sid, "search.updated")[-1]["payload"]["changes"] == {"notes": "new"}
    # the same values again: nothing stored, nothing logged, the version kept
    r = disp.patch(f"/api/v1/searches/{sid}", {"notes": "new", "version": 2})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    assert len(_events(disp, sid, "search.updated")) == 1


def test_an_edit_without_a_version_still_works_and_is_logged_unchecked(app, login, opened):
    sid, disp = opened
    r = disp.patch(f"/api/v1/searches/{sid}", {"notes": "from an old client"})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    assert _events(disp, sid, "search.updated")[-1]["payload"]["version_checked"] is False


def test_bad_versions_are_400(app, login, opened):
    sid, disp = opened
    for bad in ("1", 1.5, True, 0, -1, 2**64, [1]):
        r = disp.patch(f"/api/v1/searches/{sid}", {"notes": "x", "version": bad})
        assert r.status_code == 400 and "version" in r.get_json()["errors"], (bad, r.get_json())
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["version"] == 1


def test_team_edits_are_versioned_members_included(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    t = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol"}).get_json()
    r = disp.patch(f"/api/v1/searches/{sid}/teams/{t['id']}", {"member_ids": [off1.user["id"]], "version": 1})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    r = disp.patch(f"/api/v1/searches/{sid}/teams/{t['id']}", {"name": "P9", "version": 1})
    assert r.status_code == 409 and r.get_json()["current"]["member_ids"] == [off1.user["id"]]
    assert disp.get(f"/api/v1/searches/{sid}/teams").get_json()[0]["name"] == "P1"
    ev = _events(disp, sid, "team.updated")
    assert len(ev) == 1 and ev[0]["payload"]["changes"] == {"member_ids": [off1.user["id"]]}
    # removing the member from the search changes the team's members: a new version
    disp.delete(f"/api/v1/searches/{sid}/members/{off1.user['id']}")
    assert disp.get(f"/api/v1/searches/{sid}/teams").get_json()[0]["version"] == 3


def test_assignment_edits_are_versioned(app, login, opened):
    sid, disp = opened
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": square(),
                                                          "instructions": "knock"}).get_json()
    url = f"/api/v1/searches/{sid}/assignments/{a['id']}"
    assert disp.patch(url, {"title": "B", "version": 1}).get_json()["version"] == 2
    r = disp.patch(url, {"instructions": "call", "version": 1})
    assert r.status_code == 409 and r.get_json()["current"]["title"] == "B"
    assert disp.get(f"/api/v1/searches/{sid}/assignments").get_json()[0]["instructions"] == "knock"
    r = disp.patch(url, {"title": "B", "instructions": "call", "version": 2})
    assert r.status_code == 200
    assert _events(disp, sid, "assignment.updated")[-1]["payload"]["changes"] == {"instructions": "call"}


def test_model_settings_are_versioned(app, login, opened):
    sid, disp = opened
    url = f"/api/v1/searches/{sid}/model/settings"
    r = disp.patch(url, {"walking_speed_ms": 0.8, "version": 1})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    r = disp.patch(url, {"walking_speed_ms": 0.5, "version": 1})
    assert r.status_code == 409 and r.get_json()["current"]["walking_speed_ms"] == 0.8
    assert disp.get(f"/api/v1/searches/{sid}/model").get_json()["settings"]["walking_speed_ms"] == 0.8
    # the settings' version is their own: editing the search's notes does not make them stale
    disp.patch(f"/api/v1/searches/{sid}", {"notes": "x", "version": 1})
    assert disp.patch(url, {"walking_speed_ms": 0.5, "version": 2}).status_code == 200


def test_camera_edits_are_versioned_imports_included(app, login):
    disp = login("disp")
    cam = disp.post("/api/v1/cameras", {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential"})
    cid = cam.get_json()["id"]
    assert disp.patch(f"/api/v1/cameras/{cid}", {"retention_days": 14, "version": 1}).get_json()["version"] == 2
    r = disp.patch(f"/api/v1/cameras/{cid}", {"retention_days": 7, "version": 1})
    assert r.status_code == 409 and r.get_json()["current"]["retention_days"] == 14
    r = disp.client.post("/api/v1/cameras/import?format=csv", data="code,name,lon,lat,kind\nC1,Gate 2,116.2,39.77,shop\n",
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.get_json()
    assert disp.patch(f"/api/v1/cameras/{cid}", {"notes": "x", "version": 2}).status_code == 409


def test_segment_versions_move_with_a_consensus(app, login, opened):
    sid, disp = opened
    disp.post(f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 4000})
    segs = disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"]
    r = disp.post(f"/api/v1/searches/{sid}/poa/consensus", {"evaluations": [{segs[0]["name"]: 50, "ROW": 50}]})
    assert r.status_code == 200
    assert all(g["version"] == 2 for g in disp.get(f"/api/v1/searches/{sid}/model").get_json()["segments"])


def test_live_events_carry_the_version(app, login, opened):
    sid, disp = opened
    disp.patch(f"/api/v1/searches/{sid}", {"risk": "low", "version": 1})
    assert _events(disp, sid, "search.updated")[-1]["payload"]["search"]["version"] == 2
