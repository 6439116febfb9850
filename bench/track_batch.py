"""Benchmark: applying a batch of 50 track points to a search with 500 segments and 10,000 earlier tracks.

Reports, in the same run: the geometry work alone (project, follow the track from its stored state with the quality
rules of core/tracks.py, length inside segments, coverage), the time of simply inserting those 50 points, the whole
service call (validation, event, coverage update, insert, commit), and the whole call for a *late* batch: one older
than fixes already stored for that device (a phone that was offline), which recounts the pieces it touches.

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
from search_coord.core import effort, tracks  # noqa: E402
from search_coord.services import basis, field  # noqa: E402
from search_coord.services.tracks import rules_for  # noqa: E402
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
        proj, index, areas = basis.segment_index(s, search)
        settings = basis.settings_of(search)
    geometry, inserting, whole, late = [], [], [], []
    rules, state = rules_for(search, "foot", settings), tracks.TrackState()
    start = T0 + timedelta(hours=20)  # after the earlier tracks (100 rounds of 10 minutes)
    for k in range(args.batches):
        fixes = batch(proj, start + timedelta(seconds=50 * k), seed=k, x0=(k % 40) * 100 - 2000, y0=(k % 7) * 300 - 1000)
        t = time.perf_counter()
        xs, ys = proj.to_xy([f["lon"] for f in fixes], [f["lat"] for f in fixes])
        followed = tracks.follow([tracks.TrackFix(x, y, f["t"].timestamp(), f["acc"]) for x, y, f in zip(xs, ys, fixes)],
                                 rules, state)
        effort.coverage_from_lengths(index.lengths_inside(followed.lines), areas, rules.sweep_width_m)
        geometry.append(time.perf_counter() - t)
        state = followed.state
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
    # late batches: the same officer's fixes from 30 s gaps left in the hour sent above, arriving afterwards
    for k in range(min(args.batches, 100)):
        fixes = batch(proj, start + timedelta(hours=1, seconds=50 * k + 0.5), n=10, seed=5000 + k,
                      x0=(k % 40) * 100 - 2000)
        data = {"client_id": f"late-{k:08d}", "points": [{**f, "t": f["t"].isoformat()} for f in fixes]}
        t = time.perf_counter()
        field.add_track_batch(svc, actor, sid, data)
        late.append(time.perf_counter() - t)
    print(f"{args.batches} batches of 50 fixes each; {len(late)} late batches of 10")
    for name, vals in (("geometry work", geometry), ("insert 50 points", inserting), ("whole service call", whole),
                       ("late batch call", late)):
        print(f"  {name:<20} p50 {statistics.median(vals) * 1e3:7.2f} ms   p99 {pct(vals, 99) * 1e3:7.2f} ms   "
              f"max {max(vals) * 1e3:7.2f} ms")
    print(f"  geometry p99 / insert p99 = {pct(geometry, 99) / pct(inserting, 99):.2f}")


if __name__ == "__main__":
    main()
