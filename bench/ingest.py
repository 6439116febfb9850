"""Benchmark: sustained track-point ingest from simulated phones, with coverage updates on (the search has
segments), against a real server process on 127.0.0.1.

Each phone makes --rate fixes a second and sends them as one batch every --interval seconds; the run lasts
--seconds. Reported:
points per second accepted, request latency p50 / p99, and the backlog: how late the last batches were sent compared
with their schedule (a growing lag means the server cannot keep up).

    python bench/ingest.py [--phones 200] [--interval 5] [--seconds 30]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from procs import Server  # noqa: E402

LKP = (116.1985, 39.7712)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def phone(i, url, sid, cookie, token, interval, rate, seconds, t_start, lat, lags, accepted):
    async with aiohttp.ClientSession(headers={"Cookie": cookie, "X-CSRF-Token": token}) as http:
        k = 0
        start = datetime.now(timezone.utc) - timedelta(seconds=seconds + 60)
        loop = asyncio.get_running_loop()
        offset = (i % 50) * interval / 50  # phones spread over the interval
        while True:
            due = t_start + offset + k * interval
            if due - t_start > seconds:
                return
            await asyncio.sleep(max(0.0, due - loop.time()))
            n = int(interval * rate)
            pts = [{"t": (start + timedelta(seconds=(k * n + j) / rate)).isoformat(),
                    "lon": LKP[0] + 1e-5 * ((k * n + j) % 400) + 1e-4 * (i % 20),
                    "lat": LKP[1] + 1e-4 * (i // 20), "acc": 5} for j in range(n)]
            t0 = loop.time()
            sent_at = datetime.now(timezone.utc).isoformat()   # as the phone stamps it (the clock is measured)
            async with http.post(f"{url}/api/v1/searches/{sid}/tracks",
                                 json={"client_id": f"ing-{i:04d}-{k:06d}", "points": pts, "sent_at": sent_at,
                                       "device": f"phone-{i}"}) as r:
                body = await r.json(content_type=None)
                if r.status in (200, 201):
                    accepted.append(body["accepted"])   # what the server stored after its per-fix checks
            lat.append(loop.time() - t0)
            lags.append((due - t_start, t0 - due))
            k += 1


async def main_async(args, server, sid, officers):
    loop = asyncio.get_running_loop()
    lat, lags, accepted = [], [], []
    t_start = loop.time() + 1.0
    await asyncio.gather(*(phone(i, server.url, sid, o.cookie_header(), o.token, args.interval, args.rate, args.seconds,
                                 t_start, lat, lags, accepted) for i, o in enumerate(officers)))
    took = loop.time() - t_start
    return lat, lags, sum(accepted), took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=200)
    ap.add_argument("--interval", type=float, default=5.0)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=5.0, help="fixes per second per phone (5 x 200 phones = 1000/s)")
    args = ap.parse_args()
    server = Server(Path(tempfile.mkdtemp()), demo=True, name="ingest")
    try:
        admin = server.login("admin", "demo-pass-2026")
        disp = server.login("dispatch", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", {
            "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
            "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
        team = disp.call("POST", f"/api/v1/searches/{sid}/teams", {"name": "Foot", "kind": "foot_patrol"}).json()
        officers = []
        for i in range(args.phones):
            u = admin.call("POST", "/api/v1/users", {"username": f"phone{i}", "display_name": f"Phone {i}",
                                                     "role": "officer", "password": "phone-pass-1"}).json()
            disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": u["id"]})
            officers.append(server.login(f"phone{i}", "phone-pass-1"))
        disp.call("PATCH", f"/api/v1/searches/{sid}/teams/{team['id']}",
                  {"member_ids": [o.user["id"] for o in officers]})
        grid = disp.call("POST", f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 600}).json()
        assert "segments" in grid, grid
        time.sleep(2)
        lat, lags, points, took = asyncio.run(main_async(args, server, sid, officers))
        early = [lag for at, lag in lags if at < args.seconds / 3]
        late = [lag for at, lag in lags if at > 2 * args.seconds / 3]
        print(f"ingest: {args.phones} phones, {args.rate:g} fixes/s each, a batch every {args.interval:g} s, for "
              f"{args.seconds:g} s; {grid['segments']} segments (coverage on), SQLite, one process")
        print(f"  accepted {points} points in {took:.1f} s = {points / took:.0f} points/s "
              f"({len(lat)} requests, {len(lat) / took:.0f} requests/s)")
        print(f"  request latency p50 {statistics.median(lat) * 1e3:.1f} ms, p99 {pct(lat, 99) * 1e3:.1f} ms")
        print(f"  send lag behind schedule: first third p99 {pct(early, 99) * 1e3:.0f} ms, "
              f"last third p99 {pct(late, 99) * 1e3:.0f} ms (growing = backlog)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
