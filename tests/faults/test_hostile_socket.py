"""Hostile socket traffic against a real server: an oversized message costs only its sender the connection."""
import time

import socketio

from support import LKP, search_payload
from procs import Server


def test_huge_payload_drops_only_the_sender(tmp_path):
    server = Server(tmp_path, demo=True, name="hostile")
    try:
        disp = server.login("dispatch", "demo-pass-2026")
        officer = server.login("patrol1", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", search_payload()).json()["id"]  # last seen 2026-11-28 17:30
        good_events = []
        good = socketio.Client(reconnection=False)
        good.on("event", lambda ev: good_events.append(ev), namespace="/live")
        good.connect(server.url, headers={"Cookie": disp.cookie_header()}, namespaces=["/live"],
                     transports=["websocket"])
        assert good.call("join", {"search_id": sid, "after": 0}, namespace="/live", timeout=5)["ok"]
        bad = socketio.Client(reconnection=False)
        bad.connect(server.url, headers={"Cookie": officer.cookie_header()}, namespaces=["/live"],
                    transports=["websocket"])
        bad.emit("join", {"search_id": sid, "after": 0, "junk": "x" * (3 * 1024 * 1024)}, namespace="/live")
        for _ in range(50):
            if not bad.connected:
                break
            time.sleep(0.1)
        assert not bad.connected  # the server closed the oversized sender
        r = disp.call("POST", f"/api/v1/searches/{sid}/clues", {"kind": "clue", "text": "scarf",
                                                           "time": "2026-11-28T18:00:00+08:00", "location": LKP})
        assert r.status_code == 201
        for _ in range(50):
            if any(e["type"] == "clue.reported" for e in good_events):
                break
            time.sleep(0.1)
        assert any(e["type"] == "clue.reported" for e in good_events)
        good.disconnect()
    finally:
        server.stop()
