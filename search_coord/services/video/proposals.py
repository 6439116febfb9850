"""Which footage to review: cameras ahead of the subject ranked by the probability mass they see of the map, and
cameras on the route between two known points (``core.review``)."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import shapely
from sqlalchemy import select

from ...adapters.models import Camera, ReviewedInterval, Search, Segment
from ...core import probability, review, rings
from ...core.cameras import CameraSite, probabilities_seen
from ...core.geometry import LocalProjection, distance_m
from ...core.video import recorder_time
from .. import basis
from ..events import iso
from .region import site, speeds, stored_chain
from .tasks import retention_view, reviewed_times


def _probability_map(s, search: Search, proj: LocalProjection, now: datetime):
    """The probability map in metres: the ring model around the last known point (tilted along the direction of
    travel), scaled in each segment by what searching it has left (current POA / prior POA). Returns the ring pieces
    and a function giving that scale at many points at once."""
    pieces = rings.annuli(basis.rings_of(search), basis.reach_now(search, now), *basis.heading_of(search))
    segs = s.execute(select(Segment.id, Segment.poa0, Segment.coverage)
                     .where(Segment.search_id == search.id)).all()
    if not segs:
        return pieces, lambda xs, ys: np.ones(len(xs))
    post, row = probability.posterior({g.id: g.poa0 for g in segs}, search.row0, {g.id: g.coverage for g in segs})
    _, index, _ = basis.segment_index(s, search)
    factor = {g.id: post.get(g.id, 0.0) / g.poa0 if g.poa0 > 0 else 1.0 for g in segs}
    rest = row / search.row0 if search.row0 > 0 else 1.0

    def scale(xs, ys) -> np.ndarray:
        out = np.full(len(xs), rest)
        pts = shapely.points(np.asarray(xs), np.asarray(ys))
        inside, which = index.tree.query(pts, predicate="covered_by")
        out[inside] = [factor.get(int(index.ids[k]), rest) for k in which]
        return out

    return pieces, scale


def _proposal_view(cam: CameraSite, w: review.Window, rank: int, tasks: dict, reviewed: dict, now: datetime,
                   **extra) -> dict:
    """A camera worth reviewing over a window (true and recorder time), its retention, task and review so far."""
    return {"camera_id": cam.id, "code": cam.code, "name": cam.name, "rank": rank, **extra,
            "start": iso(w.start), "end": iso(w.end),
            "recorder_start": iso(recorder_time(w.start, cam.clock_offset_s)),
            "recorder_end": iso(recorder_time(w.end, cam.clock_offset_s)),
            "retention": retention_view(w.start, cam.retention_days, now),
            "task_id": tasks.get(cam.id), "window_s": w.seconds,
            "reviewed_s": review.covered_seconds((w.start, w.end), reviewed_times(reviewed.get(cam.id, [])))}


def proposals(s, search: Search, now: datetime, cams: list[Camera], cones: dict[int, object], tasks: dict,
              reviewed: dict[int, list[ReviewedInterval]]) -> list[dict]:
    """Cameras the subject can have reached from the chain of known points, most probable ground first, each with the
    window worth reviewing (``tasks``: camera id -> open task; ``reviewed``: camera id -> reviewed stretches)."""
    _, fastest = speeds(search)
    proj = basis.projection(search)
    points = stored_chain(search)
    reachable = []
    for cam in map(site, cams):
        hit = review.window_for(points, cam, fastest, now)
        if hit is not None:
            reachable.append((cam, hit[0]))
    if not reachable:
        return []
    pieces, scale = _probability_map(s, search, proj, now)
    xs, ys = proj.to_xy([c.lon for c, _ in reachable], [c.lat for c, _ in reachable])
    probs = probabilities_seen([cones[c.id] for c, _ in reachable], pieces) * scale(xs, ys)
    found = {cam.id: (cam, w) for cam, w in reachable}
    last = points[-1]
    candidates = [review.Candidate(cam.id, distance_m(last.lon, last.lat, cam.lon, cam.lat), float(p))
                  for (cam, _), p in zip(reachable, probs)]
    out = []
    for rank, c in enumerate(review.rank(candidates)[:review.MAX_PROPOSALS], start=1):
        cam, w = found[c.camera_id]
        out.append(_proposal_view(cam, w, rank, tasks, reviewed, now, kind="ahead",
                                  distance_m=round(c.distance_m, 1), probability=c.probability))
    return out


def route_proposals(search: Search, now: datetime, cams: list[Camera], tasks: dict,
                    reviewed: dict[int, list[ReviewedInterval]]) -> list[dict]:
    """Cameras on the way between two known points of the subject (the first last known point and the confirmed
    sightings after it): those they can have passed in between at their fastest plausible pace, with the window in
    which they would have and the leg it belongs to. The straightest detours first; footage already reviewed over
    the whole window goes last. This is how the route is found."""
    points = stored_chain(search)
    if len(points) < 2:
        return []
    sites = [site(c) for c in cams]
    at = [None] + [review.camera_at(p, sites) for p in points[1:]]
    labels = [{"time": iso(p.t), "code": c.code if c else None} for p, c in zip(points, at)]
    hits = review.route(points, sites, speeds(search)[1], {k: reviewed_times(v) for k, v in reviewed.items()})
    return [_proposal_view(h.camera, h.window, rank, tasks, reviewed, now, kind="route",
                           detour_m=round(h.detour_m, 1), distance_m=round(h.distance_m, 1),
                           leg={"from": labels[h.leg], "to": labels[h.leg + 1]})
            for rank, h in enumerate(hits, start=1)]
