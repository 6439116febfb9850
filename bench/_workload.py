"""A reproducible large search for the benchmarks: 500 segments of 200 m around the LKP and 10,000 earlier tracks."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

from shapely.geometry import box, mapping
from sqlalchemy import insert

from search_coord.adapters import schema
from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.models import Membership, Search, Segment, TrackPoint, User
from search_coord.core.geometry import LocalProjection
from search_coord.services.context import Services

LKP = (116.1985, 39.7712)
T0 = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
COLS, ROWS, CELL = 25, 20, 200.0   # 500 segments covering 5 km x 4 km
USERS, TRACKS, POINTS = 100, 10_000, 30   # 10,000 tracks of 30 fixes (300,000 points), 100 officers


def build(url: str, seed: int = 7) -> tuple[Services, int, list[int]]:
    rnd = random.Random(seed)
    engine = make_engine(url)
    schema.upgrade(engine)
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                   clock=lambda: T0 + timedelta(hours=30))
    proj = LocalProjection(LKP[1], LKP[0])
    now = T0.replace(tzinfo=None)
    with svc.transaction() as s:
        s.execute(insert(User), [{"username": f"u{i}", "display_name": f"U{i}", "password_hash": "-", "role": "officer",
                                  "active": True, "created_at": now} for i in range(USERS)])
        user_ids = [u for (u,) in s.execute(User.__table__.select().with_only_columns(User.id)).all()]
        search = Search(title="bench", status="open", subject={"name": "x", "category": "dementia"},
                        lkp={"type": "Point", "coordinates": list(LKP)}, lkp_time=now, terrain="urban", risk="high",
                        risk_reasons=[], opened_at=now, opened_by=user_ids[0], last_seq=0, row0=0.05)
        s.add(search)
        s.flush()
        segs = []
        x0, y0 = -COLS * CELL / 2, -ROWS * CELL / 2
        for r in range(ROWS):
            for c in range(COLS):
                cell = box(x0 + c * CELL, y0 + r * CELL, x0 + (c + 1) * CELL, y0 + (r + 1) * CELL)
                segs.append({"search_id": search.id, "name": f"{chr(65 + r)}{c + 1}", "source": "grid",
                             "geometry": mapping(proj.unproject(cell)), "area_m2": cell.area,
                             "poa0": 0.95 / (ROWS * COLS), "coverage": 0.0, "created_at": now})
        s.execute(insert(Segment), segs)
        s.execute(insert(Membership), [{"search_id": search.id, "user_id": u, "added_at": now} for u in user_ids])
        sid = search.id
    rows = []
    for k in range(TRACKS):
        uid = user_ids[k % USERS]
        t = T0 + timedelta(seconds=(k // USERS) * 600)      # each officer: one 5-minute track every 10 minutes
        x, y = rnd.uniform(-2400, 2400), rnd.uniform(-1900, 1900)
        heading = rnd.uniform(0, 2 * math.pi)
        for i in range(POINTS):
            heading += rnd.gauss(0, 0.3)
            x, y = x + 10 * math.cos(heading), y + 10 * math.sin(heading)
            lon, lat = proj.to_lonlat(x, y)
            rows.append({"search_id": sid, "user_id": uid, "t": (t + timedelta(seconds=10 * i)).replace(tzinfo=None),
                         "lon": lon, "lat": lat, "acc": 5.0, "event_seq": 0})
        if len(rows) >= 50_000:
            with svc.transaction() as s:
                s.execute(insert(TrackPoint), rows)
            rows = []
    if rows:
        with svc.transaction() as s:
            s.execute(insert(TrackPoint), rows)
    return svc, sid, user_ids


def batch(proj: LocalProjection, start: datetime, n: int = 50, seed: int = 1, x0: float = 0.0, y0: float = 0.0):
    """A phone's batch of ``n`` fixes, walking 1.2 m/s with a fix every second."""
    rnd = random.Random(seed)
    x, y, heading = x0, y0, rnd.uniform(0, 2 * math.pi)
    out = []
    for i in range(n):
        heading += rnd.gauss(0, 0.2)
        x, y = x + 1.2 * math.cos(heading), y + 1.2 * math.sin(heading)
        lon, lat = proj.to_lonlat(x, y)
        out.append({"t": start + timedelta(seconds=i), "lon": lon, "lat": lat, "acc": 5.0})
    return out
