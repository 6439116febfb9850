"""Recomputing the model from scratch: prior POA from the ring model at the current reach (unless set by consensus)
and every segment's coverage from all tracks and searched areas; in the background where the context has a runner."""
from __future__ import annotations

import logging
import time

from shapely.geometry import shape
from sqlalchemy import select

from ..adapters.models import SearchedArea, Search, Segment
from ..core import effort, rings
from . import events, tracks
from .access import load_search
from .basis import heading_of, reach_now, rings_of, segment_index, settings_of
from .context import Actor, Services
from .events import naive_utc

log = logging.getLogger(__name__)


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
                ring = rings.ring_poa(dict(zip(index.ids.tolist(), index.geoms.tolist())), rings_of(search), reach,
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
