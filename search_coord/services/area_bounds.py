"""The bounds of a marked searched area for one account (``core.area_bounds`` has the rules), read from the search:
its region and the actor's teams' assignments."""
from __future__ import annotations

from shapely import union_all
from shapely.geometry import Point, shape
from sqlalchemy import select

from ..adapters.models import Assignment, Search, SearchedArea
from ..core import area_bounds
from ..core.errors import ValidationError
from . import basis, tracks
from .access import user_team_ids
from .context import Actor


def take_confirm_large(data):
    """``data`` without its ``confirm_large`` flag, and the flag (False when absent). Raises ``ValidationError``
    (``confirm_large``) when it is not true or false."""
    if not isinstance(data, dict) or "confirm_large" not in data:
        return data, False
    rest = {k: v for k, v in data.items() if k != "confirm_large"}
    if not isinstance(data["confirm_large"], bool):
        raise ValidationError({"confirm_large": "must be true or false"})
    return rest, data["confirm_large"]


def check_marked_area(session, search: Search, actor: Actor, geometry: dict, confirm_large: bool) -> None:
    """Refuse (``ValidationError``, see ``core.area_bounds.check_searched_area``) an area ``actor`` may not mark on
    ``search``: the search's region is the ground within ``tracks.region_limit_m`` of any known point of the subject
    (where fixes count too); an officer's limit is the union of their teams' assignments not aborted, or without
    one a total: the areas they have marked on the search and not had retracted count with this one."""
    proj = basis.projection(search)
    limit = tracks.region_limit_m(search)
    known = [h["lkp"]["coordinates"][:2] for h in (search.lkp_history or [])] + [search.lkp["coordinates"][:2]]
    xs, ys = proj.to_xy([p[0] for p in known], [p[1] for p in known])
    region = union_all([Point(x, y).buffer(limit, quad_segs=32) for x, y in zip(xs, ys)])
    assignments = None
    if not actor.is_dispatcher:
        teams = user_team_ids(session, search.id, actor.user_id)
        if teams:
            shapes = session.execute(select(Assignment.geometry).where(
                Assignment.search_id == search.id, Assignment.team_id.in_(teams),
                Assignment.status != "aborted")).scalars().all()
            if shapes:
                assignments = union_all([proj.project(shape(g)) for g in shapes])
    marked_before = 0.0
    if not actor.is_dispatcher and (assignments is None or assignments.is_empty):
        marked_before = sum(proj.project(shape(g)).area for g in session.execute(select(SearchedArea.geometry).where(
            SearchedArea.search_id == search.id, SearchedArea.marked_by == actor.user_id,
            SearchedArea.retracted_at.is_(None))).scalars())
    region_text = f"{limit / 1000:.0f} km around the subject's known points"
    drawn = shape(geometry)
    w, so, e, n = proj.unproject(region).bounds
    gw, gs, ge, gn = drawn.bounds
    if gw < w or gs < so or ge > e or gn > n:   # checked in degrees first: a continent does not project in metres
        raise ValidationError({"geometry": f"reaches beyond the search's region ({region_text}): nothing was marked"})
    area_bounds.check_searched_area(proj.project(drawn), region, region_text, actor.is_dispatcher, assignments,
                                    confirm_large, marked_before)
