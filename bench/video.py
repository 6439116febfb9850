"""Benchmark: the video panel's one read (GET /searches/<id>/video): cameras in the region (through the spatial
index), proposals ranked by the probability their view cones see (ring model x segment POA), windows, tasks and
intervals, for a registry of N cameras around a search split into segments; the registry by the map's view
(GET /cameras/area: a 1366x900 map centred on the last known point at several zooms, every page); a dispatcher's
page of the old listing (GET /cameras, up to 5,000); and the import of a CSV file of --import-rows cameras into an
empty registry (parse, check, insert in chunks, one transaction).

    python bench/video.py [--cameras 5000 20000 50000] [--cell 300] [--zooms 12 14 16 17 18] [--import-rows 50000]
"""
from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from search_coord.adapters import schema
from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.models import Camera, ReviewedInterval, User
from search_coord.services import camera_files, model_read, searches, segment_edits, video
from search_coord.services.context import Actor, Services

LKP = (116.1985, 39.7712)
T0 = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)


def build(url: str, cameras: int, cell_m: float, seed: int = 11):
    rnd = random.Random(seed)
    engine = make_engine(url)
    schema.upgrade(engine)
    clock = {"now": T0 + timedelta(hours=2)}
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                   clock=lambda: clock["now"])
    with svc.transaction() as s:
        s.execute(insert(User), [{"username": "d", "display_name": "D", "password_hash": "-", "role": "dispatcher",
                                  "active": True, "created_at": T0.replace(tzinfo=None)}])
    d = Actor(1, "dispatcher", "bench")
    sid = searches.open_search(svc, d, {"subject": {"name": "x", "category": "dementia"},
                                        "lkp": list(LKP), "lkp_time": T0.isoformat(), "risk": "high",
                                        "terrain": "urban"})["id"]
    segment_edits.generate_segments(svc, d, sid, {"shape": "square", "cell_m": cell_m})
    now = T0.replace(tzinfo=None)
    rows = []
    for i in range(cameras):
        r, a = 6000 * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
        rows.append({"code": f"C{i}", "name": f"Camera {i}", "lon": LKP[0] + r * math.sin(a) / 85_600,
                     "lat": LKP[1] + r * math.cos(a) / 111_000, "kind": "public_security",
                     "direction_deg": rnd.uniform(0, 360), "fov_deg": 70, "range_m": 40, "retention_days": 30,
                     "clock_offset_s": 0.0, "covers_exit": False, "active": True, "created_by": 1,
                     "created_at": now, "updated_at": now})
    with svc.transaction() as s:
        s.execute(insert(Camera), rows)
        s.execute(insert(ReviewedInterval), [
            {"search_id": sid, "camera_id": 1 + k % cameras, "reviewer_id": 1,
             "start": now + timedelta(minutes=k % 60), "end": now + timedelta(minutes=k % 60 + 10),
             "created_at": now} for k in range(300)])
    return svc, d, sid


def view_box(zoom: int, width_px: int = 1366, height_px: int = 900) -> str:
    """The bbox of a map of that size centred on the last known point at ``zoom`` (Web Mercator, 256 px tiles)."""
    deg = 360.0 / (256 * 2 ** zoom)
    half_lon, half_lat = width_px * deg / 2, height_px * deg * math.cos(math.radians(LKP[1])) / 2
    return f"{LKP[0] - half_lon},{LKP[1] - half_lat},{LKP[0] + half_lon},{LKP[1] + half_lat}"


def time_view(svc, d, zoom: int, runs: int) -> tuple[float, float, dict, int]:
    """Best wall and CPU time (s) of reading the whole view (every page), the last answer and its items."""
    best, best_cpu, out, items = math.inf, math.inf, None, 0
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = video.cameras_in_view(svc, d, view_box(zoom), zoom)
        items = len(out.get("cameras") or out.get("clusters"))
        while out.get("next_cursor") is not None:
            out = video.cameras_in_view(svc, d, view_box(zoom), zoom, cursor=out["next_cursor"])
            items += len(out["cameras"])
        best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, time.process_time() - c)
    return best, best_cpu, out, items


def csv_file(rows: int, seed: int = 3) -> bytes:
    """A station's export of ``rows`` cameras (UTF-8 CSV with every column)."""
    rnd = random.Random(seed)
    lines = ["code,name,lon,lat,kind,owner,contact,direction_deg,fov_deg,range_m,retention_days,clock_offset_s,"
             "offset_measured_at,covers_exit,notes"]
    for i in range(rows):
        r, a = 6000 * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
        lines.append(f"B{i:06d},Camera {i} 路口,{LKP[0] + r * math.sin(a) / 85_600:.6f},"
                     f"{LKP[1] + r * math.cos(a) / 111_000:.6f},public_security,Station {i % 40},"
                     f"010-6{i % 10000:04d}000,{rnd.uniform(0, 360):.0f},70,40,30,{rnd.choice([0, 12, -30])},"
                     f"2026-11-01T08:00:00+08:00,no,")
    return ("\n".join(lines) + "\n").encode()


def time_import(rows: int) -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/import.db"
    engine = make_engine(url)
    schema.upgrade(engine)
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                   clock=lambda: T0 + timedelta(hours=2))
    with svc.transaction() as s:
        s.execute(insert(User), [{"username": "d", "display_name": "D", "password_hash": "-", "role": "dispatcher",
                                  "active": True, "created_at": T0.replace(tzinfo=None)}])
    raw = csv_file(rows)
    progress = []
    t, cpu = time.perf_counter(), time.process_time()
    out = camera_files.import_cameras(svc, Actor(1, "dispatcher", "bench"), raw, "csv",
                                      progress=lambda stage, done, total: progress.append((stage, done, time.perf_counter())))
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    stages = sorted({st for st, *_ in progress})
    checked = next(at for st, done, at in progress if st == "checking" and done == rows) - t
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"import of {rows} rows ({len(raw) / 1e6:.1f} MB CSV): {took:.1f} s wall ({cpu:.1f} s CPU; read and "
          f"checked after {checked:.1f} s), created {out['created']}; {len(progress)} progress reports "
          f"({', '.join(stages)})")
    t, c = time.perf_counter(), time.process_time()
    size = sum(len(c) for c in camera_files.export_cameras(svc, Actor(1, "dispatcher", "bench"), "csv")[0])
    print(f"export of {rows} rows streamed: {time.perf_counter() - t:.1f} s ({time.process_time() - c:.1f} s CPU), "
          f"{size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, nargs="*", default=[5000, 20000, 50000])
    ap.add_argument("--zooms", type=int, nargs="+", default=[12, 14, 16, 17, 18])
    ap.add_argument("--import-rows", type=int, default=50000)
    ap.add_argument("--cell", type=float, default=300.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--url", default=None)
    args = ap.parse_args()
    for n in args.cameras:
        url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        svc, d, sid = build(url, n, args.cell)
        segs = len(model_read.get_model(svc, d, sid)["segments"])
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            out = video.get_video(svc, d, sid)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        listing = []
        for _ in range(args.runs):
            t = time.perf_counter()
            page = video.camera_page(svc, d)
            listing.append(time.perf_counter() - t)
        print(f"{n:>5} cameras in the registry, {segs} segments: {out['cameras_in_region']} in the region, "
              f"{len(out['proposals'])} proposals, {len(out['cameras'])} cameras named; GET video best "
              f"{min(times) * 1000:.0f} ms (CPU {min(cpu) * 1000:.0f} ms), median "
              f"{sorted(times)[len(times) // 2] * 1000:.0f} ms; GET cameras "
              f"({len(page['cameras'])}) best {min(listing) * 1000:.0f} ms, median "
              f"{sorted(listing)[len(listing) // 2] * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        for zoom in args.zooms:
            took, cpu_s, view, items = time_view(svc, d, zoom, args.runs)
            print(f"      view at zoom {zoom}: {view['mode']}, {view['total']} cameras in view, {items} items, "
                  f"best {took * 1000:.0f} ms (CPU {cpu_s * 1000:.0f} ms)")
    if args.import_rows:
        time_import(args.import_rows)


if __name__ == "__main__":
    main()
