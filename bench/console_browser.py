"""Benchmark (run by hand, never a test): the dispatcher's console in Chromium on a long night's search.

50 officers with a fix every 5 s for each of ``--hours`` (1 h: 36,000 fixes; 4 h: 144,000), written straight into
the server's database (as bench/_workload.py and bench/catchup.py do), then live track batches through the API (10 a
second for 20 s, from several officers) while the console is open. Reported per workload, measured in the page:

- the snapshot: GET /state?tracks=display (what the console loads), bytes raw and compressed, fixes sent of stored;
- time to first useful render: navigation start -> every officer's track drawn on the canvas with its position;
- time until everything is drawn: the last response of the page's first load (timeline, panels) in, at idle;
- per-event apply time p50/p99 (reducer + what is drawn at once; ``live.apply`` wrapped with performance.now()),
  and the animation-frame work the console batches (position markers and labels: SC.debug.perf.markers);
- lag from the server's acknowledgement (the POST's answer) to on screen (the batch's last fix drawn, seen by a
  requestAnimationFrame poller) p50/p99; main-thread busy share (long tasks) during the live phase;
- frame intervals while panning (requestAnimationFrame deltas): a long drag through Leaflet's drag handler (mouse
  events, one move a frame, ``--drag-seconds`` of gestures across the map in eight directions, released and pressed
  again between them) with the where-to-look layers off, then again with them shown (segments, searched areas,
  rings, the swept area; the number of SVG paths and canvas paths is printed), each with the renderer's CPU time
  meanwhile (main thread and process, CDP Performance metrics); then, shown, animated ``map.panBy``
  steps of 160 px (240 frames) and 40 px a frame without animation for as long as the drag (every frame ends a move:
  the worst case); the track tiles drawn;
- catch-up: the console's socket cut, 100 track batches accepted meanwhile, then reconnected: time from reconnect to
  every batch applied and drawn, and the time the 100 events took to apply (SC.debug.catchUp);
- JS heap (CDP, after GC) after the load and at the end.

The workload and the report are here; what runs in Chromium and measures the page is bench/_console_page.py.

    .venv/bin/python bench/console_browser.py [--hours 1 4] [--officers 50] [--rate 10] [--seconds 20] [--senders 10]
        [--drag-seconds 8] [--drag-speed 12] [--drag-gesture 60]
"""
from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from procs import Server  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from _console_page import measure  # noqa: E402

LKP = (116.1985, 39.7712)
PASSWORD = "bench-pass-2026"
FIX_EVERY_S = 5

def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def build(server: Server, tmp: Path, officers: int, hours: float) -> tuple[int, list[dict]]:
    """The search (through the API), then officers, memberships and their fixes straight into the database."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from search_coord.adapters.db import make_engine
    from search_coord.adapters.models import Membership, TrackPoint, User
    from search_coord.core.geometry import LocalProjection

    disp = server.login("dispatch", "demo-pass-2026")
    now = datetime.now(timezone.utc)
    sid = disp.call("POST", "/api/v1/searches", {
        "subject": {"name": "bench", "category": "dementia"}, "lkp": list(LKP),
        "lkp_time": (now - timedelta(hours=hours + 1)).isoformat(), "risk": "high"}).json()["id"]
    engine = make_engine(f"sqlite:///{tmp / 'instance' / 'search-coord.db'}")
    pw = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
    naive_now = now.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(insert(User), [{"username": f"bench{i}", "display_name": f"Officer {i}", "password_hash": pw,
                                     "role": "officer", "active": True, "created_at": naive_now}
                                    for i in range(officers)])
        users = [{"id": uid, "username": name} for uid, name in conn.execute(
            select(User.id, User.username).where(User.username.like("bench%")).order_by(User.id))]
        conn.execute(insert(Membership), [{"search_id": sid, "user_id": u["id"], "added_at": naive_now} for u in users])
    proj = LocalProjection(LKP[1], LKP[0])
    rnd = random.Random(7)
    n = int(hours * 3600 / FIX_EVERY_S)
    start = naive_now - timedelta(seconds=n * FIX_EVERY_S + 30)
    rows = []
    for u in users:
        x, y, heading = rnd.uniform(-1200, 1200), rnd.uniform(-1200, 1200), rnd.uniform(0, 2 * math.pi)
        piece = int((start - datetime(1970, 1, 1)).total_seconds() * 1_000_000)
        for i in range(n):
            heading += rnd.gauss(0, 0.3)
            x = max(-1500.0, min(1500.0, x + 6 * math.cos(heading)))
            y = max(-1500.0, min(1500.0, y + 6 * math.sin(heading)))
            lon, lat = proj.to_lonlat(x, y)
            rows.append({"search_id": sid, "user_id": u["id"], "t": start + timedelta(seconds=FIX_EVERY_S * i),
                         "lon": lon, "lat": lat, "acc": 5.0, "run": 0, "event_seq": 0, "device": "bench",
                         "piece": piece, "vertex": True})
        u["xy"] = (x, y)
        if len(rows) >= 50_000:
            with engine.begin() as conn:
                conn.execute(insert(TrackPoint), rows)
            rows = []
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(TrackPoint), rows)
    engine.dispose()
    return sid, users


def _iso_z(dt: datetime) -> str:
    """A time as the server gives it back (UTC, milliseconds, 'Z')."""
    return dt.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def run(args, hours: float) -> dict:
    from search_coord.core.geometry import LocalProjection

    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    server = Server(tmp, demo=True, name="console-bench")
    out: dict = {"hours": hours}
    try:
        t = time.monotonic()
        sid, users = build(server, tmp, args.officers, hours)
        fixes = args.officers * int(hours * 3600 / FIX_EVERY_S)
        print(f"\n== workload: {args.officers} officers x {hours:g} h, a fix every {FIX_EVERY_S} s = {fixes:,} fixes "
              f"(built in {time.monotonic() - t:.1f} s); live: {args.rate:g} batches/s of {args.fixes} fixes for "
              f"{args.seconds:g} s from {args.senders} officers")
        disp = server.login("dispatch", "demo-pass-2026")
        out["load"] = os.getloadavg()
        # the server keeps each officer's snapshot between reads (services/track_display.py): the first read after a
        # start makes them from every stored fix (cold), later ones check and top them up (warm); with --cold-console
        # the console's own load is the first read
        url = f"{server.url}/api/v1/searches/{sid}/state?tracks=display"

        def snapshot_figures() -> None:
            if not args.cold_console:
                t = time.monotonic()
                disp.http.get(url, headers={"Accept-Encoding": "identity"}, timeout=120)
                out["state_cold_s"] = time.monotonic() - t
            t = time.monotonic()
            zipped = disp.http.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=120)
            zbytes = len(zipped.raw.read())
            state_s = time.monotonic() - t
            raw = disp.http.get(url, headers={"Accept-Encoding": "identity"}, timeout=120)
            detail = raw.json()["tracks_detail"]
            out["state"] = (len(raw.content), zbytes, sum(d["sent"] for d in detail.values()),
                            sum(d["fixes"] for d in detail.values()), state_s)

        if not args.cold_console:
            snapshot_figures()
        senders = users[:args.senders]
        for u in senders:
            u["http"] = server.login(u["username"], PASSWORD)
        proj = LocalProjection(LKP[1], LKP[0])
        errors: list[str] = []
        acks = []  # (uid, last fix ms, ack wall ms)
        lock = threading.Lock()
        counter = {"k": 0}

        def send(u: dict, ack: bool = True) -> str:
            with lock:
                k = counter["k"]
                counter["k"] += 1
            now = datetime.now(timezone.utc)
            x, y = u["xy"]
            pts = []
            for j in range(args.fixes):
                x, y = x + 1.2, y + 0.4
                lon, lat = proj.to_lonlat(x, y)
                pts.append({"t": (now - timedelta(milliseconds=100 * (args.fixes - 1 - j))).isoformat(),
                            "lon": lon, "lat": lat, "acc": 5.0})
            u["xy"] = (x, y)
            body = {"client_id": f"bench-{k:06d}-{u['id']}", "device": "bench", "points": pts}
            for attempt in range(5):  # a timeout on a loaded machine: sent again, the same client id (applied once)
                try:
                    r = u["http"].call("POST", f"/api/v1/searches/{sid}/tracks", body)
                    break
                except requests.RequestException as exc:
                    errors.append(f"POST attempt {attempt + 1}: {exc.__class__.__name__}")
            else:
                return _iso_z(datetime.fromisoformat(pts[-1]["t"]))
            at = time.time() * 1000
            if r.status_code < 300:
                if ack and attempt == 0:  # a batch sent again: its first try may be on screen before this answer
                    with lock:
                        acks.append((u["id"], datetime.fromisoformat(pts[-1]["t"]).timestamp() * 1000, at))
            else:
                errors.append(f"POST {r.status_code}: {r.text[:200]}")
            return _iso_z(datetime.fromisoformat(pts[-1]["t"]))

        measure(server.url, sid, args, senders, send, acks, errors, out,
                after_load=lambda: snapshot_figures() if args.cold_console else None,
                last_seq=lambda: disp.call("GET", f"/api/v1/searches/{sid}/events?newest=1&limit=1").json()["last_seq"])
        out["errors"] = errors
    finally:
        server.stop()
    report(out, args)
    return out


def report(o: dict, args) -> None:
    raw, zipped, sent, stored, state_s = o["state"]
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in o['load'])} ({os.cpu_count()} CPUs)")
    cold = (f"first read (cold: every fix read and simplified) {o['state_cold_s'] * 1000:.0f} ms; "
            if "state_cold_s" in o else "the console's load was the first read (--cold-console); ")
    print(f"snapshot GET /state?tracks=display: {sent:,} of {stored:,} fixes, {raw / 2**20:.2f} MB raw, "
          f"{zipped / 2**20:.2f} MB gzip; {cold}a later read (kept, gzip) {state_s * 1000:.0f} ms")
    print(f"first useful render (all {args.officers} tracks and positions drawn): {o['first'] / 1000:.2f} s after navigation "
          f"(the snapshot's answer in at {o['state_in'] / 1000:.2f} s: drawn {o['first'] - o['state_in']:.0f} ms after it)")
    print(f"everything loaded (the first load's last response, then idle): {o['all'] / 1000:.2f} s")
    ap = o["apply"]
    print(f"events applied: {len(ap)}; apply p50 {pct(ap, 50):.2f} ms, p99 {pct(ap, 99):.2f} ms, "
          f"max {max(ap) if ap else float('nan'):.2f} ms")
    mk = o["markers"]
    if mk:
        print(f"frame-batched markers and labels: {len(mk)} frames; p50 {pct(mk, 50):.2f} ms, p99 {pct(mk, 99):.2f} ms")
    lags = o["lags"]
    print(f"acknowledged -> on screen ({len(lags)}/{o['acks']} batches seen): p50 {pct(lags, 50):.0f} ms, "
          f"p99 {pct(lags, 99):.0f} ms, max {max(lags) if lags else float('nan'):.0f} ms")
    print(f"main thread in long tasks: {100 * o['busy'] / max(1.0, o['span']):.0f} % of {o['span'] / 1000:.1f} s "
          f"(live phase sent in {o['live_s']:.1f} s)")
    pan, steps = o["pan"], o["pan_steps"]
    sh = o["shapes"]
    print(f"where-to-look shown: {sh['segments']} segments; vector shapes on the map: {sh['svg']} SVG paths, "
          f"{sh['canvas']} on canvas renderers (zoom {o['zoom']})")
    for key, what in (("drag_hidden", "where-to-look off"), ("drag", "where-to-look shown")):
        d = o[key]
        print(f"dragging {args.drag_seconds:g} s ({what}; {args.drag_speed:g} px a frame, gestures of "
              f"{args.drag_gesture} frames in 8 directions): {len(d)} frames, interval p50 {pct(d, 50):.1f} ms, "
              f"p99 {pct(d, 99):.1f} ms, max {max(d):.1f} ms, {sum(x > 50 for x in d)} over 50 ms "
              f"({o[key + '_ends']} drags seen by the map); renderer CPU {o[key + '_cpu'][0]:.2f} s main thread, "
              f"{o[key + '_cpu'][1]:.2f} s process")
    print(f"animated panBy of 160 px ({len(pan)} frames, shown): frame interval "
          f"p50 {pct(pan, 50):.1f} ms, p99 {pct(pan, 99):.1f} ms, max {max(pan):.1f} ms")
    print(f"panning 40 px a frame without animation ({len(steps)} frames, shown; every frame a redraw): "
          f"p50 {pct(steps, 50):.1f} ms, p99 {pct(steps, 99):.1f} ms, max {max(steps):.1f} ms")
    print(f"track tiles drawn while panning (canvases made when uncovered, or drawn again): {o.get('pan_tiles', 0)}")
    total, inside = o["catch_up"]
    print(f"catch-up after 100 missed batches: {total:.0f} ms from reconnect to all drawn "
          f"({inside['events']} events applied in {inside['ms']:.0f} ms)")
    print(f"JS heap (after GC): {o['heap_load'] / 2**20:.1f} MB after load, {o['heap_end'] / 2**20:.1f} MB at the end")
    if o["errors"]:
        print("errors:", *o["errors"][:10], sep="\n  ")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, nargs="+", default=[1.0, 4.0])
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--rate", type=float, default=10.0, help="live batches a second")
    ap.add_argument("--seconds", type=float, default=20.0, help="how long the live phase lasts")
    ap.add_argument("--senders", type=int, default=10, help="officers sending the live batches")
    ap.add_argument("--fixes", type=int, default=5, help="fixes per live batch")
    ap.add_argument("--drag-seconds", type=float, default=8.0, help="how long each drag measure lasts")
    ap.add_argument("--drag-speed", type=float, default=12.0, help="px the mouse moves each frame while dragging")
    ap.add_argument("--drag-gesture", type=int, default=60, help="frames per drag gesture (then released)")
    ap.add_argument("--cold-console", action="store_true",
                    help="open the console before any other read of the snapshot (the server's first read of it)")
    args = ap.parse_args()
    results = [run(args, h) for h in args.hours]
    print(f"\nload average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| workload | usable | all loaded | apply p50/p99 | ack->screen p50/p99 | drag frame p50/p99 (where off; "
          "shown) | 40 px steps p50/p99 | catch-up 100 | heap |")
    print("|---|---|---|---|---|---|---|---|---|")
    for o in results:
        print(f"| {args.officers} x {o['hours']:g} h | {o['first'] / 1000:.2f} s | {o['all'] / 1000:.2f} s | "
              f"{pct(o['apply'], 50):.2f} / {pct(o['apply'], 99):.2f} ms | {pct(o['lags'], 50):.0f} / "
              f"{pct(o['lags'], 99):.0f} ms | {pct(o['drag_hidden'], 50):.1f} / {pct(o['drag_hidden'], 99):.1f}; "
              f"{pct(o['drag'], 50):.1f} / {pct(o['drag'], 99):.1f} ms | "
              f"{pct(o['pan_steps'], 50):.1f} / {pct(o['pan_steps'], 99):.1f} ms | "
              f"{o['catch_up'][0]:.0f} ms | {max(o['heap_load'], o['heap_end']) / 2**20:.1f} MB |")


if __name__ == "__main__":
    main()
