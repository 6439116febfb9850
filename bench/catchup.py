"""Benchmark: catch-up of 10,000 missed events over Socket.IO (join with ``after``) and over the API, against a real
server: time and bytes.

    python bench/catchup.py [--events 10000]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from procs import Server  # noqa: E402

LKP = (116.1985, 39.7712)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000)
    args = ap.parse_args()
    server = Server(Path(tempfile.mkdtemp()), demo=True, name="catchup")
    try:
        disp = server.login("dispatch", "demo-pass-2026")
        officer = server.login("patrol1", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", {
            "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
            "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
        start = datetime.now(timezone.utc) - timedelta(seconds=args.events * 5 + 60)
        t = time.perf_counter()
        for k in range(args.events - 2):
            officer.call("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": f"cu-{k:08d}", "points": [
                {"t": (start + timedelta(seconds=5 * k + j)).isoformat(), "lon": LKP[0] + 1e-6 * k, "lat": LKP[1],
                 "acc": 5} for j in range(5)]})
        print(f"catch-up: {args.events} events in the log (track batches of 5 fixes), made in "
              f"{time.perf_counter() - t:.0f} s")
        # over Socket.IO: join with after=0 pages through 1000 events at a time
        sio = socketio.Client(reconnection=False)
        sio.connect(server.url, headers={"Cookie": officer.cookie_header()}, namespaces=["/live"],
                    transports=["websocket"])
        t = time.perf_counter()
        after, got, size = 0, 0, 0
        while True:
            ack = sio.call("join", {"search_id": sid, "after": after}, namespace="/live", timeout=30)
            size += len(json.dumps(ack))
            got += len(ack["events"])
            if not ack["events"]:
                break
            after = ack["events"][-1]["seq"]
            if not ack["has_more"]:
                break
        took = time.perf_counter() - t
        sio.disconnect()
        print(f"  socket join pages: {got} events in {took:.2f} s, {size / 1e6:.2f} MB of JSON "
              f"({size / max(got, 1):.0f} bytes/event)")
        t = time.perf_counter()
        r = officer.http.get(f"{server.url}/api/v1/searches/{sid}/events?after=0&limit=5000")
        r2 = officer.http.get(f"{server.url}/api/v1/searches/{sid}/events?after=5000&limit=5000")
        took = time.perf_counter() - t
        n = len(r.json()["events"]) + len(r2.json()["events"])
        print(f"  API pages of 5000: {n} events in {took:.2f} s, {(len(r.content) + len(r2.content)) / 1e6:.2f} MB")
        t = time.perf_counter()
        st = officer.http.get(f"{server.url}/api/v1/searches/{sid}/state")
        print(f"  snapshot instead (what a reloaded page uses): {time.perf_counter() - t:.2f} s, "
              f"{len(st.content) / 1e6:.2f} MB, last_seq {st.json()['last_seq']}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
