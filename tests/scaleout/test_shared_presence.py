"""Presence across two app processes sharing PostgreSQL and a Redis message queue: a client joining through B is
told about a user connected through A, and that user is gone once they disconnect, or once A dies without a word."""
import signal
import threading
import time
import uuid

import pytest
import socketio
from support import search_payload
from procs import Server

pytestmark = [pytest.mark.postgres]



class Live:
    """A /live connection that records the presence messages it gets."""

    def __init__(self, server_url: str, cookie: str):
        self.presence, self.changed = [], threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("presence", self._on_presence, namespace="/live")
        self.sio.connect(server_url, headers={"Cookie": cookie}, namespaces=["/live"], transports=["websocket"])

    def _on_presence(self, msg):
        with self.changed:
            self.presence.append(msg)
            self.changed.notify_all()

    def join(self, search_id: int) -> dict:
        ack = self.sio.call("join", {"search_id": search_id, "after": 0}, namespace="/live", timeout=5)
        assert ack["ok"], ack
        return ack

    def wait_for(self, msg: dict, timeout: float) -> float:
        """Seconds until ``msg`` arrived (fails after ``timeout``)."""
        start = time.monotonic()
        with self.changed:
            assert self.changed.wait_for(lambda: msg in self.presence, timeout), (msg, self.presence)
        return time.monotonic() - start

    def close(self):
        self.sio.disconnect()


def test_a_client_on_b_sees_who_is_connected_on_a_until_they_leave_or_a_dies(tmp_path, pg_schema):
    env = {"SEARCH_COORD_DATABASE_URL": pg_schema,
           "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
           "SEARCH_COORD_SOCKETIO_CHANNEL": "search-coord-test-" + uuid.uuid4().hex[:8],
           "SEARCH_COORD_PRESENCE_TTL_S": "2", "SEARCH_COORD_PRESENCE_HEARTBEAT_S": "0.5"}
    a = Server(tmp_path, env, demo=True, name="a")
    b = Server(tmp_path, env, name="b")
    clients = []
    try:
        disp_a = a.login("dispatch", "demo-pass-2026")
        sid = disp_a.call("POST", "/api/v1/searches", search_payload()).json()["id"]
        officer_a = a.login("patrol1", "demo-pass-2026")
        officer = officer_a.user["id"]
        disp_a.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer})
        disp_b = b.login("dispatch", "demo-pass-2026")
        dispatcher = disp_b.user["id"]

        phone = Live(a.url, officer_a.cookie_header())
        clients.append(phone)
        assert phone.join(sid)["online"] == [officer]
        console = Live(b.url, disp_b.cookie_header())
        clients.append(console)
        assert console.join(sid)["online"] == sorted([officer, dispatcher])   # connected through A, told on B
        phone.wait_for({"search_id": sid, "user_id": dispatcher, "online": True}, 5)  # and A's client hears of B's

        phone.close()
        console.wait_for({"search_id": sid, "user_id": officer, "online": False}, 5)
        later = Live(b.url, disp_b.cookie_header())
        clients.append(later)
        assert later.join(sid)["online"] == [dispatcher]

        # A dies without closing anything: its entries age out (2 s here) and B announces the officer offline.
        phone = Live(a.url, officer_a.cookie_header())
        clients.append(phone)
        assert sorted(phone.join(sid)["online"]) == sorted([officer, dispatcher])
        console.wait_for({"search_id": sid, "user_id": officer, "online": True}, 5)
        assert later.join(sid)["online"] == sorted([officer, dispatcher])
        a.stop(signal.SIGKILL)
        console.presence.clear()
        waited = console.wait_for({"search_id": sid, "user_id": officer, "online": False}, 10)
        assert waited <= 2 + 0.5 + 2   # the TTL, a heartbeat, and slack for a loaded machine
        last = Live(b.url, disp_b.cookie_header())
        clients.append(last)
        assert last.join(sid)["online"] == [dispatcher]
    finally:
        for c in clients:
            if c.sio.connected:
                try:
                    c.close()
                except Exception:  # noqa: BLE001 - a client of the killed process
                    pass
        a.stop()
        b.stop()
