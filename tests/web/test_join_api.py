"""Joining by a QR code: a dispatcher's link scoped to a role and team, limited in uses, revocable; a newcomer's
account sees only its search, waits for approval (or not), and ends when the link is revoked or the search closes;
every step is in the log. Dispatchers add an officer on the spot (not an admin)."""
from __future__ import annotations

from support import search_payload


def _types(client, sid):
    return [e["type"] for e in client.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]]


def test_join_approve_scope_and_revoke(opened, login):
    sid, disp = opened
    other = disp.post("/api/v1/searches", search_payload()).get_json()["id"]
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "Aux", "kind": "foot_patrol", "callsign": "X1"}).get_json()
    assert login("off1").post(f"/api/v1/searches/{sid}/join-links", {"role": "patrol"}).status_code == 403
    assert disp.post(f"/api/v1/searches/{sid}/join-links", {"role": "pilot"}).status_code == 400
    r = disp.post(f"/api/v1/searches/{sid}/join-links", {"role": "patrol", "team_id": team["id"], "max_uses": 2,
                                                         "expires_in_min": 60})
    assert r.status_code == 201, r.get_json()
    link = r.get_json()
    assert link["qr_png"].startswith("data:image/png;base64,") and link["url"].endswith("/join/" + link["token"])
    token = link["token"]

    guest = login(None)
    p = guest.get(f"/api/v1/join/{token}").get_json()
    assert p["search"]["id"] == sid and p["team"]["callsign"] == "X1" and p["role"] == "patrol"
    assert guest.get("/api/v1/join/not-a-real-token-at-all").status_code == 404
    bad = guest.post(f"/api/v1/join/{token}", {"display_name": "Wu", "unit": "Liangxiang", "phone": "call me"})
    assert bad.status_code == 400 and "phone" in bad.get_json()["errors"]
    r = guest.post(f"/api/v1/join/{token}", {"display_name": "Wu Gang", "unit": "Liangxiang station",
                                             "phone": "+86 138 0000 0000"})
    assert r.status_code == 201, r.get_json()
    uid = r.get_json()["user"]["id"]
    guest.token = guest.get("/api/v1/session").get_json()["csrf_token"]
    assert guest.get("/api/v1/join-status").get_json() == {"guest": True, "status": "pending", "search_id": sid}
    assert guest.get("/api/v1/searches").get_json() == []
    assert guest.get(f"/api/v1/searches/{sid}").status_code == 403      # not before approval

    assert disp.post(f"/api/v1/searches/{sid}/guests/{uid}/decision", {"decision": "approve"}).status_code == 200
    assert [s["id"] for s in guest.get("/api/v1/searches").get_json()] == [sid]
    assert guest.get(f"/api/v1/searches/{other}").status_code == 403    # only its one search
    teams = guest.get(f"/api/v1/searches/{sid}/teams").get_json()
    assert uid in next(t for t in teams if t["id"] == team["id"])["member_ids"]
    listed = disp.get(f"/api/v1/searches/{sid}/join-links").get_json()
    assert listed["links"][0]["uses"] == 1 and listed["guests"][0]["guest"]["status"] == "approved"
    assert "token" not in listed["links"][0]

    second = login(None)
    assert second.post(f"/api/v1/join/{token}", {"display_name": "Ma", "unit": "Aux", "phone": "13900000000"}).status_code == 201
    third = login(None)
    assert third.post(f"/api/v1/join/{token}", {"display_name": "Qi", "unit": "Aux", "phone": "13900000001"}).status_code == 409

    r = disp.post(f"/api/v1/searches/{sid}/join-links/{link['id']}/revoke")
    assert r.status_code == 200 and uid in r.get_json()["ended"]
    assert guest.get("/api/v1/session").get_json()["user"] is None
    assert guest.get(f"/api/v1/searches/{sid}").status_code == 401
    assert {"join.link_created", "join.requested", "join.decided", "join.link_revoked", "member.added"} <= set(_types(disp, sid))


def test_auto_approve_and_the_search_closing(opened, login):
    sid, disp = opened
    token = disp.post(f"/api/v1/searches/{sid}/join-links", {"role": "video_review", "auto_approve": True}).get_json()["token"]
    guest = login(None)
    r = guest.post(f"/api/v1/join/{token}", {"display_name": "Hu", "unit": "Volunteers", "phone": "13700000000"})
    assert r.get_json()["guest"]["status"] == "approved"
    assert [s["id"] for s in guest.get("/api/v1/searches").get_json()] == [sid]
    disp.post(f"/api/v1/searches/{sid}/status", {"status": "closed", "reason": "stood down"})
    assert guest.get("/api/v1/searches").status_code == 401
    assert login(None).get(f"/api/v1/join/{token}").status_code == 409


def test_dispatcher_adds_an_officer_on_the_spot(opened, login):
    sid, disp = opened
    r = disp.post(f"/api/v1/searches/{sid}/officers", {"username": "aux.zhou", "display_name": "Zhou (aux)",
                                                       "unit": "Auxiliary", "phone": "13600000000",
                                                       "password": "river-stone-lamp-9"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["role"] == "officer"
    assert any(m["id"] == r.get_json()["id"] for m in disp.get(f"/api/v1/searches/{sid}/members").get_json())
    assert disp.post("/api/v1/users", {"username": "boss2", "display_name": "B", "role": "admin",
                                       "password": "river-stone-lamp-9"}).status_code == 403
