"""The connection is cut (a test-owned TCP proxy on loopback drops and restores traffic) while an officer walks and
marks an area searched; after it comes back the dispatcher has all of it, in order, and the officer has caught up."""
import threading
import time
from datetime import datetime, timedelta, timezone

import requests
import socketio

from support import LKP, search_payload, square
from procs import CuttableProxy, Server


class Outbox:
    """What the phone page does: keep every change until the server acknowledges it, retry in order."""

    def __init__(self, http, base, token):
        self.http, self.base, self.token = http, base, token
        self.items: list[tuple[str, dict]] = []

    def add(self, path, body):
        self.items.append((path, body))
        self.flush()

    def flush(self):
        while self.items:
            path, body = self.items[0]
            try:
                r = self.http.post(self.base + path, json=body, timeout=2,
                                   headers={"X-CSRF-Token": self.token, "X-Device-Id": "phone-cut"})
            except requests.RequestException:
                return
            assert r.status_code in (200, 201), r.text
            self.items.pop(0)


def test_cut_connection_loses_nothing_and_arrives_in_order(tmp_path):
    server = Server(tmp_path, demo=True, name="cut")
    proxy = CuttableProxy(server.port)
    try:
        disp = server.login("dispatch", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", search_payload()).json()["id"]
        officer = server.login("patrol1", "demo-pass-2026")   # its cookie is valid through the proxy too
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
        seen = []
        watch = socketio.Client(reconnection=False)
        watch.on("event", lambda ev: seen.append(ev), namespace="/live")
        watch.connect(server.url, headers={"Cookie": disp.cookie_header()}, namespaces=["/live"],
                      transports=["websocket"])
        first = watch.call("join", {"search_id": sid, "after": 0}, namespace="/live", timeout=5)
        seen.extend(first["events"])

        phone_events, applied, pending = [], {"seq": 0}, {}
        lock = threading.Lock()
        phone = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)

        def on_event(ev):
            # as the page does: apply in sequence order, hold what comes early until the gap is filled
            with lock:
                if applied["seq"] and ev["seq"] > applied["seq"]:
                    pending[ev["seq"]] = ev
                elif not applied["seq"]:
                    pending[ev["seq"]] = ev
                    applied["seq"] = ev["seq"] - 1
                while applied["seq"] + 1 in pending:
                    nxt = pending.pop(applied["seq"] + 1)
                    phone_events.append(nxt)
                    applied["seq"] = nxt["seq"]

        def rejoin():
            def done(ack):
                for ev in ack.get("events", []):
                    on_event(ev)
            phone.emit("join", {"search_id": sid, "after": applied["seq"]}, namespace="/live", callback=done)

        phone.on("event", on_event, namespace="/live")
        phone.on("connect", rejoin, namespace="/live")
        proxy_url = f"http://127.0.0.1:{proxy.port}"
        phone.connect(proxy_url, headers={"Cookie": officer.cookie_header()}, namespaces=["/live"],
                      transports=["websocket"])
        outbox = Outbox(officer.http, proxy_url, officer.token)
        start = datetime.now(timezone.utc) - timedelta(minutes=30)

        def walk(k):
            outbox.add(f"/api/v1/searches/{sid}/tracks", {"client_id": f"cut-{k:06d}", "points": [
                {"t": (start + timedelta(seconds=10 * k + i)).isoformat(), "lon": LKP[0] + 1e-5 * (10 * k + i),
                 "lat": LKP[1]} for i in range(10)]})

        for k in range(5):
            walk(k)
        assert not outbox.items
        proxy.cut()
        for k in range(5, 10):
            walk(k)
        outbox.add(f"/api/v1/searches/{sid}/searched-areas", {"geometry": square(d=0.001), "pod": 0.7,
                                                                "client_id": "cut-area-000001"})
        assert len(outbox.items) == 6          # all waiting on the phone
        time.sleep(1.0)
        disp.call("POST", f"/api/v1/searches/{sid}/teams", {"name": "During the cut", "kind": "foot_patrol"})
        proxy.restore()
        deadline = time.monotonic() + 10
        while outbox.items and time.monotonic() < deadline:
            time.sleep(0.2)
            outbox.flush()
        assert not outbox.items
        expected = {f"cut-{k:06d}" for k in range(10)} | {"cut-area-000001"}
        while time.monotonic() < deadline:
            if expected <= {e.get("client_id") for e in seen} and applied["seq"] >= max(e["seq"] for e in seen):
                break
            time.sleep(0.1)
        seqs = [e["seq"] for e in seen]
        assert seqs == list(range(1, len(seqs) + 1))                      # in order, none missing, none twice
        assert expected <= {e.get("client_id") for e in seen}
        walked = [e["client_id"] for e in seen if e["type"] == "track.points"]
        assert walked == sorted(walked)                                   # the walk arrives in the order walked
        assert [e["seq"] for e in phone_events] == list(range(phone_events[0]["seq"], seqs[-1] + 1))
        assert any(e["type"] == "team.created" for e in phone_events)     # missed during the cut, caught up
        watch.disconnect()
        phone.disconnect()
    finally:
        proxy.close()
        server.stop()
