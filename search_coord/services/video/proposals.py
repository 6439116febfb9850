"""Which footage to review: cameras ahead of the subject ranked by the probability mass they see of the map, and
cameras on the route between two known points (``core.review``)."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import shapely
from sqlalchemy import select

from ...adapters.models import Camera, ReviewedInterval, Search, Segment
from ...core import probability, review, rings
from ...core.cameras import AT_POINT_M, CameraSite, cone_areas, cones, probabilities_seen
from ...core.geometry import LocalProjection, distance_m
from ...core.video import recorder_time
from .. import basis
from ..events import iso
from .region import distances_m, site, speeds, stored_chain
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


#: With more cameras within reach than this, the exact ranking (the cones against the probability map) is done on
#: the best this many by the quick estimate (density at the camera x its cone's area x what searching has left).
SHORTLIST = 4 * review.MAX_PROPOSALS


def _density(pieces, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The probability per m² of the ring pieces at each point (0 outside every piece)."""
    out = np.zeros(len(xs))
    geoms = [g for g, m in pieces if m > 0 and g.area > 0]
    if not geoms or not len(xs):
        return out
    per_m2 = np.array([m / g.area for g, m in pieces if m > 0 and g.area > 0])
    inside, which = shapely.STRtree(geoms).query(shapely.points(xs, ys), predicate="within")
    np.add.at(out, inside, per_m2[which])
    return out


def _reachable(points, cams: list[Camera], fastest: float, now: datetime) -> np.ndarray:
    """Which cameras the subject can have reached from some known point by the next one's time (or now): the
    vectorised test of ``core.review.window_for``, which then gives the window of the few kept."""
    dist = distances_m(points, [c.lon for c in cams], [c.lat for c in cams])
    ok = np.zeros(len(cams), dtype=bool)
    for i, p in enumerate(points):
        latest = points[i + 1].t if i + 1 < len(points) else now
        ok |= dist[i] / fastest < (latest - p.t).total_seconds()
    return ok


def proposals(s, search: Search, now: datetime, cams: list[Camera], tasks: dict,
              reviewed: dict[int, list[ReviewedInterval]]) -> list[dict]:
    """Cameras the subject can have reached from the chain of known points, most probable ground first, each with the
    window worth reviewing (``tasks``: camera id -> open task; ``reviewed``: camera id -> reviewed stretches); at most
    ``review.MAX_PROPOSALS``. ``cams``: the cameras of the search's region (``region.cameras_near``, read through the
    spatial index). Beyond ``SHORTLIST`` reachable cameras, only the best ``SHORTLIST`` by the quick estimate are
    ranked exactly (docs/video.md)."""
    _, fastest = speeds(search)
    proj = basis.projection(search)
    points = stored_chain(search)
    if not cams:
        return []
    cams = [c for c, ok in zip(cams, _reachable(points, cams, fastest, now)) if ok]
    if not cams:
        return []
    pieces, scale = _probability_map(s, search, proj, now)
    xs, ys = proj.to_xy(np.array([c.lon for c in cams]), np.array([c.lat for c in cams]))
    if len(cams) > SHORTLIST:
        quick = _density(pieces, xs, ys) * cone_areas([c.direction_deg for c in cams], [c.fov_deg for c in cams],
                                                      [c.range_m for c in cams]) * scale(xs, ys)
        near = np.hypot(xs, ys)
        keep = np.lexsort((near, -quick))[:SHORTLIST]
        cams, xs, ys = [cams[k] for k in keep], xs[keep], ys[keep]
    reachable = []
    for cam, x, y in zip(map(site, cams), xs, ys):
        hit = review.window_for(points, cam, fastest, now)
        if hit is not None:
            reachable.append((cam, hit[0], x, y))
    if not reachable:
        return []
    views = cones([c for c, *_ in reachable], [x for *_, x, _ in reachable], [y for *_, y in reachable])
    probs = probabilities_seen([views[c.id] for c, *_ in reachable], pieces) * \
        scale(np.array([x for *_, x, _ in reachable]), np.array([y for *_, y in reachable]))
    found = {cam.id: (cam, w) for cam, w, *_ in reachable}
    last = points[-1]
    candidates = [review.Candidate(cam.id, distance_m(last.lon, last.lat, cam.lon, cam.lat), float(p))
                  for (cam, *_), p in zip(reachable, probs)]
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
    the whole window goes last. This is how the route is found. Only the cameras inside some leg's ellipse
    (distance to both ends within the leg's time at the fastest pace) or at a known point go to ``core.review.route``
    (found all at once; a district's registry is not walked camera by camera)."""
    points = stored_chain(search)
    if len(points) < 2 or not cams:
        return []
    fastest = speeds(search)[1]
    dist = distances_m(points, [c.lon for c in cams], [c.lat for c in cams])
    keep = (dist < AT_POINT_M * 2).any(axis=0)
    for i, (a, b) in enumerate(zip(points, points[1:])):
        keep |= dist[i] + dist[i + 1] <= fastest * (b.t - a.t).total_seconds() + 1.0
    sites = [site(c) for c, k in zip(cams, keep) if k]
    at = [None] + [review.camera_at(p, sites) for p in points[1:]]
    labels = [{"time": iso(p.t), "code": c.code if c else None} for p, c in zip(points, at)]
    hits = review.route(points, sites, fastest, {k: reviewed_times(v) for k, v in reviewed.items()})
    return [_proposal_view(h.camera, h.window, rank, tasks, reviewed, now, kind="route",
                           detour_m=round(h.detour_m, 1), distance_m=round(h.distance_m, 1),
                           leg={"from": labels[h.leg], "to": labels[h.leg + 1]})
            for rank, h in enumerate(hits, start=1)]
