"""Benchmark: fan-out latency. One officer's change (a track batch POSTed over HTTP) reaches N clients connected
to the same search; p50 / p99 from the POST to each client's receipt. In the same run, bare python-socketio
(bench/_bare_server.py: the same threading server, simple-websocket and Werkzeug) broadcasts the same payload to as
many clients (POST /emit -> broadcast), and the app's figures are given as ratios to it.

    python bench/fanout.py [--sizes 50,100,200,500] [--rounds 20] [--redis] [--detail] [--transport http|socket]

--transport socket sends the change as a phone with its live socket open does (the /live 'track' message,
acknowledged once committed; static/js/reports/outbox_send.js), and the bare server gets it the same way (an 'emit'
message from a client that is not a receiver); the default, http, is the phone's fallback (POST .../tracks).

Each side's change (its request body or socket message) is made before its round's clock starts, so the latency
is from sending it. The app's and the bare server's clients are connected together and the rounds alternate (app,
bare, bare, app, ...), so a load that comes and goes on the machine falls on both alike; each side first has two
rounds that are not counted (the first requests of new connections). The clients' own garbage collection is kept
out of the timed rounds (see ``compare``). With --redis, N=500 more clients are split between two app processes
sharing PostgreSQL and a Redis message queue, the change POSTed to the first (bare: one process).

Needs aiohttp and python-socketio[client] (``pip install -e ".[bench]"``). Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
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
from procs import Server, free_port  # noqa: E402

LKP = (116.1985, 39.7712)
WARMUP = 2


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Side:
    """N connected clients of one server and how to make it broadcast one tagged change to them."""

    def __init__(self, post, open_sender=None, close_sender=None, prepare=None):
        self.post = post            # async (http session, what prepare made) -> None
        self.prepare = prepare or (lambda tag: tag)   # tag -> the change to send, made before the clock starts
        self.open_sender = open_sender      # async () -> None: the socket transport's sending client
        self.close_sender = close_sender
        self.clients: list[socketio.AsyncClient] = []
        self.got: dict[str, list[float]] = {}
        self.want: tuple[str, int, asyncio.Event] | None = None
        self.lat: list[float] = []
        self.rounds: list[tuple[float, float, float]] = []   # (POST answered, first receipt, last receipt)

    def receive(self, tag, at):
        self.got.setdefault(tag, []).append(at)
        if self.want and self.want[0] == tag and len(self.got[tag]) >= self.want[1]:
            self.want[2].set()

    async def connect(self, urls_cookies, join_search: int | None):
        loop = asyncio.get_running_loop()

        async def one(url, cookie):
            c = socketio.AsyncClient(reconnection=False)

            async def on_event(ev):
                self.receive(ev.get("client_id") or ev.get("tag"), loop.time())
            c.on("event", on_event, namespace="/live")
            await c.connect(url, headers={"Cookie": cookie} if cookie else {}, namespaces=["/live"],
                            transports=["websocket"], wait_timeout=20)
            if join_search is not None:
                ack = await c.call("join", {"search_id": join_search, "after": 10**9}, namespace="/live", timeout=20)
                assert ack["ok"], ack
            self.clients.append(c)
        for i in range(0, len(urls_cookies), 25):  # connect in waves
            await asyncio.gather(*(one(u, c) for u, c in urls_cookies[i:i + 25]))

    async def round(self, http, label: str, count: bool) -> None:
        loop = asyncio.get_running_loop()
        n = len(self.clients)
        tag = f"fan-{label}-{time.time_ns()}"
        self.want = (tag, n, asyncio.Event())
        change = self.prepare(tag)   # the request body or message, made before timing (both sides alike)
        t0 = loop.time()
        await self.post(http, change)
        t_post = loop.time() - t0
        try:
            await asyncio.wait_for(self.want[2].wait(), 10)
        except asyncio.TimeoutError:
            raise RuntimeError(f"round {label}: only {len(self.got.get(tag, []))} of {n} clients received the event")
        got = [at - t0 for at in self.got.pop(tag)]
        if count:
            self.lat += got
            self.rounds.append((t_post, min(got), max(got)))

    async def close(self):
        await asyncio.gather(*(c.disconnect() for c in self.clients))
        if self.close_sender:
            await self.close_sender()


_CLOCK = [0]   # batches across the whole run: each one's fixes follow the previous one's


def socket_sender(url: str, cookie: str | None, auth: dict | None):
    """(open, close, client holder) of the one client that sends the changes over its socket."""
    holder: list[socketio.AsyncClient] = []

    async def open_():
        c = socketio.AsyncClient(reconnection=False)
        await c.connect(url, headers={"Cookie": cookie} if cookie else {}, namespaces=["/live"], auth=auth,
                        transports=["websocket"], wait_timeout=20)
        holder.append(c)

    async def close():
        if holder:
            await holder[0].disconnect()
    return open_, close, holder


def app_side(server: Server, disp, officer, sid: int, transport: str = "http") -> Side:
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    cookie = officer.cookie_header()

    def batch(tag):
        _CLOCK[0] += 1
        return {"client_id": tag, "points": [{"t": (start + timedelta(seconds=_CLOCK[0] * 10 + i)).isoformat(),
                                              "lon": LKP[0] + 1e-5 * i, "lat": LKP[1]} for i in range(10)]}

    if transport == "socket":
        open_, close, holder = socket_sender(server.url, cookie, None)

        async def send(http, message):
            ack = await holder[0].call("track", message, namespace="/live", timeout=10)
            assert ack.get("ok"), ack
        return Side(send, open_, close, lambda tag: {"search_id": sid, **batch(tag)})

    async def post(http, body):
        async with http.post(server.url + f"/api/v1/searches/{sid}/tracks", data=body,
                             headers={"Cookie": cookie, "X-CSRF-Token": officer.token,
                                      "Content-Type": "application/json"}) as r:
            assert r.status in (200, 201), await r.text()
    return Side(post, prepare=lambda tag: json.dumps(batch(tag)).encode())


def bare_side(url: str, payload: dict, transport: str = "http") -> Side:
    if transport == "socket":
        open_, close, holder = socket_sender(url, None, {"sender": True})

        async def send(http, message):
            ack = await holder[0].call("emit", message, namespace="/live", timeout=10)
            assert ack.get("ok"), ack
        return Side(send, open_, close, lambda tag: {**payload, "tag": tag})

    async def post(http, body):
        async with http.post(url + "/emit", data=body) as r:
            assert r.status == 200
    return Side(post, prepare=lambda tag: json.dumps({**payload, "tag": tag}).encode())


async def compare(app: Side, app_urls: list[str], app_cookie: str, sid: int, bare: Side, bare_url: str, n: int,
                  rounds: int) -> None:
    """Connect N clients to each, then alternate the rounds (ABBA order), the first WARMUP of each not counted."""
    await app.connect([(app_urls[i % len(app_urls)], app_cookie) for i in range(n)], sid)
    await bare.connect([(bare_url, None)] * n, None)
    for side in (app, bare):
        if side.open_sender:
            await side.open_sender()
    # This process holds 2N clients; its garbage collector would stop them all for 100-300 ms at times (a full
    # collection), which is no server's latency. So the clients are frozen out of collection, and no collection
    # runs while a round is timed (one runs between rounds instead).
    gc.collect()
    gc.freeze()
    try:
        async with aiohttp.ClientSession() as http:
            for r in range(WARMUP + rounds):
                for side in ((app, bare) if r % 2 == 0 else (bare, app)):
                    gc.disable()
                    try:
                        await side.round(http, f"{n}-{r}", count=r >= WARMUP)
                    finally:
                        gc.enable()
                    gc.collect()
                    await asyncio.sleep(0.05)
    finally:
        gc.unfreeze()
        await app.close()
        await bare.close()


def start_bare() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_bare_server.py"), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return proc, url


def open_search(server: Server):
    """The demo's dispatcher and an officer, on a new search of their own (no segments: the fan-out path)."""
    disp = server.login("dispatch", "demo-pass-2026")
    officer = server.login("patrol1", "demo-pass-2026")
    sid = disp.call("POST", "/api/v1/searches", {
        "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
        "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high"}).json()["id"]
    disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
    sample = disp.call("GET", f"/api/v1/searches/{sid}/events?after=0").json()["events"][-1]
    payload = {**sample, "payload": {"user_id": 1, "points": [[LKP[0], LKP[1], "2026-11-28T10:00:00Z", 5.0, 0]] * 10,
                                     "coverage": {}}}
    return disp, officer, sid, payload


def ms(x: float) -> str:
    return f"{x * 1e3:7.1f}ms"


def report(label: str, app: Side, bare: Side, detail: bool) -> None:
    a, b = app.lat, bare.lat
    print(f"{label:>12} {ms(statistics.median(a))} {ms(pct(a, 99))} {ms(statistics.median(b))} {ms(pct(b, 99))} "
          f"{pct(a, 99) / pct(b, 99):8.2f}x {statistics.median(a) / statistics.median(b):8.2f}x", flush=True)
    if detail:   # medians over the rounds
        for name, side in (("app", app), ("bare", bare)):
            d = side.rounds
            print(f"{'':>12} {name:>4}: change answered {ms(statistics.median(x[0] for x in d))}, first receipt "
                  f"{ms(statistics.median(x[1] for x in d))}, last {ms(statistics.median(x[2] for x in d))} "
                  f"(worst round's last {ms(max(x[2] for x in d))})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="50,100,200,500", help="N values on one process (empty: none)")
    ap.add_argument("--rounds", type=int, default=20, help="changes counted per N and side (each reaches N clients)")
    ap.add_argument("--redis", action="store_true",
                    help="also N=500 over two app processes sharing Redis and PostgreSQL")
    ap.add_argument("--redis-n", type=int, default=500, help="N for the two-process run")
    ap.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--detail", action="store_true", help="also when the POST was answered, the first and last receipt")
    ap.add_argument("--no-group-commit", action="store_true", help="the app stores each batch in its own transaction")
    ap.add_argument("--transport", choices=("http", "socket"), default="http",
                    help="how the change is sent: POST .../tracks (http), or the phone's open socket (socket)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    print(f"fan-out: track batch of 10 fixes over {args.transport}, {args.rounds} rounds per N (+{WARMUP} not counted), app and bare "
          f"alternating; latency from the POST to each receipt; ratios app / bare python-socketio")
    print(f"{'N':>12} {'app p50':>9} {'app p99':>9} {'bare p50':>9} {'bare p99':>9} {'p99 ratio':>9} {'p50 ratio':>9}")
    bare, bare_url = start_bare()
    try:
        if sizes:
            app = Server(tmp, {"SEARCH_COORD_TRACK_GROUP_COMMIT": "false"} if args.no_group_commit else None,
                         demo=True, name="fanout")
            try:
                disp, officer, sid, payload = open_search(app)
                for n in sizes:
                    a, b = app_side(app, disp, officer, sid, args.transport), bare_side(bare_url, payload, args.transport)
                    asyncio.run(compare(a, [app.url], disp.cookie_header(), sid, b, bare_url, n, args.rounds))
                    report(str(n), a, b, args.detail)
            finally:
                app.stop()
        if args.redis:
            two_processes(args, tmp, bare_url)
    finally:
        bare.terminate()
        bare.wait()


def two_processes(args, tmp: Path, bare_url: str) -> None:
    import uuid

    from sqlalchemy import create_engine, text
    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = create_engine(args.postgres)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    env = {"SEARCH_COORD_DATABASE_URL": f"{args.postgres}?options=-csearch_path%3D{schema}",
           "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
           "SEARCH_COORD_SOCKETIO_CHANNEL": "bench-" + schema}
    servers = []
    try:
        for name in ("a", "b"):
            (tmp / name).mkdir()
            servers.append(Server(tmp / name, env, demo=name == "a", name=name))
        disp, officer, sid, payload = open_search(servers[0])
        a, b = app_side(servers[0], disp, officer, sid, args.transport), bare_side(bare_url, payload, args.transport)
        asyncio.run(compare(a, [s.url for s in servers], disp.cookie_header(), sid, b, bare_url, args.redis_n,
                            args.rounds))
        report(f"{args.redis_n} 2 procs", a, b, args.detail)
    finally:
        for s in servers:
            s.stop()
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
