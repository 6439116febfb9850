"""The urgency strip's API: the strip of a search, the weather and prompts entered by dispatchers into the log,
medication times in the subject's profile, an officer's "need help" once per client id; FOUND and closing stand the
assignments down."""
from __future__ import annotations

from datetime import datetime, timezone

from support import square


def _events(client, sid):
    return client.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]


def test_strip_weather_and_prompts(opened, login):
    sid, disp = opened
    r = disp.patch(f"/api/v1/searches/{sid}", {"subject": {"medications": [{"name": "Amlodipine", "due": "20:00"}]}})
    assert r.status_code == 200, r.get_json()
    bad = disp.patch(f"/api/v1/searches/{sid}", {"subject": {"medications": [{"name": "A", "due": "8 pm"}]}})
    assert bad.status_code == 400 and "subject.medications" in bad.get_json()["errors"]
    strip = disp.get(f"/api/v1/searches/{sid}/urgency").get_json()
    assert strip["light"]["sunset"] and strip["medications"][0]["name"] == "Amlodipine"
    assert strip["risk"]["level"] == "high" and strip["weather"] is None
    assert any(p["id"] == "family_liaison" and p["state"] == "due" for p in strip["prompts"])

    assert disp.post(f"/api/v1/searches/{sid}/weather", {"temperature_c": -3, "low_tonight_c": -9}).status_code == 201
    assert disp.post(f"/api/v1/searches/{sid}/weather", {}).status_code == 400
    assert disp.post(f"/api/v1/searches/{sid}/weather", {"temperature_c": 99}).status_code == 400
    off1 = login("off1")
    assert off1.post(f"/api/v1/searches/{sid}/weather", {"temperature_c": 1}).status_code == 403
    assert off1.get(f"/api/v1/searches/{sid}/urgency").get_json()["weather"]["low_tonight_c"] == -9
    r = disp.post(f"/api/v1/searches/{sid}/prompts/family_liaison", {"decision": "done", "note": "PC Wu"})
    assert r.status_code == 201
    assert disp.post(f"/api/v1/searches/{sid}/prompts/family_liaison", {"decision": "dismissed"}).status_code == 409
    assert disp.post(f"/api/v1/searches/{sid}/prompts/widen_area", {"decision": "maybe"}).status_code == 400
    strip = disp.get(f"/api/v1/searches/{sid}/urgency").get_json()
    done = next(p for p in strip["prompts"] if p["id"] == "family_liaison")
    assert done["state"] == "done" and done["note"] == "PC Wu" and done["decided_by"] == "Disp"
    assert "weather" not in strip["risk"]["suggested"]   # cold, but weather is already a reason
    types = [e["type"] for e in _events(disp, sid)]
    assert types.count("urgency.weather") == 1 and types.count("urgency.prompt") == 1


def test_need_help_is_logged_once(opened, login):
    sid, disp = opened
    off1 = login("off1")
    body = {"client_id": "help-abcdef12", "location": {"type": "Point", "coordinates": [116.1985, 39.7712]},
            "accuracy_m": 8}
    first = off1.post(f"/api/v1/searches/{sid}/help", body)
    again = off1.post(f"/api/v1/searches/{sid}/help", body)
    assert first.status_code == 201 and again.get_json() == first.get_json()
    assert [e["type"] for e in _events(disp, sid)].count("help.requested") == 1
    assert login("outsider").post(f"/api/v1/searches/{sid}/help", {"client_id": "help-zzzzzzzz"}).status_code == 403


def test_found_and_close_stand_the_assignments_down(opened, login):
    sid, disp = opened
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol"}).get_json()
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "Block", "kind": "area", "geometry": square(),
                                                          "team_id": team["id"]}).get_json()
    b = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "Later", "kind": "area",
                                                          "geometry": square(d=0.001)}).get_json()
    disp.post(f"/api/v1/searches/{sid}/assignments/{a['id']}/status", {"status": "in_progress"})
    r = disp.post(f"/api/v1/searches/{sid}/found", {"location": {"type": "Point", "coordinates": [116.1985, 39.7712]},
                                                    "condition": "well", "client_id": "found-12345678",
                                                    "time": datetime.now(timezone.utc).isoformat()})
    assert r.status_code in (200, 201), r.get_json()
    got = {x["id"]: x["status"] for x in disp.get(f"/api/v1/searches/{sid}/assignments").get_json()}
    assert got[a["id"]] == "aborted" and got[b["id"]] == "aborted"
    stood = [e for e in _events(disp, sid) if e["type"] == "assignment.status_changed" and e["payload"]["to"] == "aborted"]
    assert {e["payload"]["from"] for e in stood} == {"in_progress", "planned"}
