"""A phone's track batches over its open socket (/live 'track'): acknowledged with the HTTP route's answer after the
commit, the same client ids (a retry over either transport is stored once), every refusal said, an ended session
cut."""
from support import LKP

from search_coord.extensions import socketio
from search_coord.services import users


def connect(app, api_client):
    return socketio.test_client(app, namespace="/live", flask_test_client=api_client.client)


def fixes(n0, n):
    return [{"t": f"2026-11-28T17:{40 + i // 30:02d}:{(2 * i) % 60:02d}+08:00", "lon": LKP[0] + 3e-5 * i,
             "lat": LKP[1], "acc": 5} for i in range(n0, n0 + n)]


def track(sock, sid, client_id, points, **extra):
    return sock.emit("track", {"search_id": sid, "client_id": client_id, "points": points, **extra},
                     namespace="/live", callback=True)


def events_of(sock):
    return [m["args"][0] for m in sock.get_received("/live") if m["name"] == "event"]


def test_a_batch_over_the_socket_is_acknowledged_after_commit_and_stored_once(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    console = connect(app, disp)
    console.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    phone = connect(app, off1)
    ack = track(phone, sid, "sock-batch-01", fixes(0, 5), device="phone-a")
    assert ack["ok"] and ack["accepted"] == 5 and ack["rejected"] == [] and not ack["duplicate"]
    again = track(phone, sid, "sock-batch-01", fixes(0, 5), device="phone-a")     # the ack was lost: sent again
    assert again == {**ack, "duplicate": True}
    over_http = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "sock-batch-01", "points": fixes(0, 5),
                                                             "device": "phone-a"})
    assert over_http.status_code == 200 and over_http.get_json()["seq"] == ack["seq"]
    got = [e for e in events_of(console) if e["type"] == "track.points"]
    assert [e["seq"] for e in got] == [ack["seq"]] and got[0]["payload"]["count"] == 5
    assert got[0]["actor"]["name"] == "Off1" and got[0]["client_id"] == "sock-batch-01"
    state = disp.get(f"/api/v1/searches/{sid}/tracks").get_json()
    assert sum(len(v) for v in state.values()) == 5


def test_bad_fixes_are_reported_and_the_rest_stored(app, login, opened):
    sid, _ = opened
    phone = connect(app, login("off1"))
    pts = fixes(0, 3) + [{"t": "2026-11-28T17:50:00+08:00", "lon": 0, "lat": 0}]
    ack = track(phone, sid, "sock-batch-02", pts)
    assert ack["ok"] and ack["accepted"] == 3 and [r["index"] for r in ack["rejected"]] == [3]


def test_refusals_are_said_and_change_nothing(app, login, opened):
    sid, disp = opened
    phone = connect(app, login("off1"))
    assert track(phone, sid, "sock-batch-03", [])["errors"].keys() == {"points"}
    bad = phone.emit("track", {"client_id": "sock-batch-04", "points": fixes(0, 1)}, namespace="/live", callback=True)
    assert bad["ok"] is False and bad["error"] == "invalid"
    assert phone.emit("track", "junk", namespace="/live", callback=True)["error"] == "invalid"
    outsider = connect(app, login("outsider"))
    refused = track(outsider, sid, "sock-batch-05", fixes(0, 2))
    assert refused["ok"] is False and refused["error"] == "forbidden" and refused["status"] == 403
    assert track(phone, 999_999, "sock-batch-06", fixes(0, 2))["error"] == "not_found"
    assert track(phone, 2**31, "sock-batch-08", fixes(0, 2))["error"] == "invalid"   # beyond any id column
    joined = phone.emit("join", {"search_id": 2**31, "after": 0}, namespace="/live", callback=True)
    assert joined["ok"] is False and joined["error"] == "invalid"
    closing = disp.post(f"/api/v1/searches/{sid}/status", {"status": "closed", "reason": "found at home"})
    assert closing.status_code == 200
    closed = track(phone, sid, "sock-batch-07", fixes(10, 2))
    assert closed["ok"] is False and closed["error"] == "conflict" and closed["status"] == 409
    stored = disp.get(f"/api/v1/searches/{sid}/tracks").get_json()
    assert sum(len(v) for v in stored.values()) == 0


def test_an_ended_session_is_refused_in_the_batch_transaction_and_the_socket_cut(app, login, opened):
    sid, _ = opened
    off1 = login("off1")
    phone = connect(app, off1)
    assert track(phone, sid, "sock-batch-08", fixes(0, 2))["ok"]
    svc = app.extensions["search_coord"]
    hook, svc.on_sessions_ended = svc.on_sessions_ended, None     # as if ended by another process: not cut yet
    try:
        users.end_sessions(svc, off1.user["id"])
    finally:
        svc.on_sessions_ended = hook
    assert phone.is_connected("/live")
    refused = track(phone, sid, "sock-batch-09", fixes(2, 2))
    assert refused == {"ok": False, "error": "session_ended", "message": "your session has ended; log in again"}
    assert not phone.is_connected("/live")
    stored = login("disp").get(f"/api/v1/searches/{sid}/tracks").get_json()
    assert sum(len(v) for v in stored.values()) == 2
