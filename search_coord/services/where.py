"""Where to look, live: rings and reach, segments and their POA, coverage from what was actually searched,
POD and the Bayesian update, and suggestions of the next assignments."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from shapely.geometry import mapping, shape
from shapely.geometry import Point as ShpPoint
from sqlalchemy import delete, select, update

from ..adapters.models import Assignment, SearchedArea, Search, Segment, Team
from ..core import behaviour, effort, model, probability, segments as segmentation, where
from ..core.errors import GeometryError, NotFound, ValidationError
from ..core.fields import split_version
from ..core.geometry import LocalProjection, repair_answer
from . import area_bounds, events, tracks, versions
from .access import load_search, require_dispatcher
from .basis import heading_of, projection, reach_cap, reach_now, rings_of, segment_index, settings_of
from .context import Actor, Services
from .events import iso, naive_utc

log = logging.getLogger(__name__)
ACTIVE_ASSIGNMENT = ("planned", "assigned", "in_progress")


def bump_model_version(search: Search, session) -> None:
    """Count a change of the segments or settings, so that a recompute running meanwhile starts again."""
    session.execute(update(Search).where(Search.id == search.id).values(model_version=Search.model_version + 1))
    session.refresh(search)


# --- reading the model -------------------------------------------------------------------------------------------

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
        rings = rings_of(search)
        reach = reach_now(search, now, settings)
        post, row = where.posterior({g.id: g.poa0 for g in segs}, search.row0, {g.id: g.coverage for g in segs}) \
            if segs else ({}, 1.0)
        areas = {g.id: g.area_m2 for g in segs}
        team_effort = []
        for t in teams:
            if t.kind == "video_review":
                continue
            mode = effort.mode_for_team_kind(t.kind)
            team_effort.append((t.id, settings["sweep_width_m"][mode] * settings["search_speed_ms"][mode] * 3600))
        suggestions = where.suggest(post, areas, team_effort, busy_segments) if segs else []
        names = {g.id: g.name for g in segs}
        category = (search.subject or {}).get("category", "other")
        return {
            "search_id": search_id,
            "model_version": search.model_version,
            "category": category, "terrain": search.terrain or "urban",
            "ring_source": behaviour.ring_source(category, search.terrain or "urban"),
            "rings": [{"percent": pct, "radius_m": r, "geometry": _circle(proj, r)}
                      for pct, r in zip((25, 50, 75, 95), rings)],
            "reach": {"radius_m": reach, "walking_speed_ms": settings["walking_speed_ms"],
                      "cap_m": reach_cap(search, settings), "capped": reach >= reach_cap(search, settings),
                      "since": iso(search.lkp_time), "at": iso(now), "geometry": _circle(proj, min(reach, 1e6))},
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


# --- changing segments -------------------------------------------------------------------------------------------

def segments_payload(segs) -> list[dict]:
    return [{"id": g.id, "name": g.name, "source": g.source, "geometry": g.geometry, "area_m2": g.area_m2,
             "poa0": g.poa0, "coverage": g.coverage} for g in segs]


def ring_poa_all(session, search: Search, reach: float) -> None:
    """Set every segment's prior POA from the ring model at ``reach``, and ROW."""
    proj = projection(search)
    segs = session.execute(select(Segment).where(Segment.search_id == search.id)).scalars().all()
    poa, row = where.ring_poa({g.id: proj.project(shape(g.geometry)) for g in segs}, rings_of(search), reach,
                              *heading_of(search))
    for g in segs:
        g.poa0 = poa[g.id]
    search.row0 = row
    search.poa_basis = "rings"
    search.model_reach_m = reach


def generate_segments(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Split the 95 % ring within reach into square or hexagonal cells (replacing earlier generated cells; drawn
    segments stay and are cut out). POA from the ring model; coverage is recomputed from the tracks in the
    background."""
    require_dispatcher(actor)
    clean = model.clean_segment_grid(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        proj = projection(search)
        reach = reach_now(search, now)
        region = where.search_region(rings_of(search), reach)
        s.execute(update(Assignment).where(Assignment.segment_id.in_(
            select(Segment.id).where(Segment.search_id == search_id, Segment.source == "grid"))).values(segment_id=None))
        s.execute(delete(Segment).where(Segment.search_id == search_id, Segment.source == "grid"))
        drawn = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        for g in drawn:
            region = region.difference(proj.project(shape(g.geometry)))
        try:
            cells = segmentation.grid(region, clean["cell_m"], clean["shape"])
        except GeometryError as exc:
            raise ValidationError({"cell_m": exc.message}) from None
        for c in cells:
            s.add(Segment(search_id=search_id, name=c.name, source="grid", created_at=naive_utc(now),
                          geometry=mapping(proj.unproject(c.polygon)), area_m2=c.polygon.area, poa0=0.0, coverage=0.0))
        s.flush()
        ring_poa_all(s, search, reach)
        search.model_computed_at = naive_utc(now)
        bump_model_version(search, s)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.id)).scalars().all()
        events.record(s, search_id, "segments.replaced", actor,
                      {"segments": segments_payload(segs), "row0": search.row0, "reach_m": reach,
                       "shape": clean["shape"], "cell_m": clean["cell_m"]}, now)
        count = len(segs)
    schedule_recompute(svc, search_id, "segments generated")
    return {"segments": count, "reach_m": reach}


def add_segment(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A segment drawn by the dispatcher: a polygon, or a route buffered to a corridor. It is cut so that it does not
    overlap existing segments (probability is never counted twice)."""
    require_dispatcher(actor)
    clean = model.clean_drawn_segment(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        proj = projection(search)
        geom = proj.project(shape(clean["geometry"]))
        source = "drawn"
        if geom.geom_type == "LineString":
            geom, source = segmentation.corridor(geom, clean["width_m"]), "route"
        existing = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        for g in existing:
            geom = geom.difference(proj.project(shape(g.geometry)))
        if geom.is_empty or geom.area < 1:
            raise ValidationError({"geometry": "lies entirely inside existing segments"})
        names = {g.name for g in existing}
        name = clean.get("name") or segmentation.next_free_name(names, "R" if source == "route" else "D")
        if name in names:
            raise ValidationError({"name": f"{name} is already used"})
        reach = search.model_reach_m or reach_now(search, now)
        poa, _ = where.ring_poa({0: geom}, rings_of(search), reach, *heading_of(search))
        poa0 = min(poa[0], search.row0)
        seg = Segment(search_id=search_id, name=name, source=source, geometry=mapping(proj.unproject(geom)),
                      area_m2=geom.area, poa0=poa0, coverage=0.0, created_at=naive_utc(now))
        s.add(seg)
        search.row0 = max(0.0, search.row0 - poa0)
        s.flush()
        bump_model_version(search, s)
        # a drawn outline that had to be repaired says so in the answer and in the log
        view = {**segments_payload([seg])[0], **repair_answer(clean.repairs.get("geometry"))}
        events.record(s, search_id, "segment.added", actor, {"segment": view, "row0": search.row0}, now)
    schedule_recompute(svc, search_id, f"segment {name} added")
    return view


def delete_segment(svc: Services, actor: Actor, search_id: int, segment_id: int) -> None:
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        seg = s.get(Segment, segment_id)
        if seg is None or seg.search_id != search_id:
            raise NotFound(f"segment {segment_id} not found on search {search_id}")
        search.row0 = min(1.0, search.row0 + seg.poa0)
        s.execute(update(Assignment).where(Assignment.segment_id == segment_id).values(segment_id=None))
        s.delete(seg)
        s.flush()
        bump_model_version(search, s)
        events.record(s, search_id, "segment.removed", actor, {"segment_id": segment_id, "row0": search.row0}, now)


def set_consensus(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """POA by consensus (Mattson): each evaluator spreads 100 points over segment names and ROW; the mean is used."""
    evaluations = data.get("evaluations") if isinstance(data, dict) else None
    if not isinstance(evaluations, list) or not evaluations or len(evaluations) > 50:
        raise ValidationError({"evaluations": "must be a list of 1 to 50 evaluations ({segment name: points})"})
    try:
        poa = probability.mattson(evaluations)
    except probability.ProbabilityError as exc:
        raise ValidationError({"evaluations": exc.message}) from None
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        by_name = {g.name: g for g in segs}
        unknown = [k for k in poa if k != probability.ROW and k not in by_name]
        if unknown:
            raise ValidationError({"evaluations": f"no such segment: {', '.join(sorted(unknown))}"})
        for g in segs:
            g.poa0 = poa.get(g.name, 0.0)
        search.row0 = poa[probability.ROW]
        search.poa_basis = "consensus"
        s.flush()
        s.execute(update(Segment).where(Segment.search_id == search_id).values(version=Segment.version + 1))
        payload = {"poa0": {g.id: g.poa0 for g in segs}, "row0": search.row0, "evaluators": len(evaluations)}
        events.record(s, search_id, "poa.consensus", actor, payload, now)
    return payload


def update_settings(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Change walking speed, sweep widths, search speeds or gap limits; the search is recomputed in the background.

    ``data``: ``model.clean_model_settings`` fields and ``"version"``, the settings' version the edit started from
    (kept in the settings, apart from the search's own version; ``services/versions.py``; optional). Returns the
    settings with their ``version``; values equal to the stored ones change nothing. Raises ``ValidationError``
    (400), ``Conflict`` (409: not writable, or a stale version with ``extra["current"]``: the current settings)."""
    expected, data = split_version(data)
    clean = model.clean_model_settings(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        s.refresh(search, with_for_update=True)   # edits of the settings one at a time (PostgreSQL)
        version = (search.settings or {}).get("version", 1)
        current = {**settings_of(search), "version": version}
        versions.check(version, expected, lambda: current, "the model settings")
        merged = dict(search.settings or {})
        for key, value in clean.items():
            if isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            elif value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if merged == (search.settings or {}):   # nothing differs from what is stored: nothing to store or log
            return current
        merged["version"] = version + 1
        search.settings = merged
        s.flush()
        bump_model_version(search, s)
        result = {**settings_of(search), "version": version + 1}
        events.record(s, search_id, "model.settings", actor,
                      {"settings": result, "version_checked": expected is not None}, now)
    schedule_recompute(svc, search_id, "settings changed")
    return result


# --- recomputing from scratch --------------------------------------------------------------------------------------

def schedule_recompute(svc: Services, search_id: int, reason: str) -> None:
    """Recompute in the background (inline where the context has no background runner, as in tests)."""
    if svc.background is None:
        recompute(svc, search_id, reason)
    else:
        svc.background(recompute, svc, search_id, reason)


def recompute(svc: Services, search_id: int, reason: str = "requested", actor: Actor | None = None) -> dict:
    """Prior POA (ring model at the current reach, unless set by consensus) and every segment's coverage from all
    tracks and searched areas, from scratch. Written in one transaction and announced as ``model.recomputed``.
    If the segments change meanwhile, the work is done again on the new ones."""
    for _ in range(3):
        started = time.perf_counter()
        now = svc.now()
        with svc.reading() as s:
            search = s.get(Search, search_id)
            if search is None:
                return {}
            version = search.model_version
            proj, index, areas = segment_index(s, search)
            settings = settings_of(search)
            counted, track_points = tracks.track_coverage(s, search, proj, index, areas, settings)
            coverage = {k: counted.get(k, 0.0) for k in areas}
            for area in s.execute(select(SearchedArea).where(SearchedArea.search_id == search_id,
                                                             SearchedArea.retracted_at.is_(None))).scalars():
                poly = proj.project(shape(area.geometry))
                for k, share in index.overlap_shares(poly).items():
                    coverage[k] += effort.coverage_from_stated_pod(area.pod, share)
            reach = reach_now(search, now, settings)
            ring = None
            if search.poa_basis == "rings" and areas:
                ring = where.ring_poa(dict(zip(index.ids.tolist(), index.geoms.tolist())), rings_of(search), reach,
                                      *heading_of(search))
        with svc.transaction() as s:
            search = s.get(Search, search_id)
            if search.model_version != version:
                continue
            segs = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
            for g in segs:
                g.coverage = coverage.get(g.id, 0.0)
                if ring is not None:
                    g.poa0 = ring[0][g.id]
            if ring is not None:
                search.row0, search.model_reach_m = ring[1], reach
            search.model_computed_at = naive_utc(now)
            took = time.perf_counter() - started
            payload = {"segments": [{"id": g.id, "poa0": g.poa0, "coverage": g.coverage} for g in segs],
                       "row0": search.row0, "reach_m": search.model_reach_m, "reason": reason,
                       "seconds": round(took, 3), "track_points": track_points}
            events.record(s, search_id, "model.recomputed", actor, payload, now)
        log.info("search %s recomputed in %.2f s (%s)", search_id, took, reason)
        return payload
    log.warning("search %s: segments kept changing; recompute gave up", search_id)
    return {}


def request_recompute(svc: Services, actor: Actor, search_id: int) -> dict:
    """A dispatcher asks for a recompute (e.g. reach has grown since POA was set); it runs in the background."""
    with svc.reading() as s:
        load_search(s, search_id, actor, dispatcher_only=True)
    schedule_recompute(svc, search_id, "requested")
    return {"scheduled": True}


# --- searched areas and accepting suggestions ---------------------------------------------------------------------

def mark_searched(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A team marks a polygon searched with a stated POD; it adds coverage to the segments it overlaps. The area is
    bounded (``services.area_bounds``: within the region; an officer's within their team's assignment or at most
    20 ha; a dispatcher's over 1 km² only with ``"confirm_large": true``), else ``ValidationError``.

    Returns {"area", "coverage"}, with "repaired" (a sentence) and "repairs" (codes) when the outline had to be
    repaired (``geometry.validate_geojson``), also in the area's view."""
    data, confirm_large = area_bounds.take_confirm_large(data)
    clean = model.clean_searched_area(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        ev = events.begin(s, search_id, "area.searched", actor, now, client_id=clean.get("client_id"))
        model.check_search_writable(search.status)
        if clean.get("team_id") is not None:
            team = s.get(Team, clean["team_id"])
            if team is None or team.search_id != search_id:
                raise ValidationError({"team_id": "is not a team of this search"})
        area_bounds.check_marked_area(s, search, actor, clean["geometry"], confirm_large)
        view, coverage = add_searched_area(s, search, clean.get("team_id"), clean["geometry"], clean["pod"],
                                           clean.get("notes"), actor, now)
        repaired = repair_answer(clean.repairs.get("geometry"))
        view.update(repaired)
        events.finish(s, ev, {"area": view, "coverage": {str(k): v for k, v in coverage.items()}})
    return {"area": view, "coverage": coverage, **repaired}


def add_searched_area(s, search: Search, team_id: int | None, geometry: dict, pod: float, notes: str | None,
                      actor: Actor, now: datetime) -> tuple[dict, dict[int, float]]:
    """Store a searched polygon with its stated POD and add its coverage to the segments it overlaps (inside the
    caller's transaction). Returns the area's view and the new coverage of each touched segment."""
    area = SearchedArea(search_id=search.id, team_id=team_id, geometry=geometry, pod=pod, notes=notes,
                        marked_by=actor.user_id, marked_at=naive_utc(now))
    s.add(area)
    s.flush()
    proj, index, _ = segment_index(s, search)
    added = {k: effort.coverage_from_stated_pod(pod, share)
             for k, share in index.overlap_shares(proj.project(shape(geometry))).items()}
    coverage = tracks.add_coverage(s, added)
    view = {"id": area.id, "team_id": area.team_id, "geometry": area.geometry, "pod": area.pod,
            "notes": area.notes, "marked_by": actor.user_id, "marked_at": iso(area.marked_at)}
    return view, coverage


def accept_suggestion(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Turn a suggestion into an assignment: the segment's area to the team, in one click."""
    from .teams import create_assignment

    if not isinstance(data, dict) or not isinstance(data.get("segment_id"), int) \
            or not isinstance(data.get("team_id"), int):
        raise ValidationError({"segment_id": "send segment_id and team_id"})
    with svc.reading() as s:
        load_search(s, search_id, actor, dispatcher_only=True)
        seg = s.get(Segment, data["segment_id"])
        if seg is None or seg.search_id != search_id:
            raise ValidationError({"segment_id": "is not a segment of this search"})
        pod = probability.pod_from_coverage(seg.coverage)
    return create_assignment(svc, actor, search_id, {
        "title": f"Segment {seg.name}", "kind": "area", "team_id": data["team_id"], "geometry": seg.geometry,
        "segment_id": seg.id,
        "instructions": data.get("instructions") or f"Search segment {seg.name} ({seg.area_m2 / 1e4:.1f} ha); "
                                                    f"POD so far {pod:.0%}."})
