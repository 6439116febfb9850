"""Time to build the after-action report (and the whole-search GPX and CSV) for a 4-hour search with 50 officers.

Workload: one search, 5 teams of 10 officers, each officer walking for 4 hours with a fix every 5 s (2,880 fixes,
144,000 in all) sent in batches of 30 s (480 ``track.points`` events each, 24,000 in all), plus 200 other events
(clues, searched areas, broadcasts, acknowledgements, assignments). Written straight into a SQLite file, then
``services.report.build`` timed (best and median of 3), and the GPX and CSV exports streamed to the end.

    .venv/bin/python bench/report.py [--officers 50] [--hours 4]
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import LKP, T0  # noqa: E402
from search_coord.adapters import schema  # noqa: E402
from search_coord.adapters.db import make_engine, make_session_factory  # noqa: E402
from search_coord.adapters.models import (Event, Membership, Search, SearchedArea, Team, TeamMember,  # noqa: E402
                                          TrackPoint, User)
from search_coord.core import record  # noqa: E402
from search_coord.core.geometry import LocalProjection  # noqa: E402
from search_coord.services import exports, exports_data, report, report_text  # noqa: E402
from search_coord.services.context import Actor, Services  # noqa: E402

FIX_S, BATCH_S = 5, 30


def build(url: str, officers: int, hours: float, seed: int = 3) -> tuple[Services, int, int]:
    rnd = random.Random(seed)
    engine = make_engine(url)
    schema.upgrade(engine)
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                   clock=lambda: T0 + timedelta(hours=hours + 1))
    proj = LocalProjection(LKP[1], LKP[0])
    now = T0.replace(tzinfo=None)
    with svc.transaction() as s:
        s.execute(insert(User), [{"username": f"o{i}", "display_name": f"Officer {i} 警员{i}", "password_hash": "-",
                                  "role": "dispatcher" if i == 0 else "officer", "active": True, "created_at": now}
                                 for i in range(officers + 1)])
        ids = [u for (u,) in s.execute(User.__table__.select().with_only_columns(User.id).order_by(User.id)).all()]
        search = Search(title="bench report", status="open", subject={"name": "张桂林", "category": "dementia"},
                        lkp={"type": "Point", "coordinates": list(LKP)}, lkp_time=now, terrain="urban", risk="high",
                        risk_reasons=[], opened_at=now, opened_by=ids[0], last_seq=0, row0=0.05)
        s.add(search)
        s.flush()
        sid = search.id
        s.execute(insert(Membership), [{"search_id": sid, "user_id": u, "added_at": now} for u in ids])
        teams = []
        for k in range(5):
            team = Team(search_id=sid, name=f"Team {k}", callsign=f"Unit-{k}", kind="foot_patrol",
                        leader_id=ids[1 + 10 * k], disbanded=False)
            s.add(team)
            s.flush()
            teams.append(team.id)
        s.execute(insert(TeamMember), [{"team_id": teams[(i - 1) // 10 % 5], "user_id": ids[i]}
                                       for i in range(1, officers + 1)])
    seq = 0
    events, points = [], []
    for i in range(1, officers + 1):
        uid = ids[i]
        x, y, heading = rnd.uniform(-1500, 1500), rnd.uniform(-1500, 1500), rnd.uniform(0, 2 * math.pi)
        n = int(hours * 3600 / FIX_S)
        for j in range(n):
            heading += rnd.gauss(0, 0.15)
            x, y = x + 1.2 * FIX_S * math.cos(heading), y + 1.2 * FIX_S * math.sin(heading)
            lon, lat = proj.to_lonlat(x, y)
            t = now + timedelta(seconds=j * FIX_S)
            points.append({"search_id": sid, "user_id": uid, "t": t, "lon": lon, "lat": lat, "acc": 5.0,
                           "event_seq": 0, "device": f"phone-{uid}", "run": 0, "piece": 1, "vertex": True})
            if (j + 1) % (BATCH_S // FIX_S) == 0:
                seq += 1
                events.append({"search_id": sid, "seq": seq, "type": "track.points", "actor_id": uid,
                               "device": f"phone-{uid}", "at": t, "payload": {
                                   "user_id": uid, "device": f"phone-{uid}", "count": BATCH_S // FIX_S,
                                   "rejected": 0, "clock_offset_s": None, "points": [], "coverage": {}}})
    for k in range(200):
        seq += 1
        uid = ids[1 + k % officers]
        events.append({"search_id": sid, "seq": seq, "type": "clue.reported", "actor_id": uid,
                       "device": f"phone-{uid}", "at": now + timedelta(seconds=k * 70), "payload": {"clue": {
                           "id": k, "kind": "clue", "text": f"clue {k} 线索", "time": now.isoformat() + "Z",
                           "location": {"type": "Point", "coordinates": list(LKP)}}}})
    events.sort(key=lambda e: e["at"])          # the log is in time order, numbered as it was written
    for n, e in enumerate(events, start=1):
        e["seq"] = n
    with svc.transaction() as s:
        for start in range(0, len(points), 50_000):
            s.execute(insert(TrackPoint), points[start:start + 50_000])
        s.execute(insert(Event), events)
        s.execute(Search.__table__.update().where(Search.id == sid).values(last_seq=seq))
        d = 0.003
        s.execute(insert(SearchedArea), [{
            "search_id": sid, "team_id": teams[k % 5], "pod": 0.5, "marked_by": ids[1 + k], "marked_at": now,
            "geometry": {"type": "Polygon", "coordinates": [[[LKP[0] - d, LKP[1] - d], [LKP[0] + d, LKP[1] - d],
                                                             [LKP[0] + d, LKP[1] + d], [LKP[0] - d, LKP[1] - d]]]}}
            for k in range(10)])
    return svc, sid, ids[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--hours", type=float, default=4.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        svc, sid, disp = build(f"sqlite:///{tmp}/bench.db", args.officers, args.hours)
        print(f"workload: {args.officers} officers x {args.hours} h, fix every {FIX_S} s, batch every {BATCH_S} s: "
              f"{int(args.officers * args.hours * 3600 / FIX_S):,} fixes, "
              f"{int(args.officers * args.hours * 3600 / BATCH_S) + 200:,} events (built in "
              f"{time.perf_counter() - t:.1f} s)")
        actor = Actor(disp, "dispatcher", "bench")
        tz = record.zone("Asia/Shanghai")
        times, cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            data = report.build(svc, actor, sid, tz, "en")
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it; CPU time less)")
        print(f"report.build: best {min(times):.2f} s, median {statistics.median(times):.2f} s wall, "
              f"best {min(cpu):.2f} s CPU "
              f"({len(data['timeline'])} timeline lines, {data['numbers']['km']:.0f} km, map {len(data['map_svg']) / 1e6:.1f} MB SVG)")
        scope = exports_data.resolve_scope(svc, actor, sid)
        for fmt in ("gpx", "csv"):
            t = time.perf_counter()
            size = sum(len(c) for c in exports.chunks(svc, scope, fmt, tz, report_text.both()))
            print(f"export {fmt}: {time.perf_counter() - t:.2f} s, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
