"""Socket.IO /live: login required, rooms only for those on the search, every event once and in order."""
from support import LKP

from search_coord.extensions import socketio


def connect(app, api_client):
    return socketio.test_client(app, namespace="/live", flask_test_client=api_client.client)


def events_of(sock):
    return [m["args"][0] for m in sock.get_received("/live") if m["name"] == "event"]


def test_connection_without_login_is_refused(app, login):
    sock = connect(app, login(None))
    assert not sock.is_connected("/live")


def test_member_receives_each_event_once_in_order_and_outsider_nothing(app, login, opened):
    sid, disp = opened
    off1, outsider = login("off1"), login("outsider")
    member = connect(app, off1)
    other = connect(app, outsider)
    ack = member.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert ack["ok"] and [e["seq"] for e in ack["events"]] == [1, 2]
    refused = other.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert refused == {"ok": False, "error": "forbidden", "message": "you are not on this search"}

    for i in range(3):
        r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": f"batch-0000{i}", "points": [
            {"t": f"2026-11-28T18:0{i}:00+08:00", "lon": LKP[0] + i * 1e-4, "lat": LKP[1]}]})
        assert r.status_code == 201
    off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "batch-00000", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1]}]})  # a retry: no new event
    disp.post(f"/api/v1/searches/{sid}/clues", {"kind": "clue", "time": "2026-11-28T18:10:00+08:00",
                                                 "location": LKP, "text": "a cap"})
    got = events_of(member)
    assert [e["seq"] for e in got] == [3, 4, 5, 6]
    assert [e["type"] for e in got] == ["track.points"] * 3 + ["clue.reported"]
    assert got[0]["payload"]["user_id"] == off1.user["id"] and got[0]["actor"]["name"] == "Off1"
    assert events_of(other) == []


def test_catch_up_after_a_reconnect(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    sock = connect(app, off1)
    sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    sock.disconnect(namespace="/live")
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T1", "kind": "foot_patrol"})
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T2", "kind": "door_to_door"})
    again = connect(app, off1)
    ack = again.emit("join", {"search_id": sid, "after": 2}, namespace="/live", callback=True)
    assert [(e["seq"], e["payload"]["team"]["name"]) for e in ack["events"]] == [(3, "T1"), (4, "T2")]
    assert ack["last_seq"] == 4


def test_hostile_messages_get_a_clear_error_and_the_server_keeps_serving(app, login, opened):
    sid, _ = opened
    off1 = login("off1")
    sock = connect(app, off1)
    for bad in ("nonsense", {"search_id": "1"}, {"search_id": True}, [1, 2], None):
        ack = sock.emit("join", bad, namespace="/live", callback=True)
        assert ack["ok"] is False and ack["error"] == "invalid"
    assert sock.emit("join", {"search_id": 424242}, namespace="/live", callback=True)["error"] == "not_found"
    assert sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"] is True


def test_a_removed_member_gets_nothing_more(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    sock = connect(app, off1)
    assert sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"]
    sock.get_received("/live")
    assert disp.delete(f"/api/v1/searches/{sid}/members/{off1.user['id']}").status_code == 204
    assert [e["type"] for e in events_of(sock)] == ["member.removed"]
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "After", "kind": "foot_patrol"})
    assert events_of(sock) == []
    assert sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"] is False


def test_presence_and_unacknowledged_broadcasts_on_join(app, login, opened):
    sid, disp = opened
    b = disp.post(f"/api/v1/searches/{sid}/broadcasts", {"kind": "description", "text": "now wearing a grey hat"})
    watcher = connect(app, disp)
    assert watcher.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"]
    watcher.get_received("/live")
    off1 = login("off1")
    phone = connect(app, off1)
    ack = phone.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert [x["id"] for x in ack["unacknowledged"]] == [b.get_json()["id"]]
    assert off1.user["id"] in ack["online"] and disp.user["id"] in ack["online"]
    presence = [m["args"][0] for m in watcher.get_received("/live") if m["name"] == "presence"]
    assert presence == [{"search_id": sid, "user_id": off1.user["id"], "online": True}]
    phone.disconnect(namespace="/live")
    presence = [m["args"][0] for m in watcher.get_received("/live") if m["name"] == "presence"]
    assert presence == [{"search_id": sid, "user_id": off1.user["id"], "online": False}]
    # acknowledged: no longer alerted on the next join
    off1.post(f"/api/v1/searches/{sid}/broadcasts/{b.get_json()['id']}/ack")
    again = connect(app, off1)
    assert again.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["unacknowledged"] == []


def test_a_flooding_client_is_refused_and_others_are_still_served(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    flooder = connect(app, off1)
    answers = [flooder.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
               for _ in range(80)]
    refused = [a for a in answers if a["ok"] is False]
    assert refused and all(a["error"] == "rate_limited" for a in refused)
    other = connect(app, disp)
    assert other.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"]
    other.get_received("/live")
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T", "kind": "foot_patrol"})
    assert [e["type"] for e in events_of(other)] == ["team.created"]


def test_phones_get_positions_coalesced_dispatchers_every_batch(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    app.extensions["search_coord"].publisher.field_interval_s = 30  # only an other event flushes, for the test
    console = connect(app, disp)
    phone = connect(app, off1)
    console.emit("join", {"search_id": sid, "after": 2}, namespace="/live", callback=True)
    phone.emit("join", {"search_id": sid, "after": 2, "view": "field"}, namespace="/live", callback=True)
    for m in (console, phone):
        m.get_received("/live")
    for i in range(3):
        off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": f"coal-{i:05d}", "points": [
            {"t": f"2026-11-28T18:0{i}:00+08:00", "lon": LKP[0] + i * 1e-4, "lat": LKP[1]}]})
    assert [e["seq"] for e in events_of(console)] == [3, 4, 5]
    assert phone.get_received("/live") == []          # held back
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T", "kind": "foot_patrol"})
    got = phone.get_received("/live")
    assert [m["name"] for m in got] == ["positions", "event"]      # positions first: the order holds
    pos = got[0]["args"][0]
    assert pos["seqs"] == [3, 4, 5] and pos["positions"][str(off1.user["id"])][:2] == [LKP[0] + 2e-4, LKP[1]]
    assert got[1]["args"][0]["seq"] == 6
