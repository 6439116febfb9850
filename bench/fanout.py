"""Benchmark: fan-out latency. One officer's change (a track batch POSTed over HTTP) reaches N clients connected
to the same search; p50 / p99 from the POST to each client's receipt. In the same run, bare python-socketio
broadcasts the same payload to the same number of clients (POST /emit -> broadcast), and the ratio is reported.

    python bench/fanout.py [--sizes 50,100,200,500] [--rounds 20] [--redis]

Needs aiohttp (pip install aiohttp) for the asyncio clients. Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from procs import HttpUser, Server, free_port  # noqa: E402

LKP = (116.1985, 39.7712)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def connect_clients(urls_cookies, sid_join):
    clients, inbox = [], []
    loop = asyncio.get_running_loop()

    async def one(url, cookie):
        c = socketio.AsyncClient(reconnection=False)

        async def on_event(ev):
            inbox.append((loop.time(), ev.get("client_id") or ev.get("tag")))
        c.on("event", on_event, namespace="/live")
        await c.connect(url, headers={"Cookie": cookie} if cookie else {}, namespaces=["/live"],
                        transports=["websocket"], wait_timeout=20)
        if sid_join is not None:
            ack = await c.call("join", {"search_id": sid_join, "after": 10**9}, namespace="/live", timeout=20)
            assert ack["ok"], ack
        clients.append(c)
    for i in range(0, len(urls_cookies), 25):  # connect in waves
        await asyncio.gather(*(one(u, c) for u, c in urls_cookies[i:i + 25]))
    return clients, inbox


async def measure(post, clients, inbox, rounds, n):
    loop = asyncio.get_running_loop()
    lat = []
    async with aiohttp.ClientSession() as http:
        for r in range(rounds):
            tag = f"fan-{r:04d}-{time.time_ns()}"
            inbox.clear()
            t0 = loop.time()
            await post(http, tag)
            deadline = t0 + 10
            while sum(1 for _, t in inbox if t == tag) < n and loop.time() < deadline:
                await asyncio.sleep(0.002)
            got = [at - t0 for at, t in inbox if t == tag]
            if len(got) < n:
                raise RuntimeError(f"round {r}: only {len(got)} of {n} clients received the event")
            lat += got
            await asyncio.sleep(0.05)
    return lat


async def run_app(servers, disp, officer, sid, n, rounds):
    urls = [(servers[i % len(servers)].url, disp.cookie_header()) for i in range(n)]
    clients, inbox = await connect_clients(urls, sid)
    start = datetime.now(timezone.utc) - timedelta(minutes=30)
    cookie = officer.cookie_header()
    counter = [0]

    async def post(http, tag):
        counter[0] += 1
        body = {"client_id": tag, "points": [{"t": (start + timedelta(seconds=counter[0] * 10 + i)).isoformat(),
                                               "lon": LKP[0] + 1e-5 * i, "lat": LKP[1]} for i in range(10)]}
        async with http.post(servers[0].url + f"/api/v1/searches/{sid}/tracks", json=body,
                             headers={"Cookie": cookie, "X-CSRF-Token": officer.token}) as r:
            assert r.status in (200, 201), await r.text()
    try:
        return await measure(post, clients, inbox, rounds, n)
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients))


async def run_bare(url, n, rounds, payload):
    clients, inbox = await connect_clients([(url, None)] * n, None)

    async def post(http, tag):
        async with http.post(url + "/emit", data=json.dumps({**payload, "tag": tag})) as r:
            assert r.status == 200
    try:
        return await measure(post, clients, inbox, rounds, n)
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,100,200,500")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--redis", action="store_true", help="also N=500 over two app processes sharing Redis and PostgreSQL")
    ap.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = Server(tmp, demo=True, name="fanout")
    bare_port = free_port()
    bare = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_bare_server.py"), str(bare_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{bare_port}/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        disp = app.login("dispatch", "demo-pass-2026")
        officer = app.login("patrol1", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", {
            "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
            "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
        sample = disp.call("GET", f"/api/v1/searches/{sid}/events?after=0").json()["events"][-1]
        payload = {**sample, "payload": {"user_id": 1, "points": [[LKP[0], LKP[1], "2026-11-28T10:00:00Z", 5.0, 0]] * 10,
                                         "coverage": {}}}
        print(f"fan-out: track batch of 10 fixes, {args.rounds} rounds per size; latency from the POST to receipt")
        print(f"{'N':>5} {'app p50':>9} {'app p99':>9} {'bare p50':>9} {'bare p99':>9} {'p99 ratio':>9}")
        for n in map(int, args.sizes.split(",")):
            a = asyncio.run(run_app([app], disp, officer, sid, n, args.rounds))
            b = asyncio.run(run_bare(f"http://127.0.0.1:{bare_port}", n, args.rounds, payload))
            print(f"{n:>5} {statistics.median(a) * 1e3:8.1f}ms {pct(a, 99) * 1e3:8.1f}ms "
                  f"{statistics.median(b) * 1e3:8.1f}ms {pct(b, 99) * 1e3:8.1f}ms {pct(a, 99) / pct(b, 99):8.2f}x",
                  flush=True)
    finally:
        app.stop()
        bare.terminate()
    if args.redis:
        import uuid

        from sqlalchemy import create_engine, text
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(args.postgres)
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        env = {"SEARCH_COORD_DATABASE_URL": f"{args.postgres}?options=-csearch_path%3D{schema}",
               "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
               "SEARCH_COORD_SOCKETIO_CHANNEL": "bench-" + schema}
        a_srv = Server(tmp / "a", env, demo=True, name="a") if (tmp / "a").mkdir() is None else None
        b_srv = Server(tmp / "b", env, name="b") if (tmp / "b").mkdir() is None else None
        try:
            disp = a_srv.login("dispatch", "demo-pass-2026")
            officer = a_srv.login("patrol1", "demo-pass-2026")
            sid = disp.call("POST", "/api/v1/searches", {
                "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
                "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
            disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
            d_b = HttpUser(b_srv.url, "dispatch", "demo-pass-2026")
            lat = asyncio.run(run_app([a_srv, b_srv], disp, officer, sid, 500, args.rounds)) if d_b else None
            print(f"  N=500 over 2 processes (PostgreSQL + Redis): p50 {statistics.median(lat) * 1e3:.1f} ms, "
                  f"p99 {pct(lat, 99) * 1e3:.1f} ms")
        finally:
            a_srv.stop()
            b_srv.stop()
            with admin.begin() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
