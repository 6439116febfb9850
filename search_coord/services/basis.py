"""The frame every model computation of a search works in: its settings, local projection, distance rings, reach
and heading, the per-process cache of its segments in metres, and the sweep mode of a user's team."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from shapely.geometry import shape
from sqlalchemy import select

from ..adapters.models import Search, Segment, Team, TeamMember
from ..core import behaviour, effort, rings, video
from ..core.geometry import LocalProjection
from .events import naive_utc


# --- settings, projection, reach ---------------------------------------------------------------------------------

def settings_of(search: Search) -> dict:
    """The search's model settings with the documented defaults filled in."""
    own = search.settings or {}
    category = (search.subject or {}).get("category", "other")
    return {
        "walking_speed_ms": own.get("walking_speed_ms") or behaviour.walking_speed(category)[0],
        "sweep_width_m": {**effort.DEFAULT_SWEEP_WIDTH_M, **own.get("sweep_width_m", {})},
        "search_speed_ms": {**effort.DEFAULT_SEARCH_SPEED_MS, **own.get("search_speed_ms", {})},
        "gap_s": own.get("gap_s") or effort.DEFAULT_GAP_S,
        "gap_m": own.get("gap_m") or effort.DEFAULT_GAP_M,
        "max_reach_m": own.get("max_reach_m"),
    }


def projection(search: Search) -> LocalProjection:
    lon, lat = search.lkp["coordinates"][:2]
    return LocalProjection(lat, lon)


def reach_now(search: Search, now: datetime, settings: dict | None = None) -> float:
    """How far (m) the subject can be from the last known point now: walking speed x time since, stopped at the
    category's rest-of-world ring (``behaviour.reach_cap_m``) unless the dispatcher set ``max_reach_m``."""
    settings = settings or settings_of(search)
    elapsed = (naive_utc(now) - search.lkp_time).total_seconds()
    walked = behaviour.reach_m(elapsed, settings["walking_speed_ms"])
    return rings.effective_reach(min(walked, reach_cap(search, settings)))


def reach_cap(search: Search, settings: dict | None = None) -> float:
    """The most reach can grow to (m): the dispatcher's ``max_reach_m``, else the rest-of-world ring."""
    own = (settings or settings_of(search)).get("max_reach_m")
    return float(own) if own else behaviour.reach_cap_m(rings_of(search))


def heading_of(search: Search) -> tuple[float | None, float]:
    """The direction of travel the last confirmed sighting gave, and how strongly it tilts the ring model."""
    return (search.heading_deg, video.HEADING_KAPPA) if search.heading_deg is not None else (None, 0.0)


def rings_of(search: Search) -> tuple[float, ...]:
    return behaviour.distance_rings((search.subject or {}).get("category", "other"), search.terrain or "urban")


# --- the per-process segment index cache (keyed by model_version, so it is never stale) --------------------------

_CACHE: "OrderedDict[tuple, tuple]" = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def segment_index(session, search: Search):
    """(projection, SegmentIndex in metres, {id: area m²}) for the search's current segments."""
    # The engine and the opening time make the key unique across databases (tests, a restored backup).
    bind = session.get_bind()
    key = (str(bind.url), id(getattr(bind, "engine", bind)), search.id, search.opened_at, search.model_version)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    proj = projection(search)
    rows = session.execute(select(Segment.id, Segment.geometry).where(Segment.search_id == search.id)).all()
    polys = {sid: proj.project(shape(geo)) for sid, geo in rows}
    value = (proj, effort.SegmentIndex(polys), {k: p.area for k, p in polys.items()})
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def user_mode(session, search_id: int, user_id: int) -> str:
    """The sweep mode of the user's team on this search (a patrol team wins over a video team)."""
    kinds = session.execute(
        select(Team.kind).outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.search_id == search_id, Team.disbanded.is_(False))
        .where((TeamMember.user_id == user_id) | (Team.leader_id == user_id)).order_by(Team.id)).scalars().all()
    modes = [effort.mode_for_team_kind(k) for k in kinds if k in effort.TEAM_KIND_MODE]
    return modes[0] if modes else "foot"


