"""Which footage to review: cameras ahead of the subject ranked by the probability mass they see of the map, and
cameras on the route between two known points (``core.review``)."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import shapely
import shapely.geometry
from sqlalchemy import select

from ...adapters.models import Camera, ReviewedInterval, Search, Segment
from ...core import probability, review, rings
from ...core.cameras import AT_POINT_M, CameraSite, cone_areas, cones, probabilities_seen
from ...core.geometry import LocalProjection, distance_m
from ...core.video import recorder_time
from .. import basis
from ..events import iso
from ..streets.network_reach import route_between
from .region import cameras_by_id, site, speeds, stored_chain
from .spatial import Sites, with_views
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
#: The quick estimate's first cut (before the cones' areas are read): the best this many by the ground alone.
FIRST_CUT = 5 * SHORTLIST
#: The quick estimate is read off a grid of at most this many cells a side over the cameras (at least
#: ``GRID_MIN_M`` apart) when there are more cameras than grid points: its cost does not grow with the registry.
GRID_CELLS = 64
GRID_MIN_M = 25.0


def _density(pieces, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The probability per m² of the ring pieces at each point (0 outside every piece): each piece prepared once and
    tested against every point at once."""
    out = np.zeros(len(xs))
    if not len(xs):
        return out
    for geom, mass in pieces:
        if mass > 0 and geom.area > 0:
            shapely.prepare(geom)
            out[shapely.contains_xy(geom, xs, ys)] += mass / geom.area
    return out


def _ground(pieces, scale, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The probability per m² left at each camera: the ring model's density x what searching has left, read at the
    camera or, for many cameras, at the centre of its cell of a grid (``GRID_CELLS``): the cost does not grow with
    the registry."""
    x0, y0 = xs.min(), ys.min()
    step = max(GRID_MIN_M, max(xs.max() - x0, ys.max() - y0) / GRID_CELLS)
    nx, ny = int((xs.max() - x0) // step) + 1, int((ys.max() - y0) // step) + 1
    if len(xs) <= nx * ny:
        return _density(pieces, xs, ys) * scale(xs, ys)
    gx, gy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * step, y0 + (np.arange(ny) + 0.5) * step)
    value = _density(pieces, gx.ravel(), gy.ravel()) * scale(gx.ravel(), gy.ravel())
    return value[((ys - y0) // step).astype(int) * nx + ((xs - x0) // step).astype(int)]


def _reachable(points, dist: np.ndarray, fastest: float, now: datetime) -> np.ndarray:
    """Which cameras (``dist``: metres from each known point) the subject can have reached from some known point by
    the next one's time (or now): the vectorised test of ``core.review.window_for``, which then gives the window of
    the few kept."""
    ok = np.zeros(dist.shape[1], dtype=bool)
    for i, p in enumerate(points):
        latest = points[i + 1].t if i + 1 < len(points) else now
        ok |= dist[i] / fastest < (latest - p.t).total_seconds()
    return ok


def proposals(s, search: Search, now: datetime, sites: Sites, dist: np.ndarray, tasks: dict,
              reviewed: dict[int, list[ReviewedInterval]],
              xy: tuple | None = None) -> tuple[list[dict], dict[int, Camera]]:
    """Cameras the subject can have reached from the chain of known points, most probable ground first, each with the
    window worth reviewing (``tasks``: camera id -> open task; ``reviewed``: camera id -> reviewed stretches); at most
    ``review.MAX_PROPOSALS``. ``sites``, ``dist``: the region's cameras and their distances from each known point
    (``region.region_sites``, read through the spatial index); ``xy``: their x/y (m) in the search's projection when
    already known (``region_sites`` gives them from the same geodesics), else projected here. Beyond ``SHORTLIST``
    reachable cameras, only the best
    ``SHORTLIST`` by the quick estimate are ranked exactly: the ground left at each camera (``_ground``) keeps the
    best ``FIRST_CUT``, whose views are then read to weigh it by the cone's area (docs/video.md). Returns the proposals and
    the registry rows it read (by id)."""
    _, fastest = speeds(search)
    proj = basis.projection(search)
    points = stored_chain(search)
    ok = _reachable(points, dist, fastest, now)
    sites = sites.take(ok)
    if not len(sites.ids):
        return [], {}
    pieces, scale = _probability_map(s, search, proj, now)
    if len(sites.ids) > SHORTLIST:
        xs, ys = ((xy[0][ok], xy[1][ok]) if xy is not None
                  else (np.asarray(v) for v in proj.to_xy(sites.lon, sites.lat)))
        ground, near = _ground(pieces, scale, xs, ys), np.hypot(xs, ys)
        first = np.sort(np.lexsort((near, -ground))[:FIRST_CUT])      # the views of these only are read
        sites, ground, near = with_views(s, sites.take(first)), ground[first], near[first]
        quick = ground * cone_areas(sites.direction, sites.fov, sites.rng)
        sites = sites.take(np.sort(np.lexsort((near, -quick))[:SHORTLIST]))
    rows = cameras_by_id(s, sites.ids)
    reachable = []
    for cam in (site(rows[int(i)]) for i in sites.ids if int(i) in rows):
        hit = review.window_for(points, cam, fastest, now)
        if hit is not None:
            reachable.append((cam, hit[0]))
    if not reachable:
        return [], rows
    xs, ys = proj.to_xy(np.array([c.lon for c, _ in reachable]), np.array([c.lat for c, _ in reachable]))
    views = cones([c for c, _ in reachable], xs, ys)
    probs = probabilities_seen([views[c.id] for c, _ in reachable], pieces) * scale(xs, ys)
    found = {cam.id: (cam, w) for cam, w in reachable}
    last = points[-1]
    candidates = [review.Candidate(cam.id, distance_m(last.lon, last.lat, cam.lon, cam.lat), float(p))
                  for (cam, _), p in zip(reachable, probs)]
    out = []
    for rank, c in enumerate(review.rank(candidates)[:review.MAX_PROPOSALS], start=1):
        cam, w = found[c.camera_id]
        out.append(_proposal_view(cam, w, rank, tasks, reviewed, now, kind="ahead",
                                  distance_m=round(c.distance_m, 1), probability=c.probability))
    return out, rows


def route_proposals(s, search: Search, now: datetime, sites: Sites, dist: np.ndarray, tasks: dict,
                    reviewed: dict[int, list[ReviewedInterval]]) -> tuple[list[dict], dict[int, Camera]]:
    """Cameras on the way between two known points of the subject (the first last known point and the confirmed
    sightings after it): those they can have passed in between at their fastest plausible pace, with the window in
    which they would have and the leg it belongs to. The straightest detours first; footage already reviewed over
    the whole window goes last. This is how the route is found. Only the region's cameras inside some leg's ellipse
    (distance to both ends within the leg's time at the fastest pace) or at a known point go to
    ``core.review.route`` (found all at once, not camera by camera). Returns them and the rows read (by id)."""
    points = stored_chain(search)
    if len(points) < 2 or not len(sites.ids):
        return [], {}
    fastest = speeds(search)[1]
    keep = (dist < AT_POINT_M * 2).any(axis=0)
    for i, (a, b) in enumerate(zip(points, points[1:])):
        keep |= dist[i] + dist[i + 1] <= fastest * (b.t - a.t).total_seconds() + 1.0
    rows = cameras_by_id(s, sites.ids[keep])
    sites_ = [site(rows[k]) for k in sorted(rows, key=lambda k: rows[k].code)]
    at = [None] + [review.camera_at(p, sites_) for p in points[1:]]
    labels = [{"time": iso(p.t), "code": c.code if c else None} for p, c in zip(points, at)]
    hits = review.route(points, sites_, fastest, {k: reviewed_times(v) for k, v in reviewed.items()})
    # where a street layer holds both ends of a leg, the way is the walk along its streets, not the straight line
    paths = [route_between(s, (a.lon, a.lat), (b.lon, b.lat)) for a, b in zip(points, points[1:])]
    if any(paths):
        hits = along_streets(hits, paths, LocalProjection(points[0].lat, points[0].lon))
    return [_proposal_view(h.camera, h.window, rank, tasks, reviewed, now, kind="route",
                           detour_m=round(h.detour_m, 1), distance_m=round(h.distance_m, 1),
                           leg={"from": labels[h.leg], "to": labels[h.leg + 1],
                                "path": paths[h.leg]["geometry"] if paths[h.leg] else None})
            for rank, h in enumerate(hits, start=1)], rows


def along_streets(hits: list, paths: list, proj: LocalProjection) -> list:
    """Rank route hits by the way along the streets: on a leg with a network path (``route_between``'s answer, or
    None to keep the straight line), a camera's detour is twice its distance (m) from the path (there and back from
    the street walked), not its detour from the straight line. The windows stay those of the straight-line
    distances (never shorter than along the streets: wider, so no footage that matters is left out)."""
    lines = [proj.project(shapely.geometry.shape(p["geometry"])) if p else None for p in paths]
    out = []
    for h in hits:
        line = lines[h.leg]
        if line is not None:
            d = line.distance(proj.project(shapely.geometry.Point(h.camera.lon, h.camera.lat)))
            h = dataclasses.replace(h, detour_m=2.0 * d)
        out.append(h)
    out.sort(key=lambda h: (h.reviewed, h.detour_m, h.distance_m, h.camera.id))
    return out
