"""The report's effort: per officer the hours on the move, kilometres and fixes of their stored tracks (metres on
the search's projection); per team the sum, the segments it was given or marked, and the POD achieved there."""
from __future__ import annotations

import numpy as np
from sqlalchemy import select

from ..adapters.models import Assignment, Search, SearchedArea, Segment, Team
from ..core import probability
from .basis import projection
from .exports_data import Scope, runs, team_people, track_fixes, track_owners


def effort_by_user(svc, s, search: Search) -> dict[int, dict]:
    """user id -> {"name", "hours", "km", "fixes"}: hours are the spans of the track's unbroken stretches (a gap
    or a new run of the phone is not counted), km the length of its lines between fixes."""
    proj = projection(search)
    out: dict[int, dict] = {}
    for uid, device, name in track_owners(svc, Scope(search.id, "", None, None, None, "")):
        row = out.setdefault(uid, {"name": name, "hours": 0.0, "km": 0.0, "fixes": 0})
        for run in runs(track_fixes(svc, search.id, uid, device)):
            row["fixes"] += len(run)
            if len(run) < 2:
                continue
            row["hours"] += (run[-1][0] - run[0][0]).total_seconds() / 3600
            xs, ys = proj.to_xy(np.array([f[1] for f in run]), np.array([f[2] for f in run]))
            row["km"] += float(np.hypot(np.diff(xs), np.diff(ys)).sum()) / 1000
    return out


def team_rows(s, search_id: int, effort: dict[int, dict], names, colours: dict[int, str]) -> list[dict]:
    """Per team (in the order formed): call sign, colour, members, hours, km, its assignments with their status,
    the segments they were in with the POD there now, and the POD its searched areas state."""
    segs = {g.id: g for g in s.execute(select(Segment).where(Segment.search_id == search_id)).scalars()}
    out = []
    for team in s.execute(select(Team).where(Team.search_id == search_id).order_by(Team.id)).scalars():
        people = team_people(s, search_id, team.id)
        work = [effort[u] for u in people if u in effort]
        tasks = s.execute(select(Assignment).where(Assignment.search_id == search_id, Assignment.team_id == team.id)
                          .order_by(Assignment.id)).scalars().all()
        seg_rows = []
        for a in tasks:
            g = segs.get(a.segment_id)
            if g is not None:
                seg_rows.append({"name": g.name, "pod": probability.pod_from_coverage(g.coverage)})
        areas = s.execute(select(SearchedArea.pod).where(SearchedArea.search_id == search_id,
                                                         SearchedArea.team_id == team.id,
                                                         SearchedArea.retracted_at.is_(None))).scalars().all()
        out.append({"id": team.id, "name": team.name, "callsign": team.callsign, "kind": team.kind,
                    "colour": colours.get(team.id, "#475569"),
                    "members": sorted(names.users.get(u, "") for u in people),
                    "hours": sum(w["hours"] for w in work), "km": sum(w["km"] for w in work),
                    "assignments": [{"title": a.title, "status": a.status} for a in tasks],
                    "segments": seg_rows, "areas": len(areas),
                    "area_pod": probability.cumulative_pod(areas) if areas else None})
    return out
