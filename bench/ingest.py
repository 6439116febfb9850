"""Benchmark: sustained track-point ingest from simulated phones, with coverage updates on (the search has
segments), against real server processes on 127.0.0.1.

Each phone makes --rate fixes a second and sends them as one batch every --interval seconds, one batch at a time
(as the page's outbox does: the next waits for the answer to the one before), over HTTP (POST .../tracks) or over
its open Socket.IO connection (the /live 'track' message, acknowledged after the commit). The run lasts --seconds.

    python bench/ingest.py [--phones 200] [--interval 1] [--seconds 60] [--transport http|socket]
                           [--db sqlite|postgres]

--db sqlite: one process on the embedded SQLite file. --db postgres: two processes on one PostgreSQL database (a
fresh schema of SEARCH_COORD_TEST_POSTGRES_URL, as the tests use) sharing a Redis message queue; phones alternate
between them. Reported: fixes and batches a second accepted, request (or ack) latency p50 / p99 over the run and
per third of it, how late batches were sent behind their schedule (a phone waits for its previous answer, so a
server that cannot keep up shows as a lag that grows third by third), and the servers' CPU per batch.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from procs import Server  # noqa: E402
from support import POSTGRES_URL, postgres_schema  # noqa: E402

LKP = (116.1985, 39.7712)
PASSWORD = "phone-pass-1"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Phone:
    """One simulated phone: its batches, when each was due, sent and answered."""

    def __init__(self, i, url, sid, user, args, t_start, start):
        self.i, self.url, self.sid, self.user, self.args = i, url, sid, user, args
        self.t_start, self.start = t_start, start
        self.records = []   # (due - t_start, sent - due, answered - sent, accepted or None)

    def batch(self, k):
        n = int(self.args.interval * self.args.rate)
        i = self.i
        pts = [{"t": (self.start + timedelta(seconds=(k * n + j) / self.args.rate)).isoformat(),
                "lon": LKP[0] + 1e-5 * ((k * n + j) % 400) + 1e-4 * (i % 20),
                "lat": LKP[1] + 1e-4 * (i // 20), "acc": 5} for j in range(n)]
        # sent_at: the phone's clock when it sends (the server measures the phone's clock from it)
        return {"client_id": f"ing-{i:04d}-{k:06d}", "points": pts, "sent_at": datetime.now(timezone.utc).isoformat(),
                "device": f"phone-{i}"}

    async def open(self, gate):
        """Connect (the socket, or an HTTP session) before the timed run; a refused connect is tried again."""
        cookie = self.user.cookie_header()
        if self.args.transport == "http":
            self.http = aiohttp.ClientSession(headers={"Cookie": cookie, "X-CSRF-Token": self.user.token})
            return
        async with gate:
            for attempt in range(5):
                self.sio = socketio.AsyncClient(reconnection=False)
                try:
                    await self.sio.connect(self.url, headers={"Cookie": cookie}, namespaces=["/live"],
                                           transports=["websocket"], wait_timeout=30)
                    return
                except socketio.exceptions.ConnectionError:
                    await asyncio.sleep(1 + attempt)
            raise RuntimeError(f"phone {self.i} could not connect")

    async def send(self, body):
        if self.args.transport == "socket":
            return await self.sio.call("track", {"search_id": self.sid, **body}, namespace="/live", timeout=120)
        async with self.http.post(f"{self.url}/api/v1/searches/{self.sid}/tracks", json=body) as r:
            answer = await r.json(content_type=None)
            return {"ok": r.status in (200, 201), **answer}

    async def close(self):
        if self.args.transport == "socket":
            await self.sio.disconnect()
        else:
            await self.http.close()

    async def run(self):
        loop = asyncio.get_running_loop()
        offset = (self.i % 50) * self.args.interval / 50   # phones spread over the interval
        k = 0
        while True:
            due = self.t_start + offset + k * self.args.interval
            if due - self.t_start > self.args.seconds:
                return
            await asyncio.sleep(max(0.0, due - loop.time()))
            t0 = loop.time()
            answer = await self.send(self.batch(k))
            t1 = loop.time()
            self.records.append((due - self.t_start, t0 - due, t1 - t0,
                                 answer.get("accepted") if answer.get("ok") else None))
            k += 1


def build(server, phones):
    """A search with a foot team of ``phones`` officers and a 600 m grid of segments (coverage on)."""
    admin = server.login("admin", "demo-pass-2026")
    disp = server.login("dispatch", "demo-pass-2026")
    sid = disp.call("POST", "/api/v1/searches", {
        "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
        "lkp_time": "2026-11-28T17:30:00+08:00", "lkp_time_confirmed": True, "risk": "high"}).json()["id"]
    team = disp.call("POST", f"/api/v1/searches/{sid}/teams", {"name": "Foot", "kind": "foot_patrol"}).json()
    tag = uuid.uuid4().hex[:6]
    user_ids = []
    for i in range(phones):
        u = admin.call("POST", "/api/v1/users", {"username": f"phone{i}-{tag}", "display_name": f"Phone {i}",
                                                 "role": "officer", "password": PASSWORD}).json()
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": u["id"]})
        user_ids.append(u["id"])
    disp.call("PATCH", f"/api/v1/searches/{sid}/teams/{team['id']}", {"member_ids": user_ids})
    grid = disp.http.post(f"{server.url}/api/v1/searches/{sid}/segments/grid", json={"shape": "square", "cell_m": 600},
                          headers={"X-CSRF-Token": disp.token}, timeout=120).json()   # slow on a loaded machine
    assert "segments" in grid, grid
    return sid, tag, grid["segments"]


async def drive(args, servers, sid, users):
    loop = asyncio.get_running_loop()
    start = datetime.now(timezone.utc) - timedelta(seconds=args.seconds + 120)
    phones = [Phone(i, servers[i % len(servers)].url, sid, u, args, 0.0, start) for i, u in enumerate(users)]
    gate = asyncio.Semaphore(10)
    await asyncio.gather(*(p.open(gate) for p in phones))
    await asyncio.sleep(1.0)
    cpu0 = sum(cpu_seconds(s.proc.pid) for s in servers)
    t_start = loop.time() + 0.5
    for p in phones:
        p.t_start = t_start
    try:
        await asyncio.gather(*(p.run() for p in phones))
        took = loop.time() - t_start
        cpu = sum(cpu_seconds(s.proc.pid) for s in servers) - cpu0
    finally:
        await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)
    return [r for p in phones for r in p.records], took, cpu


def report(args, records, took, cpu, where, segments):
    ok = [r for r in records if r[3] is not None]
    fixes = sum(r[3] for r in ok)
    print(f"ingest: {args.phones} phones, {args.rate:g} fixes/s each, a batch every {args.interval:g} s over "
          f"{args.transport}, for {args.seconds:g} s; {segments} segments (coverage on); {where}")
    print(f"  accepted {fixes} fixes in {len(ok)} batches ({len(records) - len(ok)} refused or failed) in "
          f"{took:.1f} s = {fixes / took:.0f} fixes/s, {len(ok) / took:.0f} batches/s "
          f"(offered: {args.phones * args.rate:.0f} fixes/s, {args.phones / args.interval:.0f} batches/s)")
    lat = [r[2] for r in records]
    print(f"  latency (sent to answered) p50 {statistics.median(lat) * 1e3:.0f} ms, p99 {pct(lat, 99) * 1e3:.0f} ms; "
          f"server CPU {cpu * 1e3 / max(1, len(records)):.2f} ms a batch")
    thirds = [[r for r in records if k * args.seconds / 3 <= r[0] < (k + 1) * args.seconds / 3] for k in range(3)]
    for k, part in enumerate(thirds):
        if part:
            print(f"  third {k + 1}: latency p50 {statistics.median([r[2] for r in part]) * 1e3:5.0f} ms, "
                  f"p99 {pct([r[2] for r in part], 99) * 1e3:5.0f} ms; sent behind schedule p50 "
                  f"{statistics.median([r[1] for r in part]) * 1e3:5.0f} ms, "
                  f"p99 {pct([r[1] for r in part], 99) * 1e3:5.0f} ms")
    print("  load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    lag_first, lag_last = pct([r[1] for r in thirds[0]], 99), pct([r[1] for r in thirds[2]], 99)
    growing = lag_last > args.interval or lag_last > lag_first + 0.5 * args.interval
    print(f"  backlog: {'GROWING' if growing else 'none'} (last third sent at most {lag_last * 1e3:.0f} ms behind "
          f"schedule, first third {lag_first * 1e3:.0f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=200)
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between a phone's batches")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=5.0, help="fixes per second per phone (5 x 200 phones = 1000/s)")
    ap.add_argument("--transport", choices=("http", "socket"), default="http")
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--no-group-commit", action="store_true", help="each batch in a transaction of its own")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = {"SEARCH_COORD_TRACK_GROUP_COMMIT": "false" if args.no_group_commit else "true",
           "SEARCH_COORD_RATELIMIT_ENABLED": "false"}
    schema_ctx = None
    if args.db == "postgres":
        schema_ctx = postgres_schema("bench_")   # a fresh schema, dropped afterwards
        name = schema_ctx.__enter__()
        env.update({"SEARCH_COORD_DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{name}",
                    "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
                    "SEARCH_COORD_SOCKETIO_CHANNEL": "search-coord-bench-" + uuid.uuid4().hex[:8]})
        servers = [Server(tmp, env, demo=True, name="ingest-a")]
        servers.append(Server(tmp, env, name="ingest-b"))
        where = "PostgreSQL + Redis, two processes"
    else:
        servers = [Server(tmp, env, demo=True, name="ingest")]
        where = "SQLite, one process"
    try:
        sid, tag, segments = build(servers[0], args.phones)
        users = [servers[i % len(servers)].login(f"phone{i}-{tag}", PASSWORD) for i in range(args.phones)]
        time.sleep(1)
        print("load average (1, 5, 15 min) before the run: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
              flush=True)
        records, took, cpu = asyncio.run(drive(args, servers, sid, users))
        report(args, records, took, cpu, where + ("" if not args.no_group_commit else ", no group commit"), segments)
    finally:
        for s in servers:
            s.stop()
        if schema_ctx is not None:
            schema_ctx.__exit__(None, None, None)


if __name__ == "__main__":
    main()
