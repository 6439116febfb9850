"""Video review: the camera registry, which footage to review, review tasks and reviewed intervals (with overlap
warnings), sightings and the trail, moving the last known point, and the blind spot handed to the patrols."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..adapters.models import (Assignment, Camera, Event, Membership, ReviewedInterval, ReviewTask, Search,
                               Segment, Sighting, Team, User)
from ..core import behaviour, known_points, model, segments as segmentation, video, where as where_core
from ..core.fields import parse_time, split_version
from ..core.errors import Conflict, Forbidden, NotFound, OverlapWarning, ValidationError
from ..core.geometry import LocalProjection, distance_m
from . import events, versions, where
from .access import load_search, require_dispatcher, user_team_ids
from .context import Actor, Services
from .field import attach_photo
from .events import iso, naive_utc

#: Blind-spot ground is handed over in pieces about the size of the search's other segments (so that the
#: suggestions weigh it fairly against them), or of this many m² when there are none.
BLIND_PIECE_M2 = 250_000.0
#: A camera counts as "did not see the subject" when its reviewed footage covers this share of the window in which
#: the subject, heading its way from the last sighting, would have passed it.
CLEAR_COVERAGE = 0.8
MAX_PROPOSALS = 50


def _parse_iso(value: str) -> datetime:
    return parse_time(value)


def _utc(dt: datetime | None) -> datetime | None:
    """A stored naive-UTC time as an aware one (for arithmetic with ``now``)."""
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))


# --- cameras -----------------------------------------------------------------------------------------------------

def _cone_lonlat(cam: Camera, proj: LocalProjection) -> dict:
    x, y = proj.to_xy([cam.lon], [cam.lat])
    return mapping(proj.unproject(video.cone(x[0], y[0], cam.direction_deg, cam.fov_deg, cam.range_m)))


def camera_view(cam: Camera, proj: LocalProjection | None = None, cone: dict | None = None) -> dict:
    """A camera as the API shows it (docs/video.md); ``clock_warning`` is text when its recorder clock is more than
    a day off (``core.video.clock_warning``), else None."""
    if cone is None:
        cone = _cone_lonlat(cam, proj or LocalProjection(cam.lat, cam.lon))
    return {"id": cam.id, "code": cam.code, "name": cam.name,
            "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
            "kind": cam.kind, "owner": cam.owner, "contact": cam.contact, "direction_deg": cam.direction_deg,
            "direction": video.compass_label(cam.direction_deg), "fov_deg": cam.fov_deg, "range_m": cam.range_m,
            "retention_days": cam.retention_days, "clock_offset_s": cam.clock_offset_s,
            "offset_measured_at": iso(cam.offset_measured_at), "covers_exit": cam.covers_exit, "notes": cam.notes,
            "active": cam.active, "cone": cone, "clock_warning": video.clock_warning(cam.clock_offset_s),
            "version": cam.version}


def _views(cams: list[Camera]) -> list[dict]:
    if not cams:
        return []
    proj = LocalProjection(sum(c.lat for c in cams) / len(cams), sum(c.lon for c in cams) / len(cams))
    return [camera_view(c, proj) for c in cams]


def apply_camera(cam: Camera, clean: dict) -> None:
    """Set a camera's columns from ``core.video.clean_camera``'s dict (only the keys it holds)."""
    for key, value in clean.items():
        if key == "location":
            cam.lon, cam.lat = value["coordinates"][:2]
        elif key == "offset_measured_at":
            cam.offset_measured_at = naive_utc(value) if value else None
        elif key == "clock_offset_s":
            cam.clock_offset_s = value or 0.0
        elif key in ("covers_exit", "active"):
            setattr(cam, key, bool(value))
        else:
            setattr(cam, key, value)


#: Who is not a dispatcher reads the registry an area at a time: a box at most this many degrees on each side
#: (some 50 km: a search's region is far smaller), at most ``OFFICER_PAGE_MAX`` cameras a page.
OFFICER_BOX_MAX_DEG = 0.5
OFFICER_PAGE_MAX = 500
#: A dispatcher's page: the whole registry of a big city is a few pages.
DISPATCHER_PAGE_MAX = 5000
#: Fields only dispatchers see: who owns a camera and how to reach them (people outside the police).
DISPATCHER_ONLY_FIELDS = ("owner", "contact")


def for_viewer(view: dict, actor: Actor) -> dict:
    """A camera's view as ``actor`` may see it: owner contacts to dispatchers only."""
    if actor.is_dispatcher:
        return view
    return {k: v for k, v in view.items() if k not in DISPATCHER_ONLY_FIELDS}


def _bbox(bbox: str) -> tuple[float, float, float, float]:
    try:
        w, s_, e, n = (float(v) for v in bbox.split(","))
    except ValueError:
        raise ValidationError({"bbox": "must be minlon,minlat,maxlon,maxlat"}) from None
    if not (-180 <= w <= e <= 180 and -90 <= s_ <= n <= 90):
        raise ValidationError({"bbox": "must be minlon,minlat,maxlon,maxlat within the world"})
    return w, s_, e, n


def camera_page(svc: Services, actor: Actor, bbox: str | None = None, include_inactive: bool = False,
                search_id: int | None = None, limit: int | None = None, offset: int = 0) -> dict:
    """A page of the registry, ordered by code: the cameras within ``bbox`` (``"minlon,minlat,maxlon,maxlat"``,
    degrees) and/or within search ``search_id``'s region (as its video panel shows them).

    Dispatchers (and admins) may read it all, inactive cameras too (``include_inactive``), up to
    ``DISPATCHER_PAGE_MAX`` a page (default). Anyone else must give a ``search_id`` of a search they are on or a
    ``bbox`` of at most ``OFFICER_BOX_MAX_DEG`` on each side, gets at most ``OFFICER_PAGE_MAX`` a page and no owner
    contacts (``DISPATCHER_ONLY_FIELDS``). Returns ``{"cameras": [camera views], "total", "offset", "limit",
    "next_offset" (None on the last page)}``. Raises ``ValidationError`` (bbox, limit, offset, search_id),
    ``NotFound`` / ``Forbidden`` for a search the actor may not see.
    """
    cap = DISPATCHER_PAGE_MAX if actor.is_dispatcher else OFFICER_PAGE_MAX
    limit = cap if limit is None else limit
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= cap:
        raise ValidationError({"limit": f"must be between 1 and {cap}"})
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError({"offset": "must be 0 or more"})
    box = _bbox(bbox) if bbox else None
    if not actor.is_dispatcher:
        include_inactive = False
        if box is None and search_id is None:
            raise ValidationError({"bbox": "give the area (bbox=minlon,minlat,maxlon,maxlat) or the search_id whose "
                                           "cameras you need"})
        if box is not None and (box[2] - box[0] > OFFICER_BOX_MAX_DEG or box[3] - box[1] > OFFICER_BOX_MAX_DEG):
            raise ValidationError({"bbox": f"may span at most {OFFICER_BOX_MAX_DEG} degrees each way; "
                                           f"ask for a smaller area"})
    with svc.reading() as s:
        if search_id is not None:
            search = load_search(s, search_id, actor)
            cams = _cameras_near(s, search, svc.now())
            if box is not None:
                cams = [c for c in cams if box[0] <= c.lon <= box[2] and box[1] <= c.lat <= box[3]]
            total, cams = len(cams), cams[offset:offset + limit]
        else:
            q = select(Camera)
            if box is not None:
                q = q.where(Camera.lon >= box[0], Camera.lon <= box[2], Camera.lat >= box[1], Camera.lat <= box[3])
            if not include_inactive:
                q = q.where(Camera.active.is_(True))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            cams = list(s.execute(q.order_by(Camera.code, Camera.id).limit(limit).offset(offset)).scalars())
        views = [for_viewer(v, actor) for v in _views(cams)]
    return {"cameras": views, "total": total, "offset": offset, "limit": limit,
            "next_offset": offset + len(views) if offset + len(views) < total else None}


def list_cameras(svc: Services, actor: Actor, bbox: str | None = None, include_inactive: bool = False,
                 search_id: int | None = None) -> list[dict]:
    """The first page of ``camera_page`` (same rules and errors), as a list."""
    return camera_page(svc, actor, bbox, include_inactive, search_id)["cameras"]


def create_camera(svc: Services, actor: Actor, data: dict, search_id: int | None = None) -> dict:
    """Add a camera to the registry (a dispatcher); added during a search, it is announced on that search."""
    require_dispatcher(actor)
    now = svc.now()
    clean = video.clean_camera(data, now)
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True) if search_id is not None else None
        if s.execute(select(Camera.id).where(Camera.code == clean["code"])).first():
            raise ValidationError({"code": f"{clean['code']} is already in the registry"})
        cam = Camera(created_by=actor.user_id, created_at=naive_utc(now), updated_at=naive_utc(now),
                     clock_offset_s=0.0, covers_exit=False, active=True)
        apply_camera(cam, clean)
        if search is not None:
            _check_in_region(search, cam, now, "location")
        s.add(cam)
        s.flush()
        view = camera_view(cam)
        if search is not None:
            events.record(s, search.id, "camera.added", actor, {"camera": view}, now)
    return view


def update_camera(svc: Services, actor: Actor, camera_id: int, data: dict) -> dict:
    """A dispatcher edits a camera (``core.video.clean_camera`` fields) and ``"version"``, the camera's version the
    edit started from (``services/versions.py``; optional). Values equal to the stored ones change nothing and keep
    the version. Returns the camera's view. Raises ``ValidationError`` (400), ``NotFound`` (404), ``Conflict`` (409:
    a stale version, with ``extra["current"]``)."""
    require_dispatcher(actor)
    now = svc.now()
    expected, data = split_version(data)
    clean = video.clean_camera(data, now, partial=True)
    if not clean:
        raise ValidationError({"_body": "nothing to change"})
    with svc.transaction() as s:
        cam = s.get(Camera, camera_id)
        if cam is None:
            raise NotFound(f"camera {camera_id} not found")
        before = camera_view(cam)
        versions.check(cam.version, expected, lambda: before, f"camera {cam.code}")
        for key in ("code", "name", "location", "kind"):
            if key in clean and clean[key] is None:
                raise ValidationError({key: "is required"})
        if "code" in clean and clean["code"] != cam.code and \
                s.execute(select(Camera.id).where(Camera.code == clean["code"])).first():
            raise ValidationError({"code": f"{clean['code']} is already in the registry"})
        previous_offset = cam.clock_offset_s
        apply_camera(cam, clean)
        if cam.clock_offset_s != previous_offset and "offset_measured_at" not in clean:
            cam.offset_measured_at = naive_utc(now)  # a new offset is a new measurement, unless told when
        if camera_view(cam) == before:   # nothing differs from what is stored
            return before
        versions.bump(s, cam, expected, lambda: camera_view(cam), f"camera {cam.code}", actor.name)
        cam.updated_at = naive_utc(now)
        s.flush()
        moved = _recorrect(s, cam, previous_offset, actor, now) if cam.clock_offset_s != previous_offset else []
        view = camera_view(cam)
    for search_id in moved:
        where.schedule_recompute(svc, search_id, f"camera {view['code']}'s clock offset re-measured")
    return view


def _recorrect(s, cam: Camera, previous_offset: float, actor: Actor, now: datetime) -> list[int]:
    """Every time read off this recorder, in the searches still under way, corrected again by its new clock offset:
    reviewed stretches and sightings (a confirmed one carries the last known point it set along). Each search is
    told what changed. Returns the searches whose last known point moved."""
    offset = timedelta(seconds=cam.clock_offset_s)
    active = select(Search.id).where(Search.status.in_(("open", "suspended")))
    changed: dict[int, dict] = {}
    for iv in s.execute(select(ReviewedInterval).where(
            ReviewedInterval.camera_id == cam.id, ReviewedInterval.recorder_start.is_not(None),
            ReviewedInterval.search_id.in_(active))).scalars():
        iv.start, iv.end = iv.recorder_start - offset, iv.recorder_end - offset
        changed.setdefault(iv.search_id, {"intervals": [], "sightings": []})["intervals"].append(iv.id)
    moved = []
    for x in s.execute(select(Sighting).where(Sighting.camera_id == cam.id, Sighting.clock == "recorder",
                                              Sighting.search_id.in_(active))).scalars():
        x.time = x.recorder_time - offset
        changed.setdefault(x.search_id, {"intervals": [], "sightings": []})["sightings"].append(x.id)
    s.flush()
    for search_id, what in sorted(changed.items()):
        search = s.get(Search, search_id)
        if _settle_lkp(s, search, actor, now):  # a confirmed sighting's time moved: the chain is rebuilt
            moved.append(search_id)
        events.record(s, search_id, "video.clock_corrected", actor,
                      {"camera_id": cam.id, "code": cam.code, "clock_offset_s": cam.clock_offset_s,
                       "previous_offset_s": previous_offset, **what, "trail": _trail(s, search)}, now)
    return moved


# --- a search's reach, region and anchors --------------------------------------------------------------------------

def _speeds(search: Search) -> tuple[float, float]:
    """(sustained, fastest plausible) walking speed of the subject (m/s); the search's own setting wins for the first."""
    sustained, fastest = behaviour.walking_speed((search.subject or {}).get("category", "other"))
    own = (search.settings or {}).get("walking_speed_ms")
    if own:
        sustained, fastest = own, max(fastest, own)
    return sustained, fastest


def _missing_since(search: Search) -> datetime:
    return known_points.missing_since(search.lkp_time, search.lkp_history)


def _anchors(search: Search) -> list[tuple[float, float, datetime]]:
    """Where the subject was known to be, in time order: the first last-known point, then each one that replaced it
    (confirmed sightings). The current last known point is the last."""
    out = [(h["lkp"]["coordinates"][0], h["lkp"]["coordinates"][1], _parse_iso(h["lkp_time"]))
           for h in (search.lkp_history or [])]
    out.append((search.lkp["coordinates"][0], search.lkp["coordinates"][1], _utc(search.lkp_time)))
    return out


def _region_radius(search: Search, now: datetime) -> float:
    """How far from any known point of the subject a camera can matter: the 95 % ring's outer edge, or the reach at
    the fastest plausible pace since they went missing, whichever is larger."""
    _, fastest = _speeds(search)
    elapsed = max(0.0, (now - _missing_since(search)).total_seconds())
    return max(where.rings_of(search)[3] * where_core.OUTER_FACTOR, elapsed * fastest, where_core.MIN_REACH_M)


def _check_in_region(search: Search, cam: Camera, now: datetime, field: str = "camera_id") -> None:
    radius = _region_radius(search, now)
    nearest = min(distance_m(lon, lat, cam.lon, cam.lat) for lon, lat, _ in _anchors(search))
    if nearest > radius:
        raise ValidationError({field: f"camera {cam.code} is {nearest / 1000:.1f} km from the subject's known "
                                      f"points, outside this search's region ({radius / 1000:.1f} km)"})


def _camera(s, camera_id: int, field: str = "camera_id") -> Camera:
    cam = s.get(Camera, camera_id)
    if cam is None:
        raise ValidationError({field: f"camera {camera_id} is not in the registry"})
    return cam


# --- proposals ---------------------------------------------------------------------------------------------------

def _probability_map(s, search: Search, proj: LocalProjection, now: datetime):
    """The probability map in metres: the ring model around the last known point (tilted along the direction of
    travel), scaled in each segment by what searching it has left (current POA / prior POA). Returns the ring pieces
    and a function giving that scale at many points at once."""
    pieces = where_core.annuli(where.rings_of(search), where.reach_now(search, now), *where.heading_of(search))
    segs = s.execute(select(Segment.id, Segment.poa0, Segment.coverage)
                     .where(Segment.search_id == search.id)).all()
    if not segs:
        return pieces, lambda xs, ys: np.ones(len(xs))
    post, row = where_core.posterior({g.id: g.poa0 for g in segs}, search.row0, {g.id: g.coverage for g in segs})
    _, index, _ = where.segment_index(s, search)
    factor = {g.id: post.get(g.id, 0.0) / g.poa0 if g.poa0 > 0 else 1.0 for g in segs}
    rest = row / search.row0 if search.row0 > 0 else 1.0

    def scale(xs, ys) -> np.ndarray:
        out = np.full(len(xs), rest)
        pts = shapely.points(np.asarray(xs), np.asarray(ys))
        inside, which = index.tree.query(pts, predicate="covered_by")
        out[inside] = [factor.get(int(index.ids[k]), rest) for k in which]
        return out

    return pieces, scale


def _window_for(anchors, cam: Camera, fastest: float, now: datetime) -> tuple[video.Window, float] | None:
    """The window worth reviewing at a camera, from the latest known point the subject can have reached it from:
    from the earliest arrival at their fastest pace to the next known point's time (or now)."""
    for i in range(len(anchors) - 1, -1, -1):
        lon, lat, t = anchors[i]
        latest = anchors[i + 1][2] if i + 1 < len(anchors) else now
        d = distance_m(lon, lat, cam.lon, cam.lat)
        w = video.review_window(d, t, fastest, latest)
        if w is not None:
            return w, d
    return None


def _intervals_by_camera(s, search_id: int, camera_id: int | None = None) -> dict[int, list[ReviewedInterval]]:
    """The search's reviewed stretches by camera (of one camera only, when given), in time order."""
    q = select(ReviewedInterval).where(ReviewedInterval.search_id == search_id)
    if camera_id is not None:
        q = q.where(ReviewedInterval.camera_id == camera_id)
    out: dict[int, list] = {}
    for iv in s.execute(q.order_by(ReviewedInterval.start)).scalars():
        out.setdefault(iv.camera_id, []).append(iv)
    return out


def _cones(cams: list[Camera], proj: LocalProjection) -> dict[int, object]:
    """Each camera's view cone in metres in the search's projection."""
    if not cams:
        return {}
    xs, ys = proj.to_xy([c.lon for c in cams], [c.lat for c in cams])
    return {c.id: video.cone(x, y, c.direction_deg, c.fov_deg, c.range_m) for c, x, y in zip(cams, xs, ys)}


def _proposals(s, search: Search, now: datetime, cams: list[Camera], cones: dict[int, object], tasks: dict,
               reviewed: dict) -> list[dict]:
    _, fastest = _speeds(search)
    proj = where.projection(search)
    anchors = _anchors(search)
    reachable = []
    for cam in cams:
        hit = _window_for(anchors, cam, fastest, now)
        if hit is not None:
            reachable.append((cam, hit[0]))
    if not reachable:
        return []
    pieces, scale = _probability_map(s, search, proj, now)
    xs, ys = proj.to_xy([c.lon for c, _ in reachable], [c.lat for c, _ in reachable])
    probs = video.probabilities_seen([cones[c.id] for c, _ in reachable], pieces) * scale(xs, ys)
    found = {cam.id: (cam, w) for cam, w in reachable}
    candidates = [video.Candidate(cam.id, distance_m(*anchors[-1][:2], cam.lon, cam.lat), float(p))
                  for (cam, _), p in zip(reachable, probs)]
    out = []
    for rank, c in enumerate(video.rank(candidates)[:MAX_PROPOSALS], start=1):
        cam, w = found[c.camera_id]
        out.append(_proposal_view(cam, w, rank, tasks, reviewed, now, kind="ahead",
                                  distance_m=round(c.distance_m, 1), probability=c.probability))
    return out


def _open_tasks(s, search_id: int) -> dict[int, int]:
    """Camera id -> its (latest) review task that is not cancelled."""
    return {t.camera_id: t.id for t in s.execute(select(ReviewTask).where(
        ReviewTask.search_id == search_id, ReviewTask.status != "cancelled").order_by(ReviewTask.id)).scalars()}


def _proposal_view(cam: Camera, w: video.Window, rank: int, tasks: dict, reviewed: dict, now: datetime,
                   **extra) -> dict:
    """A camera worth reviewing over a window (true and recorder time), its retention, task and review so far."""
    expires, status = video.retention(w.start, cam.retention_days, now)
    done = [(_utc(iv.start), _utc(iv.end)) for iv in reviewed.get(cam.id, [])]
    return {"camera_id": cam.id, "code": cam.code, "name": cam.name, "rank": rank, **extra,
            "start": iso(w.start), "end": iso(w.end),
            "recorder_start": iso(video.recorder_time(w.start, cam.clock_offset_s)),
            "recorder_end": iso(video.recorder_time(w.end, cam.clock_offset_s)),
            "retention": {"expires_at": iso(expires), "status": status},
            "task_id": tasks.get(cam.id), "window_s": w.seconds,
            "reviewed_s": video.covered_seconds((w.start, w.end), done)}


def _route_proposals(search: Search, now: datetime, cams: list[Camera], tasks: dict, reviewed: dict) -> list[dict]:
    """Cameras on the way between two known points of the subject (the first last known point and the confirmed
    sightings after it): those they can have passed in between at their fastest plausible pace, with the window in
    which they would have and the leg it belongs to. The straightest detours first; footage already reviewed over
    the whole window goes last. This is how the route is found."""
    _, fastest = _speeds(search)
    anchors = _anchors(search)
    if len(anchors) < 2:
        return []
    labels = _anchor_labels(search, cams)
    at_anchor = {c.id for c in cams for lon, lat, _ in anchors if distance_m(lon, lat, c.lon, c.lat) < 1.0}
    found = []
    for i, ((alon, alat, ta), (blon, blat, tb)) in enumerate(zip(anchors, anchors[1:])):
        direct = distance_m(alon, alat, blon, blat)
        for cam in cams:
            if cam.id in at_anchor:
                continue  # a camera that saw them: its footage is the sighting itself
            da, db = distance_m(alon, alat, cam.lon, cam.lat), distance_m(cam.lon, cam.lat, blon, blat)
            start = ta + timedelta(seconds=da / fastest)
            end = tb - timedelta(seconds=db / fastest)
            if end <= start:
                continue  # they cannot have passed it and still been at the next point in time
            w = video.Window(start, end)
            done = video.covered_seconds((start, end), [(_utc(iv.start), _utc(iv.end)) for iv in reviewed.get(cam.id, [])])
            found.append((done >= w.seconds - 1, da + db - direct, da, cam.id, cam, w, i))
    found.sort(key=lambda f: f[:4])
    return [_proposal_view(cam, w, rank, tasks, reviewed, now, kind="route", detour_m=round(detour, 1),
                           distance_m=round(da, 1), leg={"from": labels[i], "to": labels[i + 1]})
            for rank, (_, detour, da, _, cam, w, i) in enumerate(found[:MAX_PROPOSALS], start=1)]


def _anchor_labels(search: Search, cams: list[Camera]) -> list[dict]:
    """Each known point of the chain as {time, code}: the code of the camera there (None for the first point)."""
    out = []
    for k, (lon, lat, t) in enumerate(_anchors(search)):
        code = None
        if k:
            near = [c for c in cams if distance_m(lon, lat, c.lon, c.lat) < 1.0]
            code = near[0].code if near else None
        out.append({"time": iso(t), "code": code})
    return out


def _cameras_near(s, search: Search, now: datetime) -> list[Camera]:
    """Active cameras within the search's region (a bounding box first, then the exact distance)."""
    radius = _region_radius(search, now)
    anchors = _anchors(search)
    lats = [a[1] for a in anchors]
    lons = [a[0] for a in anchors]
    dlat = radius / 111_000.0
    dlon = radius / (111_000.0 * max(0.05, math.cos(math.radians(max(map(abs, lats))))))
    rows = s.execute(select(Camera).where(
        Camera.active.is_(True), Camera.lat >= min(lats) - dlat, Camera.lat <= max(lats) + dlat,
        Camera.lon >= min(lons) - dlon, Camera.lon <= max(lons) + dlon).order_by(Camera.code)).scalars().all()
    return [c for c in rows if min(distance_m(lon, lat, c.lon, c.lat) for lon, lat, _ in anchors) <= radius]


# --- tasks and intervals -----------------------------------------------------------------------------------------

def _retention_iso(start: datetime, retention_days: float | None, now: datetime) -> tuple[str | None, str]:
    expires, status = video.retention(start, retention_days, now)
    return iso(expires), status


def _task_view(t: ReviewTask, cam: Camera, intervals: list[ReviewedInterval], now: datetime) -> dict:
    window = (_utc(t.start), _utc(t.end))
    done = [(max(_utc(iv.start), window[0]), min(_utc(iv.end), window[1])) for iv in intervals
            if video.overlap(window, (_utc(iv.start), _utc(iv.end)))]
    merged = video.merge(done)
    return {"id": t.id, "camera_id": t.camera_id, "code": cam.code, "camera_name": cam.name,
            "start": iso(t.start), "end": iso(t.end),
            "recorder_start": iso(video.recorder_time(window[0], cam.clock_offset_s)),
            "recorder_end": iso(video.recorder_time(window[1], cam.clock_offset_s)),
            "retention": dict(zip(("expires_at", "status"), _retention_iso(window[0], cam.retention_days, now))),
            "team_id": t.team_id, "reviewer_id": t.reviewer_id, "footage": t.footage, "status": t.status,
            "notes": t.notes, "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
            "reviewed": [[iso(a), iso(b)] for a, b in merged],
            "reviewed_s": video.covered_seconds(window, merged),
            "window_s": (window[1] - window[0]).total_seconds()}


def _interval_view(iv: ReviewedInterval, cam: Camera) -> dict:
    return {"id": iv.id, "camera_id": iv.camera_id, "code": cam.code, "task_id": iv.task_id,
            "reviewer_id": iv.reviewer_id, "start": iso(iv.start), "end": iso(iv.end),
            "recorder_start": iso(video.recorder_time(_utc(iv.start), cam.clock_offset_s)),
            "recorder_end": iso(video.recorder_time(_utc(iv.end), cam.clock_offset_s)),
            "notes": iv.notes, "searched_area_id": iv.searched_area_id, "created_at": iso(iv.created_at)}


def _check_assignee(s, search_id: int, clean: dict) -> None:
    if clean.get("team_id") is not None:
        team = s.get(Team, clean["team_id"])
        if team is None or team.search_id != search_id or team.disbanded:
            raise ValidationError({"team_id": "is not a team of this search"})
    if clean.get("reviewer_id") is not None:
        member = s.execute(select(Membership.id).where(Membership.search_id == search_id,
                                                       Membership.user_id == clean["reviewer_id"])).first()
        if member is None:
            raise ValidationError({"reviewer_id": "is not on this search"})


def create_task(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A dispatcher turns a proposal into a task: one camera, one window (true time), a team or a reviewer."""
    require_dispatcher(actor)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        clean = video.clean_task(data, now, _missing_since(search) - video.REVIEW_LEAD)
        cam = _camera(s, clean["camera_id"])
        _check_in_region(search, cam, now)
        _check_assignee(s, search_id, clean)
        t = ReviewTask(search_id=search_id, camera_id=cam.id, start=naive_utc(clean["start"]),
                       end=naive_utc(clean["end"]), team_id=clean.get("team_id"),
                       reviewer_id=clean.get("reviewer_id"), notes=clean.get("notes"),
                       footage=clean.get("footage") or "not_requested", status=clean.get("status") or "open",
                       created_by=actor.user_id, created_at=naive_utc(now), updated_at=naive_utc(now))
        s.add(t)
        s.flush()
        view = _task_view(t, cam, _intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
        events.record(s, search_id, "video.task_created", actor, {"task": view}, now)
    return view


def _may_work_on(s, search_id: int, task: ReviewTask, actor: Actor) -> bool:
    return actor.is_dispatcher or task.reviewer_id == actor.user_id or \
        (task.team_id is not None and task.team_id in user_team_ids(s, search_id, actor.user_id))


def update_task(svc: Services, actor: Actor, search_id: int, task_id: int, data: dict) -> dict:
    """Dispatchers change anything; the task's reviewer (or its team) records footage requests and progress."""
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        model.check_search_writable(search.status)
        t = s.get(ReviewTask, task_id)
        if t is None or t.search_id != search_id:
            raise NotFound(f"review task {task_id} not found on search {search_id}")
        if not isinstance(data, dict) or not data:
            raise ValidationError({"_body": "nothing to change"})
        clean = video.clean_task(data, now, _missing_since(search) - video.REVIEW_LEAD, partial=True)
        if not actor.is_dispatcher:
            if not _may_work_on(s, search_id, t, actor):
                raise Forbidden(f"review task {task_id} is neither yours nor your team's")
            extra = set(clean) - {"footage", "status", "notes"}
            if extra:
                raise ValidationError({k: "only a dispatcher may change this" for k in sorted(extra)})
        _check_assignee(s, search_id, clean)
        for key in ("start", "end"):
            if key in clean:
                setattr(t, key, naive_utc(clean[key]))
        if t.end <= t.start:
            raise ValidationError({"end": "must be after the start"})
        for key in ("team_id", "reviewer_id", "notes", "footage", "status"):
            if key in clean:
                if key in ("footage", "status") and clean[key] is None:
                    raise ValidationError({key: "is required"})
                setattr(t, key, clean[key])
        t.updated_at = naive_utc(now)
        s.flush()
        cam = s.get(Camera, t.camera_id)
        view = _task_view(t, cam, _intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
        events.record(s, search_id, "video.task_updated", actor, {"task": view, "changes": sorted(clean)}, now)
    return view


def _overlaps(s, search_id: int, cam: Camera, start: datetime, end: datetime, actor: Actor) -> list[dict]:
    """Footage of this camera in [start, end] that someone else has reviewed, or holds in an open task: one named
    for another reviewer (of any team), or one given to another team as a whole. Times in both clocks."""
    camera_id = cam.id
    mine = user_team_ids(s, search_id, actor.user_id)
    names = dict(s.execute(select(User.id, User.display_name)).all())

    def clocks(a: datetime, b: datetime) -> dict:
        return {"start": iso(a), "end": iso(b),
                "recorder_start": iso(video.recorder_time(_utc(a), cam.clock_offset_s)),
                "recorder_end": iso(video.recorder_time(_utc(b), cam.clock_offset_s))}

    out = []
    for iv in s.execute(select(ReviewedInterval).where(
            ReviewedInterval.search_id == search_id, ReviewedInterval.camera_id == camera_id,
            ReviewedInterval.reviewer_id != actor.user_id,
            ReviewedInterval.start < naive_utc(end), ReviewedInterval.end > naive_utc(start))
            .order_by(ReviewedInterval.start)).scalars():
        out.append({"kind": "reviewed", "id": iv.id, "reviewer_id": iv.reviewer_id,
                    "name": names.get(iv.reviewer_id), **clocks(iv.start, iv.end)})
    for t in s.execute(select(ReviewTask).where(
            ReviewTask.search_id == search_id, ReviewTask.camera_id == camera_id,
            ReviewTask.status.in_(("open", "in_progress")),
            ReviewTask.start < naive_utc(end), ReviewTask.end > naive_utc(start)).order_by(ReviewTask.id)).scalars():
        if t.reviewer_id == actor.user_id:
            continue  # mine
        if t.reviewer_id is None and (t.team_id is None or t.team_id in mine):
            continue  # nobody holds it yet, or my team does as a whole
        out.append({"kind": "task", "id": t.id, "reviewer_id": t.reviewer_id, "team_id": t.team_id,
                    "name": names.get(t.reviewer_id) if t.reviewer_id else None, **clocks(t.start, t.end)})
    return out


def check_overlaps(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Before reviewing: who has already reviewed, or holds, this camera's footage in this stretch."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        cam = _camera(s, data.get("camera_id") if isinstance(data, dict) and
                      isinstance(data.get("camera_id"), int) else 0)
        clean = video.clean_interval({k: v for k, v in data.items() if k in ("camera_id", "start", "end", "clock")},
                                     now, _missing_since(search), cam.clock_offset_s)
        return {"overlaps": _overlaps(s, search_id, cam, clean["start"], clean["end"], actor),
                "start": iso(clean["start"]), "end": iso(clean["end"])}


def _begin_report(s, search_id: int, actor: Actor, data, now: datetime, clean_fn, event_type: str):
    """The common start of a reviewer's report: the search, the camera (its clock corrects the times read off the
    footage), the cleaned input, and the event claimed under the report's client id (a retry stops here)."""
    search = load_search(s, search_id, actor)
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object"})
    cam = _camera(s, data["camera_id"]) if isinstance(data.get("camera_id"), int) else None
    clean = clean_fn(data, now, _missing_since(search), cam.clock_offset_s if cam else 0.0)
    ev = events.begin(s, search_id, event_type, actor, now, client_id=clean.get("client_id"))
    model.check_search_writable(search.status)
    _check_in_region(search, cam, now)
    return search, cam, clean, ev


def record_interval(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A reviewer records a stretch of footage watched without seeing the subject. Overlapping someone else's
    review is refused with the overlaps (409) unless confirmed. At a camera watching the only way out of an area,
    it also counts as a search of the camera's view with a stated POD. Applied once per client id."""
    now = svc.now()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    try:
        with svc.transaction() as s:
            search, cam, clean, ev = _begin_report(s, search_id, actor, data, now, video.clean_interval,
                                                   "video.reviewed")
            task = None
            if clean.get("task_id") is not None:
                task = s.get(ReviewTask, clean["task_id"])
                if task is None or task.search_id != search_id or task.camera_id != cam.id:
                    raise ValidationError({"task_id": "is not a review task of this camera on this search"})
            overlaps = _overlaps(s, search_id, cam, clean["start"], clean["end"], actor)
            if overlaps and not clean.get("confirm_overlap"):
                raise OverlapWarning(f"camera {cam.code}: this stretch overlaps footage someone else has reviewed "
                                     f"or holds; send again with confirm_overlap to record it anyway", overlaps)
            area = None
            if cam.covers_exit:
                proj = where.projection(search)
                x, y = proj.to_xy([cam.lon], [cam.lat])
                cone = mapping(proj.unproject(video.cone(x[0], y[0], cam.direction_deg, cam.fov_deg, cam.range_m)))
                area, _ = where.add_searched_area(
                    s, search, task.team_id if task else None, cone, clean.get("pod") or video.DEFAULT_EXIT_POD,
                    f"📹 {cam.code} · {cam.name}",
                    actor, now)
            read = clean["clock"] == "recorder"
            iv = ReviewedInterval(search_id=search_id, camera_id=cam.id, task_id=task.id if task else None,
                                  reviewer_id=actor.user_id, start=naive_utc(clean["start"]),
                                  end=naive_utc(clean["end"]), notes=clean.get("notes"),
                                  searched_area_id=area["id"] if area else None, created_at=naive_utc(now),
                                  recorder_start=naive_utc(video.recorder_time(clean["start"], cam.clock_offset_s))
                                  if read else None,
                                  recorder_end=naive_utc(video.recorder_time(clean["end"], cam.clock_offset_s))
                                  if read else None)
            s.add(iv)
            if task is not None and task.status == "open":
                task.status, task.updated_at = "in_progress", naive_utc(now)
            s.flush()
            view = _interval_view(iv, cam)
            payload = {"interval": view, "overlaps": overlaps, "area": area}
            if task is not None:
                payload["task"] = _task_view(task, cam, _intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
            events.finish(s, ev, payload)
        return {"interval": view, "overlaps": overlaps, "area": area}
    except IntegrityError as exc:
        payload = events.replayed(svc, search_id, client_id, exc, actor=actor, type_="video.reviewed")["payload"]
        return {"interval": payload["interval"], "overlaps": payload["overlaps"], "area": payload.get("area"),
                "duplicate": True}


# --- sightings and the trail -------------------------------------------------------------------------------------

def _sighting_view(x: Sighting, cam: Camera) -> dict:
    return {"id": x.id, "camera_id": x.camera_id, "code": cam.code, "camera_name": cam.name,
            "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
            "time": iso(x.time), "recorder_time": iso(x.recorder_time), "direction_deg": x.direction_deg,
            "direction": video.compass_label(x.direction_deg), "confidence": x.confidence, "photo_id": x.photo_id,
            "notes": x.notes, "status": x.status, "reported_by": x.reported_by, "reported_at": iso(x.reported_at),
            "decided_by": x.decided_by, "decided_at": iso(x.decided_at), "decision_note": x.decision_note}


def log_sighting(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A reviewer logs the subject seen on a camera (pending until a dispatcher decides). Applied once per client id."""
    now = svc.now()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    try:
        with svc.transaction() as s:
            search, cam, clean, ev = _begin_report(s, search_id, actor, data, now, video.clean_sighting,
                                                   "video.sighting_logged")
            attach_photo(s, clean.get("photo_id"), search_id, actor=actor)
            x = Sighting(search_id=search_id, camera_id=cam.id, time=naive_utc(clean["time"]),
                         recorder_time=naive_utc(clean["recorder_time"]), direction_deg=clean.get("direction_deg"),
                         confidence=clean["confidence"], photo_id=clean.get("photo_id"), notes=clean.get("notes"),
                         status="pending", reported_by=actor.user_id, reported_at=naive_utc(now), clock=clean["clock"])
            s.add(x)
            s.flush()
            view = _sighting_view(x, cam)
            events.finish(s, ev, {"sighting": view})
        return view
    except IntegrityError as exc:
        return {**events.replayed(svc, search_id, client_id, exc, actor=actor,
                                 type_="video.sighting_logged")["payload"]["sighting"], "duplicate": True}


def _trail(s, search: Search) -> dict:
    rows = s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status == "confirmed").order_by(Sighting.time, Sighting.id)).all()
    points = [{"sighting_id": x.id, "camera_id": cam.id, "code": cam.code, "camera_name": cam.name,
               "time": iso(x.time), "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
               "direction_deg": x.direction_deg, "direction": video.compass_label(x.direction_deg),
               "confidence": x.confidence} for x, cam in rows]
    dists = [distance_m(a.lon, a.lat, b.lon, b.lat) for (_, a), (_, b) in zip(rows, rows[1:])]
    fastest = _speeds(search)[1]
    legs = video.legs([(x.id, _utc(x.time), None) for x, _ in rows], dists, fastest)
    # Where it all started: the first last known point, and the leg from it to the first sighting.
    first = _anchors(search)[0]
    origin = {"location": {"type": "Point", "coordinates": [first[0], first[1]]}, "time": iso(first[2]), "leg": None}
    if rows and _utc(rows[0][0].time) >= first[2]:
        x0, c0 = rows[0]
        d0 = distance_m(first[0], first[1], c0.lon, c0.lat)
        [leg0] = video.legs([(0, first[2], None), (x0.id, _utc(x0.time), None)], [d0], fastest)
        origin["leg"] = {"from": None, "to": x0.id, "distance_m": round(d0, 1), "seconds": leg0.seconds,
                         "speed_ms": None if leg0.speed_ms is None else round(leg0.speed_ms, 3), "flag": leg0.flag}
    return {"points": points, "origin": origin,
            "legs": [{"from": leg.from_id, "to": leg.to_id, "distance_m": round(leg.distance_m, 1),
                      "seconds": leg.seconds, "speed_ms": None if leg.speed_ms is None else round(leg.speed_ms, 3),
                      "flag": leg.flag} for leg in legs],
            "line": {"type": "LineString", "coordinates": [[c.lon, c.lat] for _, c in rows]} if len(rows) > 1
            else None}


def _with_implied(view: dict, x: Sighting, cam: Camera, search: Search, sightings: list[Sighting],
                  cams: dict[int, Camera]) -> dict:
    """A pending sighting with the leg it would add to the trail: from the latest confirmed sighting before it (or
    where the person was first last seen), so the dispatcher sees an impossible speed before confirming."""
    if x.status != "pending":
        return view
    before = [y for y in sightings if y.status == "confirmed" and y.time <= x.time]
    if before:
        prev = max(before, key=lambda y: (y.time, y.id))
        plon, plat, pt, pfrom = cams[prev.camera_id].lon, cams[prev.camera_id].lat, _utc(prev.time), prev.id
    else:
        plon, plat, pt = _anchors(search)[0]
        pfrom = None
        if _utc(x.time) < pt:
            return view
    fastest = _speeds(search)[1]

    def leg_view(a_lonlat, ta, b_lonlat, tb, other_id):
        d = distance_m(*a_lonlat, *b_lonlat)
        [leg] = video.legs([(0, ta, None), (1, tb, None)], [d], fastest)
        return {"other": other_id, "distance_m": round(d, 1), "seconds": leg.seconds,
                "speed_ms": None if leg.speed_ms is None else round(leg.speed_ms, 3), "flag": leg.flag}

    view["implied"] = {**leg_view((plon, plat), pt, (cam.lon, cam.lat), _utc(x.time), pfrom), "from": pfrom}
    # and the leg out, to the next confirmed sighting after it (confirming one in between can break that one)
    after = [y for y in sightings if y.status == "confirmed" and y.time > x.time]
    if after:
        nxt = min(after, key=lambda y: (y.time, y.id))
        view["implied_next"] = {**leg_view((cam.lon, cam.lat), _utc(x.time), (cams[nxt.camera_id].lon,
                                           cams[nxt.camera_id].lat), _utc(nxt.time), nxt.id), "to": nxt.id}
    return view


def trail_of(session, search: Search) -> dict:
    """The confirmed trail, for the search snapshot."""
    return _trail(session, search)


def get_trail(svc: Services, actor: Actor, search_id: int) -> dict:
    with svc.reading() as s:
        return _trail(s, load_search(s, search_id, actor))


def _alert_text(x: Sighting, cam: Camera, tz_offset_min: int) -> str:
    local = _utc(x.time) + timedelta(minutes=tz_offset_min)
    hhmm = local.strftime("%H:%M")
    heading = video.compass_label(x.direction_deg)
    zh_dir = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南", "W": "西", "NW": "西北"}
    en_dir = {"N": "north", "NE": "north-east", "E": "east", "SE": "south-east", "S": "south", "SW": "south-west",
              "W": "west", "NW": "north-west"}
    en = f"Seen {hhmm} at camera {cam.code} ({cam.name})" + (f", heading {en_dir[heading]}" if heading else "") + "."
    zh = f"{hhmm} 在摄像头 {cam.code}（{cam.name}）发现" + (f"，向{zh_dir[heading]}方向行走" if heading else "") + "。"
    return f"{en}\n{zh}"  # one line per language (a camera's name may hold a slash)


def decide_sighting(svc: Services, actor: Actor, search_id: int, sighting_id: int, data: dict) -> dict:
    """A dispatcher confirms or rejects a pending sighting, or retracts a confirmed one. A confirmed sighting later
    than the last known point becomes the new last known point (the model tilts along its direction of travel and
    is recomputed) and every unit gets an acknowledged alert."""
    require_dispatcher(actor)
    if not isinstance(data, dict) or data.get("decision") not in ("confirm", "reject", "retract"):
        raise ValidationError({"decision": "must be confirm, reject or retract"})
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise ValidationError({"note": "must be text of at most 2000 characters"})
    tz_offset = data.get("tz_offset_min", 0)
    if isinstance(tz_offset, bool) or not isinstance(tz_offset, int) or not -840 <= tz_offset <= 840:
        raise ValidationError({"tz_offset_min": "must be minutes east of UTC, -840 to 840"})
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        x = s.get(Sighting, sighting_id)
        if x is None or x.search_id != search_id:
            raise NotFound(f"sighting {sighting_id} not found on search {search_id}")
        cam = s.get(Camera, x.camera_id)
        if data["decision"] == "retract":
            if x.status != "confirmed":
                raise Conflict(f"sighting {sighting_id} is {x.status}: only a confirmed sighting can be retracted")
            result, moved = _retract(s, search, x, cam, actor, note, tz_offset, now)
        else:
            if x.status != "pending":
                raise Conflict(f"sighting {sighting_id} was already {x.status}")
            result, moved = _decide(s, search, x, cam, actor, data["decision"], note, tz_offset, now)
    if moved:
        where.schedule_recompute(svc, search_id, f"sighting {sighting_id} {data['decision']}ed: the last known "
                                                 f"point changed")
    return result


def _origin(search: Search) -> dict:
    """Where the person was last seen when the search was opened (the first of the chain of known points)."""
    if search.lkp_history:
        o = search.lkp_history[0]
        return {"lkp": o["lkp"], "lkp_time": o["lkp_time"], "address": o.get("address"),
                "heading_deg": o.get("heading_deg")}
    return {"lkp": search.lkp, "lkp_time": iso(search.lkp_time), "address": search.lkp_address,
            "heading_deg": search.heading_deg}


def _settle_lkp(s, search: Search, actor: Actor, now: datetime) -> bool:
    """The chain of known points is the first last known point, then every confirmed sighting after it in time
    order; the last known point is the last of them. Rebuild it from the sightings as they stand (after a sighting
    is confirmed or retracted, or its time corrected) and say what changed. True if the last known point moved."""
    origin = _origin(search)
    start = _parse_iso(origin["lkp_time"])
    rows = s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status == "confirmed").order_by(Sighting.time, Sighting.id)).all()
    points = [origin] + [{"lkp": {"type": "Point", "coordinates": [c.lon, c.lat]}, "lkp_time": iso(x.time),
                          "address": f"{c.code} {c.name}"[:300], "heading_deg": x.direction_deg,
                          "tag": f"sighting {x.id}"} for x, c in rows if _utc(x.time) > start]
    when = {h.get("replaced_by"): h.get("replaced_at") for h in (search.lkp_history or [])}
    history = [{"lkp": a["lkp"], "lkp_time": a["lkp_time"], "address": a["address"], "heading_deg": a["heading_deg"],
                "replaced_by": b["tag"], "replaced_at": when.get(b["tag"]) or iso(now)}
               for a, b in zip(points, points[1:])]
    target = points[-1]
    new = {"lkp": target["lkp"], "lkp_time": naive_utc(_parse_iso(target["lkp_time"])),
           "lkp_address": target["address"], "heading_deg": target["heading_deg"]}
    changes = {k: v for k, v in new.items() if getattr(search, k) != v}
    search.lkp_history = history or None
    if not changes:
        return False
    for k, v in changes.items():
        setattr(search, k, v)
    s.flush()
    from .searches import search_view

    where.bump_model_version(search, s)
    shown = {k: iso(v) if k == "lkp_time" else v for k, v in changes.items()}
    events.record(s, search.id, "search.updated", actor, {"changes": shown, "search": search_view(search)}, now)
    return True


def _decide(s, search: Search, x: Sighting, cam: Camera, actor: Actor, decision: str, note, tz_offset: int,
            now: datetime) -> tuple[dict, bool]:
    x.status = "confirmed" if decision == "confirm" else "rejected"
    x.decided_by, x.decided_at, x.decision_note = actor.user_id, naive_utc(now), note
    s.flush()
    # news for every unit when it moves the last known point; an earlier sighting confirmed late fills in the trail
    moved = x.status == "confirmed" and _settle_lkp(s, search, actor, now)
    trail = _trail(s, search)
    view = _sighting_view(x, cam)
    events.record(s, search.id, "video.sighting_decided", actor, {"sighting": view, "trail": trail, "lkp_moved": moved},
                  now)
    if moved:
        from .broadcasts import record_broadcast

        record_broadcast(s, search.id, actor, "sighting", _alert_text(x, cam, tz_offset), now)
    return {**view, "lkp_moved": moved, "trail": trail, "alerted": moved}, moved


def _was_alerted(s, search_id: int, sighting_id: int) -> bool:
    """Whether confirming this sighting moved the last known point (and so alerted every unit)."""
    for payload in s.execute(select(Event.payload).where(Event.search_id == search_id,
                                                         Event.type == "video.sighting_decided")).scalars():
        if (payload.get("sighting") or {}).get("id") == sighting_id and payload.get("lkp_moved"):
            return True
    return False


def _retract(s, search: Search, x: Sighting, cam: Camera, actor: Actor, note, tz_offset: int,
             now: datetime) -> tuple[dict, bool]:
    """Take back a confirmed sighting (a mistaken confirmation sends every patrol the wrong way): it leaves the chain
    of known points, the last known point is the latest confirmed one left (or the first), the model is recomputed,
    and every unit that was alerted of it is told to disregard it."""
    alerted = _was_alerted(s, search.id, x.id)
    x.status, x.decided_by, x.decided_at = "retracted", actor.user_id, naive_utc(now)
    x.decision_note = note or x.decision_note
    s.flush()
    moved = _settle_lkp(s, search, actor, now)
    trail = _trail(s, search)
    view = _sighting_view(x, cam)
    events.record(s, search.id, "video.sighting_decided", actor,
                  {"sighting": view, "trail": trail, "lkp_moved": moved}, now)
    if alerted:
        from .broadcasts import record_broadcast

        hhmm = (_utc(x.time) + timedelta(minutes=tz_offset)).strftime("%H:%M")
        record_broadcast(s, search.id, actor, "disregard",
                         f"DISREGARD the sighting at {hhmm} at camera {cam.code} ({cam.name}): it was not the "
                         f"person.\n撤销：{hhmm} 在摄像头 {cam.code}（{cam.name}）的目击有误，不是此人。", now)
    return {**view, "lkp_moved": moved, "trail": trail, "alerted": alerted}, moved


# --- the blind spot ----------------------------------------------------------------------------------------------

def _blind_spot(s, search: Search, now: datetime) -> dict:
    last = s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status == "confirmed")
        .order_by(Sighting.time.desc(), Sighting.id.desc()).limit(1)).first()
    if last is None:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": None, "clear_camera_ids": [],
                "reason": "no confirmed sighting yet", "reason_code": "no_sighting"}
    x, lcam = last
    t_s = _utc(x.time)
    sustained, fastest = _speeds(search)
    reach = max(where_core.MIN_REACH_M, fastest * max(0.0, (now - t_s).total_seconds()))
    proj = where.projection(search)
    reviewed = _intervals_by_camera(s, search.id)
    seen_after = set(s.execute(select(Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status != "rejected", Sighting.time > x.time)).scalars())
    clear, clear_xy, views, far = [], [], [], 0.0
    for cam in _cameras_near(s, search, now):
        if cam.id == lcam.id or cam.id in seen_after or cam.id not in reviewed:
            continue
        d = distance_m(lcam.lon, lcam.lat, cam.lon, cam.lat)
        if d > reach:
            continue
        # Heading straight for this camera at any plausible pace (down to half the sustained one), they would have
        # passed it in this window; it is clear if that footage was reviewed.
        start = t_s + timedelta(seconds=d / fastest)
        end = min(now, t_s + timedelta(seconds=d / (sustained / 2)))
        if end <= start:
            continue
        done = [(_utc(iv.start), _utc(iv.end)) for iv in reviewed[cam.id]]
        if video.covered_seconds((start, end), done) < CLEAR_COVERAGE * (end - start).total_seconds():
            continue
        xs, ys = proj.to_xy([cam.lon], [cam.lat])
        clear.append(cam.id)
        clear_xy.append((xs[0], ys[0]))
        views.append(video.cone(xs[0], ys[0], cam.direction_deg, cam.fov_deg, cam.range_m))
        far = max(far, d)
    if not clear:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": lcam.id, "clear_camera_ids": [],
                "reason": "no reviewed camera around the last sighting has been cleared yet",
                "reason_code": "none_cleared"}
    lx, ly = proj.to_xy([lcam.lon], [lcam.lat])
    radius = max(where_core.MIN_REACH_M, min(reach, far))
    region = video.blind_spot((lx[0], ly[0]), x.direction_deg, clear_xy, views, radius)
    if region.is_empty or region.area < 1:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": lcam.id, "clear_camera_ids": clear,
                "reason": "the cleared cameras leave no ground between them and the last sighting",
                "reason_code": "no_ground"}
    return {"geometry": mapping(proj.unproject(region)), "area_m2": region.area, "from_camera_id": lcam.id,
            "from_sighting_id": x.id, "clear_camera_ids": clear, "radius_m": radius, "reason": None, "reason_code": None,
            "_region": region}


def get_blind_spot(svc: Services, actor: Actor, search_id: int) -> dict:
    now = svc.now()
    with svc.reading() as s:
        out = _blind_spot(s, load_search(s, search_id, actor), now)
    out.pop("_region", None)
    return out


def blind_spot_segments(svc: Services, actor: Actor, search_id: int) -> dict:
    """Turn the blind spot into segments BS1, BS2, ... for the patrols: cut out of the segments it overlaps, POA from
    the model (the ground just beyond the last sighting, in its direction of travel, holds the most)."""
    require_dispatcher(actor)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        model.check_search_writable(search.status)
        spot = _blind_spot(s, search, now)
        region = spot.pop("_region", None)
        if region is None:
            raise Conflict(f"no blind spot to hand over: {spot['reason']}")
        proj = where.projection(search)
        existing = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        sizes = sorted(g.area_m2 for g in existing if g.source != "blind")
        piece_m2 = sizes[len(sizes) // 2] if sizes else BLIND_PIECE_M2
        reshaped, removed = [], []
        for g in existing:
            geom = proj.project(shape(g.geometry))
            if not geom.intersects(region):
                continue
            rest = segmentation._polygonal(geom.difference(region))
            if rest.is_empty or rest.area < 1:
                s.execute(update(Assignment).where(Assignment.segment_id == g.id).values(segment_id=None))
                removed.append(g.id)
                s.delete(g)
            else:
                g.geometry, g.area_m2 = mapping(proj.unproject(rest)), rest.area
                reshaped.append(g.id)
        s.flush()
        names = {g.name for g in existing if g.id not in removed}
        if region.area <= 1.5 * piece_m2:
            pieces = [region]
        else:
            pieces = [c.polygon for c in segmentation.grid(region, math.sqrt(piece_m2), "square")]
        created = []
        for poly in pieces:
            name = segmentation.next_free_name(names, "BS")
            names.add(name)
            seg = Segment(search_id=search_id, name=name, source="blind", geometry=mapping(proj.unproject(poly)),
                          area_m2=poly.area, poa0=0.0, coverage=0.0, created_at=naive_utc(now))
            s.add(seg)
            created.append(seg)
        s.flush()
        if search.poa_basis == "rings":
            where.ring_poa_all(s, search, where.reach_now(search, now))
        else:
            poa, _ = where_core.ring_poa({g.id: proj.project(shape(g.geometry)) for g in created},
                                        where.rings_of(search), search.model_reach_m or where.reach_now(search, now),
                                        *where.heading_of(search))
            for g in created:
                g.poa0 = min(poa[g.id], search.row0)
                search.row0 = max(0.0, search.row0 - g.poa0)
        where.bump_model_version(search, s)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.id)).scalars().all()
        payload = {"created": [g.id for g in created], "reshaped": reshaped, "removed": removed,
                   "segments": where.segments_payload(segs), "row0": search.row0, "blind_spot": spot}
        events.record(s, search_id, "video.blind_spot_segments", actor, payload, now)
        out = {"segments": [{"id": g.id, "name": g.name, "poa0": g.poa0, "area_m2": g.area_m2} for g in created],
               "reshaped": reshaped, "removed": removed}
    where.schedule_recompute(svc, search_id, "blind-spot segments added")
    return out


# --- everything at once ------------------------------------------------------------------------------------------

def get_video(svc: Services, actor: Actor, search_id: int) -> dict:
    """What the video panel needs in one read: cameras in the region, proposals, tasks, intervals, sightings, trail."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        cams = _cameras_near(s, search, now)
        by_id = {c.id: c for c in cams}
        tasks = s.execute(select(ReviewTask).where(ReviewTask.search_id == search_id)
                          .order_by(ReviewTask.id)).scalars().all()
        sightings = s.execute(select(Sighting).where(Sighting.search_id == search_id)
                              .order_by(Sighting.time, Sighting.id)).scalars().all()
        reviewed = _intervals_by_camera(s, search_id)
        open_tasks = _open_tasks(s, search_id)
        # Cameras a task, interval or sighting refers to are shown even if they are now outside the region.
        wanted = {t.camera_id for t in tasks} | {x.camera_id for x in sightings} | set(reviewed)
        for cam_id in wanted - set(by_id):
            cam = s.get(Camera, cam_id)
            if cam is not None:
                by_id[cam_id] = cam
        proj = where.projection(search)
        anchor = _anchors(search)[-1]
        ordered = sorted(by_id.values(), key=lambda c: c.code)
        cones = _cones(ordered, proj)
        camera_list = []
        for cam in ordered:
            v = for_viewer(camera_view(cam, cone=mapping(proj.unproject(cones[cam.id]))), actor)
            v["distance_m"] = round(distance_m(anchor[0], anchor[1], cam.lon, cam.lat), 1)
            camera_list.append(v)
        return {"cameras": camera_list,
                "proposals": _proposals(s, search, now, cams, cones, open_tasks, reviewed),
                "route_proposals": _route_proposals(search, now, cams, open_tasks, reviewed),
                "tasks": [_task_view(t, by_id[t.camera_id], reviewed.get(t.camera_id, []), now) for t in tasks],
                "intervals": [_interval_view(iv, by_id[cid]) for cid, ivs in reviewed.items() for iv in ivs],
                "sightings": [_with_implied(_sighting_view(x, by_id[x.camera_id]), x, by_id[x.camera_id], search,
                                            sightings, by_id) for x in sightings],
                "trail": _trail(s, search),
                "heading_deg": search.heading_deg,
                "lkp_history": search.lkp_history or [],
                "last_seq": search.last_seq}
