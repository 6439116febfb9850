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
    tmp = Path(tempfile.mkdtemp())
    server = Server(tmp, demo=True, name="catchup")
    try:
        disp = server.login("dispatch", "demo-pass-2026")
        officer = server.login("patrol1", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", {
            "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
            "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
        # The missed events are written straight into the server's database (as the service would write them:
        # track batches of 5 fixes), which is much faster than making 10,000 requests.
        from sqlalchemy import insert, update

        from search_coord.adapters.db import make_engine
        from search_coord.adapters.models import Event, Search, TrackPoint

        engine = make_engine(f"sqlite:///{tmp / 'instance' / 'search-coord.db'}")
        start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=args.events * 5 + 60)
        with engine.begin() as conn:
            first = conn.execute(update(Search).where(Search.id == sid).values(last_seq=Search.last_seq)
                                 .returning(Search.last_seq)).scalar_one()
            rows = [{"search_id": sid, "seq": first + k + 1, "type": "track.points", "actor_id": officer.user["id"],
                     "device": "bench-phone", "client_id": f"cu-{k:08d}", "at": start + timedelta(seconds=5 * k),
                     "payload": {"user_id": officer.user["id"], "coverage": {"12": 0.0123},
                                 "points": [[LKP[0] + 1e-6 * k, LKP[1],
                                             (start + timedelta(seconds=5 * k + j)).isoformat() + "Z", 5.0, 0]
                                            for j in range(5)]}} for k in range(args.events)]
            conn.execute(insert(Event), rows)
            conn.execute(insert(TrackPoint), [
                {"search_id": sid, "user_id": officer.user["id"], "t": start + timedelta(seconds=5 * k + j),
                 "lon": LKP[0] + 1e-6 * k, "lat": LKP[1], "acc": 5.0, "run": 0, "event_seq": first + k + 1}
                for k in range(args.events) for j in range(5)])
            conn.execute(update(Search).where(Search.id == sid).values(last_seq=first + args.events))
        engine.dispose()
        print(f"catch-up: {args.events} missed events (track batches of 5 fixes) after seq {first}")
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
