"""Ground searched by hand and suggestions taken up: a team marks a polygon searched with a stated POD (coverage for
the segments it overlaps; the part outside every segment becomes a segment of its own, so it counts too); a
dispatcher turns a suggested segment into an assignment."""
from __future__ import annotations

from datetime import datetime

from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from sqlalchemy import select

from ..adapters.models import SearchedArea, Search, Segment, Team
from ..core import effort, probability, rings, schemas, segments as segmentation
from ..core.errors import ValidationError
from ..core.geometry import repair_answer
from . import area_bounds, events, tracks
from .access import load_search
from .basis import heading_of, reach_now, rings_of, segment_index
from .context import Actor, Services
from .events import iso, naive_utc
from .segment_edits import bump_model_version, segments_payload
from .teams import create_assignment


def mark_searched(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A team marks a polygon searched with a stated POD; it adds coverage to the segments it overlaps. The area is
    bounded (``services.area_bounds``: within the region; an officer's within their team's assignment or at most
    20 ha; a dispatcher's over 1 km² only with ``"confirm_large": true``), else ``ValidationError``.

    Returns {"area", "coverage"}, with "repaired" (a sentence) and "repairs" (codes) when the outline had to be
    repaired (``geometry.validate_geojson``), also in the area's view."""
    data, confirm_large = area_bounds.take_confirm_large(data)
    clean = schemas.clean_searched_area(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        ev = events.begin(s, search_id, "area.searched", actor, now, client_id=clean.get("client_id"))
        schemas.check_search_writable(search.status)
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
    implied = segment_for_outside(s, search, geometry, now)
    proj, index, _ = segment_index(s, search)
    added = {k: effort.coverage_from_stated_pod(pod, share)
             for k, share in index.overlap_shares(proj.project(shape(geometry))).items()}
    coverage = tracks.add_coverage(s, added)
    view = {"id": area.id, "team_id": area.team_id, "geometry": area.geometry, "pod": area.pod,
            "notes": area.notes, "marked_by": actor.user_id, "marked_at": iso(area.marked_at)}
    if implied is not None:
        view["segment"] = {**segments_payload([implied])[0], "coverage": coverage.get(implied.id, 0.0)}
    return view, coverage


#: The part of a searched area outside every segment becomes a segment when it is at least this big (m²) and this
#: share of the area: below, it is the edge of a segment traced by hand (a GPS-drawn outline a few metres out).
OUTSIDE_MIN_M2 = 100.0
OUTSIDE_MIN_SHARE = 0.05


def segment_for_outside(s, search: Search, geometry: dict, now: datetime) -> Segment | None:
    """The segment a searched area implies where no segment lies under it (inside the caller's transaction): its
    outside part (``OUTSIDE_MIN_*``) becomes a segment named S-1, S-2, ... (source ``searched``; no grid cell has a hyphen) holding the ring
    model's POA there, taken from ROW, so the effort counts in POD, POS and ROW like any other (docs/science.md
    §2, "Searched ground outside the segments"). None when the area lies within the segments."""
    proj, index, _ = segment_index(s, search)
    poly = proj.project(shape(geometry))
    segs = s.execute(select(Segment.geometry).where(Segment.search_id == search.id)).scalars().all()
    outside = poly.difference(unary_union([proj.project(shape(g)) for g in segs])) if segs else poly
    if outside.is_empty or outside.area < max(OUTSIDE_MIN_M2, OUTSIDE_MIN_SHARE * poly.area):
        return None
    outside = outside.buffer(0)
    names = set(s.execute(select(Segment.name).where(Segment.search_id == search.id)).scalars())
    reach = search.model_reach_m or reach_now(search, now)
    poa, _ = rings.ring_poa({0: outside}, rings_of(search), reach, *heading_of(search))
    poa0 = min(poa[0], search.row0)
    seg = Segment(search_id=search.id, name=segmentation.next_free_name(names, "S-"), source="searched",
                  geometry=mapping(proj.unproject(outside)), area_m2=outside.area, poa0=poa0, coverage=0.0,
                  created_at=naive_utc(now))
    s.add(seg)
    search.row0 = max(0.0, search.row0 - poa0)
    s.flush()
    bump_model_version(search, s)   # the segment index is read again with the new segment in it
    return seg


def accept_suggestion(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Turn a suggestion into an assignment: the segment's area to the team, in one click."""
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
