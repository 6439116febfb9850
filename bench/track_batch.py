"""Benchmark: applying a batch of 50 track points to a search with 500 segments and 10,000 earlier tracks.

Reports, in the same run: the geometry work alone (project, cut at gaps, length inside segments, coverage), the time
of simply inserting those 50 points, and the whole service call (validation, event, coverage update, insert, commit).

    python bench/track_batch.py [--url sqlite:////tmp/bench.db] [--batches 300]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert

sys.path.insert(0, os.path.dirname(__file__))
from _workload import T0, USERS, TRACKS, POINTS, build, batch  # noqa: E402

from search_coord.adapters.models import Search, TrackPoint  # noqa: E402
from search_coord.services import field, where  # noqa: E402
from search_coord.services.context import Actor  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=None)
    ap.add_argument("--batches", type=int, default=300)
    args = ap.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    t = time.perf_counter()
    svc, sid, users = build(url)
    print(f"workload: 500 segments (200 m), {TRACKS} earlier tracks x {POINTS} fixes by {USERS} officers "
          f"({TRACKS * POINTS} points) on {url.split(':')[0]}; built in {time.perf_counter() - t:.1f} s")
    with svc.reading() as s:
        search = s.get(Search, sid)
        proj, index, areas = where.segment_index(s, search)
        settings = where.settings_of(search)
    geometry, inserting, whole = [], [], []
    start = T0 + timedelta(hours=20)  # after the earlier tracks (100 rounds of 10 minutes)
    for k in range(args.batches):
        fixes = batch(proj, start + timedelta(seconds=50 * k), seed=k, x0=(k % 40) * 100 - 2000, y0=(k % 7) * 300 - 1000)
        pts = [(f["lon"], f["lat"], f["t"].timestamp()) for f in fixes]
        t = time.perf_counter()
        where.coverage_added(proj, index, areas, settings, "foot", pts)
        geometry.append(time.perf_counter() - t)
        rows = [{"search_id": sid, "user_id": users[1], "t": f["t"].replace(tzinfo=None), "lon": f["lon"],
                 "lat": f["lat"], "acc": 5.0, "event_seq": 0} for f in fixes]
        t = time.perf_counter()
        with svc.transaction() as s:
            s.execute(insert(TrackPoint), rows)
        inserting.append(time.perf_counter() - t)
    actor = Actor(users[2], "officer", "bench")
    for k in range(args.batches):
        fixes = batch(proj, start + timedelta(hours=1, seconds=50 * k), seed=1000 + k, x0=(k % 40) * 100 - 2000)
        data = {"client_id": f"bench-{k:08d}", "points": [{**f, "t": f["t"].isoformat()} for f in fixes]}
        t = time.perf_counter()
        field.add_track_batch(svc, actor, sid, data)
        whole.append(time.perf_counter() - t)
    print(f"{args.batches} batches of 50 fixes each")
    for name, vals in (("geometry work", geometry), ("insert 50 points", inserting), ("whole service call", whole)):
        print(f"  {name:<20} p50 {statistics.median(vals) * 1e3:7.2f} ms   p99 {pct(vals, 99) * 1e3:7.2f} ms   "
              f"max {max(vals) * 1e3:7.2f} ms")
    print(f"  geometry p99 / insert p99 = {pct(geometry, 99) / pct(inserting, 99):.2f}")


if __name__ == "__main__":
    main()
