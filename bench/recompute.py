"""Benchmark: recomputing a search from scratch (500 segments, 10,000 tracks): prior POA from the ring model and
every segment's coverage from all tracks, written in one transaction.

    python bench/recompute.py [--url ...]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _workload import POINTS, TRACKS, USERS, build  # noqa: E402

from search_coord.services import recompute  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    svc, sid, _ = build(url)
    print(f"workload: 500 segments, {TRACKS} tracks x {POINTS} fixes by {USERS} officers on {url.split(':')[0]}")
    for run in range(args.runs):
        t = time.perf_counter()
        out = recompute.recompute(svc, sid, "bench")
        took = time.perf_counter() - t
        covered = sum(1 for s in out["segments"] if s["coverage"] > 0)
        print(f"  run {run + 1}: {took:.2f} s wall ({out['seconds']:.2f} s inside), {out['track_points']} points, "
              f"{covered} segments with coverage, total coverage {sum(s['coverage'] for s in out['segments']):.1f}")


if __name__ == "__main__":
    main()
