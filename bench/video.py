"""Benchmark: the video panel's one read (GET /searches/<id>/video): cameras in the region, proposals ranked by the
probability their view cones see (ring model x segment POA), windows, tasks and intervals, for a registry of
N cameras around a search split into segments; and the registry's listing (GET /cameras: every camera with its
view cone, a dispatcher's page of up to 5,000).

    python bench/video.py [--cameras 500 2000 5000] [--cell 300] [--url ...]
"""
from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from search_coord.adapters import schema
from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.models import Camera, ReviewedInterval, User
from search_coord.services import model_read, searches, segment_edits, video
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, nargs="+", default=[500, 2000, 5000])
    ap.add_argument("--cell", type=float, default=300.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--url", default=None)
    args = ap.parse_args()
    for n in args.cameras:
        url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        svc, d, sid = build(url, n, args.cell)
        segs = len(model_read.get_model(svc, d, sid)["segments"])
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            out = video.get_video(svc, d, sid)
            times.append(time.perf_counter() - t)
        listing = []
        for _ in range(args.runs):
            t = time.perf_counter()
            page = video.camera_page(svc, d)
            listing.append(time.perf_counter() - t)
        print(f"{n:>5} cameras in the registry, {segs} segments: {len(out['cameras'])} in the region, "
              f"{len(out['proposals'])} proposals; GET video best {min(times) * 1000:.0f} ms, "
              f"median {sorted(times)[len(times) // 2] * 1000:.0f} ms; GET cameras ({len(page['cameras'])}) best "
              f"{min(listing) * 1000:.0f} ms, median {sorted(listing)[len(listing) // 2] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
