"""Edits that take a tap: a team renamed, given a call sign, a leader and members with the version it was loaded
from (a stale one is a 409 with the current values), disbanded (its work goes back to planned); an assignment
reassigned to another team."""
from __future__ import annotations

from support import square


def test_edit_disband_and_reassign(opened, login):
    sid, disp = opened
    off1 = login("off1").user["id"]
    a = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "North", "kind": "foot_patrol"}).get_json()
    b = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "South", "kind": "foot_patrol"}).get_json()
    job = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "Park", "kind": "area", "geometry": square(),
                                                            "team_id": a["id"]}).get_json()
    r = disp.patch(f"/api/v1/searches/{sid}/teams/{a['id']}", {"version": a["version"], "name": "North 1",
                                                               "callsign": "N1", "leader_id": off1})
    assert r.status_code == 200 and r.get_json()["callsign"] == "N1" and off1 in r.get_json()["member_ids"]
    stale = disp.patch(f"/api/v1/searches/{sid}/teams/{a['id']}", {"version": a["version"], "name": "Nord"})
    assert stale.status_code == 409 and stale.get_json()["current"]["name"] == "North 1"
    moved = disp.patch(f"/api/v1/searches/{sid}/assignments/{job['id']}", {"version": job["version"],
                                                                          "team_id": b["id"]})
    assert moved.status_code == 200 and moved.get_json()["team_id"] == b["id"]
    assert disp.patch(f"/api/v1/searches/{sid}/teams/{b['id']}", {"disbanded": False}).status_code == 400
    gone = disp.patch(f"/api/v1/searches/{sid}/teams/{b['id']}", {"disbanded": True, "version": b["version"]})
    assert gone.status_code == 200 and gone.get_json()["disbanded"] is True
    back = next(x for x in disp.get(f"/api/v1/searches/{sid}/assignments").get_json() if x["id"] == job["id"])
    assert back["status"] == "planned" and back["team_id"] is None
