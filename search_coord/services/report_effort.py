"""The report's effort: per officer the hours on the move, kilometres and fixes of their stored tracks (metres on
the search's projection); per team the sum, the segments it was given or marked, and the POD achieved there."""
from __future__ import annotations

import numpy as np
from sqlalchemy import select

from ..adapters.models import Assignment, SearchedArea, Segment, Team
from ..core import probability
from .exports_data import DeviceTrack, team_people


def effort_by_user(tracks: list[DeviceTrack]) -> dict[int, dict]:
    """user id -> {"name", "hours", "km", "fixes"} from ``exports_data.device_tracks``: hours are the spans of the
    track's unbroken stretches (a gap or a new run of the phone is not counted), km the length of its lines."""
    out: dict[int, dict] = {}
    for trk in tracks:
        row = out.setdefault(trk.user_id, {"name": trk.name, "hours": 0.0, "km": 0.0, "fixes": 0})
        row["fixes"] += trk.fixes
        for t, xs, ys in trk.pieces:
            if len(t) < 2:
                continue
            row["hours"] += float(t[-1] - t[0]) / 3600
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
