"""Reading the model of where to look: rings and reach, segments with POA / coverage / POD / POS, ROW, the ground
swept by the tracks, and suggestions of the next assignments."""
from __future__ import annotations

from shapely.geometry import mapping
from shapely.geometry import Point as ShpPoint
from sqlalchemy import select

from ..adapters.models import Assignment, Segment, Team
from ..core import behaviour, effort, probability, rings
from ..core.geometry import LocalProjection
from . import tracks
from .access import load_search
from .basis import projection, reach_cap, reach_now, rings_of, settings_of
from .context import Actor, Services
from .streets import search_view as street_view
from .events import iso

ACTIVE_ASSIGNMENT = ("planned", "assigned", "in_progress")


def _circle(proj: LocalProjection, radius: float) -> dict:
    return mapping(proj.unproject(ShpPoint(0, 0).buffer(radius, quad_segs=32)))


def segment_view(seg: Segment, post: dict[int, float], assignment_status: str | None = None) -> dict:
    """A segment with its numbers; its status is its latest assignment's (planned, assigned, in_progress, done),
    else ``searched`` once it has coverage, else ``unsearched``."""
    pod = probability.pod_from_coverage(seg.coverage)
    status = assignment_status or ("searched" if seg.coverage > 0 else "unsearched")
    return {"id": seg.id, "name": seg.name, "source": seg.source, "geometry": seg.geometry, "status": status,
            "area_m2": round(seg.area_m2, 1), "poa0": seg.poa0, "coverage": seg.coverage, "pod": pod,
            "poa": post.get(seg.id, 0.0), "pos": seg.poa0 * pod, "version": seg.version}


def get_model(svc: Services, actor: Actor, search_id: int) -> dict:
    """Rings, reach, segments with POA / coverage / POD / POS, ROW, and suggested next assignments."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        settings = settings_of(search)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.id)).scalars().all()
        teams = s.execute(select(Team).where(Team.search_id == search_id, Team.disbanded.is_(False))).scalars().all()
        busy_teams = set(s.execute(select(Assignment.team_id).where(
            Assignment.search_id == search_id, Assignment.status.in_(("assigned", "in_progress")))).scalars())
        seg_assignments = s.execute(select(Assignment.segment_id, Assignment.status).where(
            Assignment.search_id == search_id, Assignment.segment_id.is_not(None),
            Assignment.status != "aborted").order_by(Assignment.id)).all()
        seg_status = {seg_id: status for seg_id, status in seg_assignments}  # the latest wins
        busy_segments = {seg_id for seg_id, status in seg_assignments if status in ACTIVE_ASSIGNMENT}
        proj = projection(search)
        radii = rings_of(search)
        reach = reach_now(search, now, settings)
        post, row = probability.posterior({g.id: g.poa0 for g in segs}, search.row0,
                                          {g.id: g.coverage for g in segs}) if segs else ({}, 1.0)
        areas = {g.id: g.area_m2 for g in segs}
        team_effort = []
        for t in teams:
            if t.kind == "video_review":
                continue
            mode = effort.mode_for_team_kind(t.kind)
            team_effort.append((t.id, settings["sweep_width_m"][mode] * settings["search_speed_ms"][mode] * 3600))
        suggestions = rings.suggest(post, areas, team_effort, busy_segments) if segs else []
        names = {g.id: g.name for g in segs}
        category = (search.subject or {}).get("category", "other")
        return {
            "search_id": search_id,
            "model_version": search.model_version,
            "category": category, "terrain": search.terrain or "urban",
            "ring_source": behaviour.ring_source(category, search.terrain or "urban"),
            "rings": [{"percent": pct, "radius_m": r, "geometry": _circle(proj, r)}
                      for pct, r in zip((25, 50, 75, 95), radii)],
            "reach": {"radius_m": reach, "walking_speed_ms": settings["walking_speed_ms"],
                      "cap_m": reach_cap(search, settings), "capped": reach >= reach_cap(search, settings),
                      "since": iso(search.lkp_time), "at": iso(now), "geometry": _circle(proj, min(reach, 1e6)),
                      **street_view.reach_fields(s, search, reach)},   # on a street layer: the network isochrone
            "model_reach_m": search.model_reach_m,
            "lkp": search.lkp, "lkp_time": iso(search.lkp_time), "heading_deg": search.heading_deg,
            "model_computed_at": iso(search.model_computed_at),
            "poa_basis": search.poa_basis,
            "settings": {**settings, "version": (search.settings or {}).get("version", 1)},
            "segments": [segment_view(g, post, seg_status.get(g.id)) for g in segs],
            "row0": search.row0, "row": row,
            "pos_total": sum(g.poa0 * probability.pod_from_coverage(g.coverage) for g in segs),
            "suggestions": [{"team_id": x.team_id, "segment_id": x.segment_id, "segment": names[x.segment_id],
                             "gain_per_hour": x.gain_per_hour, "coverage": x.coverage,
                             "team_busy": x.team_id in busy_teams} for x in suggestions],
        }


def swept(svc: Services, actor: Actor, search_id: int) -> dict:
    """The ground swept at least once by every track (buffered by half the sweep width of its mode), for display."""
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        settings = settings_of(search)
        proj = projection(search)
        lines, count = tracks.device_lines(s, search, proj, settings)
        pieces = [(line, width) for track_lines, width in lines.values() for line in track_lines]
        area = effort.swept_area(pieces)
        return {"geometry": mapping(proj.unproject(area)) if not area.is_empty else None,
                "area_m2": area.area, "track_points": count, "last_seq": search.last_seq}
