"""Video review on the live stream: tasks, reviewed intervals and sightings reach everyone on the search in order;
a refused overlap reaches no one; a reconnecting reviewer catches up on what was reviewed meanwhile."""
from datetime import timedelta

from support import LKP, T0, FakeClock
from search_coord.extensions import socketio


def connect(app, api_client, after=10_000):
    sock = socketio.test_client(app, namespace="/live", flask_test_client=api_client.client)
    ack = sock.emit("join", {"search_id": 1, "after": after}, namespace="/live", callback=True)
    assert ack["ok"], ack
    sock.get_received("/live")
    return sock, ack


def events_of(sock):
    return [m["args"][0] for m in sock.get_received("/live") if m["name"] == "event"]


def test_review_work_reaches_every_reviewer_in_order(app, login, opened):
    app.extensions["search_coord"].clock = FakeClock(T0 + timedelta(minutes=30))
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off2.user["id"]})
    cam = disp.post("/api/v1/cameras", {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential",
                                        "search_id": sid}).get_json()
    watcher, _ = connect(app, off2)
    desk, _ = connect(app, disp)

    task = disp.post(f"/api/v1/searches/{sid}/video/tasks", {
        "camera_id": cam["id"], "start": "2026-11-28T17:30:00+08:00", "end": "2026-11-28T18:00:00+08:00",
        "reviewer_id": off1.user["id"]}).get_json()
    off1.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": cam["id"], "task_id": task["id"],
                                                           "start": "2026-11-28T17:30:00+08:00",
                                                           "end": "2026-11-28T17:45:00+08:00"})
    refused = off2.post(f"/api/v1/searches/{sid}/video/intervals", {"camera_id": cam["id"],
                                                                     "start": "2026-11-28T17:40:00+08:00",
                                                                     "end": "2026-11-28T17:50:00+08:00"})
    assert refused.status_code == 409
    x = off1.post(f"/api/v1/searches/{sid}/video/sightings", {"camera_id": cam["id"], "confidence": "certain",
                                                               "time": "2026-11-28T17:44:00+08:00",
                                                               "direction": "E"}).get_json()
    got = events_of(watcher)
    assert [e["type"] for e in got] == ["video.task_created", "video.reviewed", "video.sighting_logged"]
    assert [e["seq"] for e in got] == list(range(got[0]["seq"], got[0]["seq"] + 3))
    assert got[1]["payload"]["task"]["status"] == "in_progress" and got[1]["payload"]["task"]["reviewed_s"] == 900
    assert got[2]["payload"]["sighting"]["id"] == x["id"]
    assert [e["type"] for e in events_of(desk)] == [e["type"] for e in got]

    # off2 drops off, a sighting is confirmed meanwhile; on rejoin the ack carries it, and the alert to acknowledge.
    watcher.disconnect(namespace="/live")
    last = got[-1]["seq"]
    disp.post(f"/api/v1/searches/{sid}/video/sightings/{x['id']}/decision", {"decision": "confirm"})
    again, ack = connect(app, off2, after=last)
    missed = [e["type"] for e in ack["events"]]
    assert missed[:3] == ["search.updated", "video.sighting_decided", "broadcast.sent"]
    assert [b["kind"] for b in ack["unacknowledged"]] == ["sighting"]
