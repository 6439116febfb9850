"""Scale-out: two app processes sharing PostgreSQL and a Redis message queue. An event committed through process A
reaches a client connected to process B, and catch-up works across them."""
import threading
import uuid

import pytest
import socketio
from support import LKP, search_payload
from procs import Server

pytestmark = [pytest.mark.postgres]



def live_client(server_url: str, cookie: str):
    got, ready = [], threading.Event()
    sio = socketio.Client(reconnection=False)
    sio.on("event", lambda ev: got.append(ev), namespace="/live")
    sio.connect(server_url, headers={"Cookie": cookie}, namespaces=["/live"], transports=["websocket"])
    return sio, got, ready


def test_event_through_a_reaches_a_client_of_b_and_catch_up_spans_both(tmp_path, pg_schema):
    channel = "search-coord-test-" + uuid.uuid4().hex[:8]
    env = {"SEARCH_COORD_DATABASE_URL": pg_schema,
           "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
           "SEARCH_COORD_SOCKETIO_CHANNEL": channel}
    a = Server(tmp_path, env, demo=True, name="a")
    b = Server(tmp_path, env, name="b")
    try:
        disp_a = a.login("dispatch", "demo-pass-2026")
        sid = disp_a.call("POST", "/api/v1/searches", search_payload()).json()["id"]
        officer_b = b.login("patrol1", "demo-pass-2026")
        disp_a.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer_b.user["id"]})
        sio, got, _ = live_client(b.url, officer_b.cookie_header())
        ack = sio.call("join", {"search_id": sid, "after": 0}, namespace="/live", timeout=5)
        assert ack["ok"] and [e["seq"] for e in ack["events"]] == [1, 2]
        r = disp_a.call("POST", f"/api/v1/searches/{sid}/clues", {"kind": "sighting", "text": "bus stop",
                                                                    "time": "2026-11-28T18:00:00+08:00",
                                                                    "location": LKP})
        assert r.status_code == 201
        deadline = threading.Event()
        for _ in range(50):
            if got:
                break
            deadline.wait(0.1)
        assert [e["seq"] for e in got] == [3] and got[0]["type"] == "clue.reported"
        sio.disconnect()
        # missed while disconnected, committed through B; caught up through A
        disp_b = b.login("dispatch", "demo-pass-2026")
        disp_b.call("POST", f"/api/v1/searches/{sid}/teams", {"name": "Night", "kind": "foot_patrol"})
        officer_a = a.login("patrol1", "demo-pass-2026")
        sio2, _, _ = live_client(a.url, officer_a.cookie_header())
        ack = sio2.call("join", {"search_id": sid, "after": 3}, namespace="/live", timeout=5)
        assert [(e["seq"], e["type"]) for e in ack["events"]] == [(4, "team.created")]
        sio2.disconnect()
    finally:
        a.stop()
        b.stop()
