"""The camera registry: a camera's view, pages of the registry (by area or search), adding and editing cameras, and
every time read off a recorder corrected again when its clock offset is re-measured."""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import shapely
from sqlalchemy import func, select

from ...adapters.models import Camera, ReviewedInterval, Search, Sighting
from ...core import video
from ...core.cameras import compass_label, cone_array
from ...core.errors import NotFound, ValidationError
from ...core.fields import split_version
from ...core.geometry import LocalProjection
from .. import events, recompute, versions
from ..access import load_search, require_dispatcher
from ..context import Actor, Services
from ..events import iso, naive_utc
from . import sightings
from .region import cameras_near, check_in_region
from .spatial import in_box


def cones_lonlat(cams: list[Camera], proj: LocalProjection) -> list[dict]:
    """The cameras' view cones as GeoJSON polygons (lon/lat), in order: projected, built (``core.cameras.cone_array``)
    and unprojected all at once, not one camera at a time."""
    if not cams:
        return []
    xs, ys = proj.to_xy(np.array([c.lon for c in cams]), np.array([c.lat for c in cams]))
    polys = proj.unproject(cone_array(xs, ys, [c.direction_deg for c in cams], [c.fov_deg for c in cams],
                                      [c.range_m for c in cams]))
    coords, which = shapely.get_coordinates(polys, return_index=True)
    rings = np.split(coords, np.flatnonzero(np.diff(which)) + 1)
    return [{"type": "Polygon", "coordinates": (tuple(map(tuple, ring.tolist())),)} for ring in rings]


def camera_view(cam: Camera, proj: LocalProjection | None = None, cone: dict | None = None) -> dict:
    """A camera as the API shows it (docs/video.md); ``clock_warning`` is text when its recorder clock is more than
    a day off (``core.video.clock_warning``), else None."""
    if cone is None:
        cone = cones_lonlat([cam], proj or LocalProjection(cam.lat, cam.lon))[0]
    return {"id": cam.id, "code": cam.code, "name": cam.name,
            "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
            "kind": cam.kind, "owner": cam.owner, "contact": cam.contact, "direction_deg": cam.direction_deg,
            "direction": compass_label(cam.direction_deg), "fov_deg": cam.fov_deg, "range_m": cam.range_m,
            "retention_days": cam.retention_days, "clock_offset_s": cam.clock_offset_s,
            "offset_measured_at": iso(cam.offset_measured_at), "covers_exit": cam.covers_exit, "notes": cam.notes,
            "active": cam.active, "cone": cone, "clock_warning": video.clock_warning(cam.clock_offset_s),
            "version": cam.version}


def views_of(cams: list[Camera], with_cones: bool = True) -> list[dict]:
    """``camera_view`` of each camera, in order, the cones built all at once in one projection (``"cone": None``
    without ``with_cones``: a map too far out to draw them)."""
    if not cams:
        return []
    if not with_cones:
        return [{**camera_view(c, cone=False), "cone": None} for c in cams]
    proj = LocalProjection(sum(c.lat for c in cams) / len(cams), sum(c.lon for c in cams) / len(cams))
    return [camera_view(c, cone=cone) for c, cone in zip(cams, cones_lonlat(cams, proj))]


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


#: Who is not a dispatcher reads the registry of a search they are on, within its region, at most this many a page.
OFFICER_PAGE_MAX = 500
#: A dispatcher's page: the whole registry of a big city is a few pages.
DISPATCHER_PAGE_MAX = 5000
#: Fields only dispatchers see: who owns a camera and how to reach them (people outside the police).
DISPATCHER_ONLY_FIELDS = ("owner", "contact")


def for_viewer(view: dict, actor: Actor) -> dict:
    """A camera's view as ``actor`` may see it: owner contacts to dispatchers only."""
    return view if actor.is_dispatcher else without_contacts(view)


def without_contacts(view: dict) -> dict:
    """A camera's view without its owner's contacts (``DISPATCHER_ONLY_FIELDS``): what officers see."""
    return {k: v for k, v in view.items() if k not in DISPATCHER_ONLY_FIELDS}


def parse_bbox(bbox: str) -> tuple[float, float, float, float]:
    """``"minlon,minlat,maxlon,maxlat"`` as four degrees; ``ValidationError`` {"bbox"} otherwise."""
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
    ``DISPATCHER_PAGE_MAX`` a page (default). Anyone else must give the ``search_id`` of a search they are on and
    reads only the active cameras within its region (a ``bbox`` narrows them, never widens them), at most
    ``OFFICER_PAGE_MAX`` a page, without owner contacts (``DISPATCHER_ONLY_FIELDS``). Returns ``{"cameras":
    [camera views], "total", "offset", "limit", "next_offset" (None on the last page)}``. Raises ``ValidationError`` (bbox, limit, offset, search_id),
    ``NotFound`` / ``Forbidden`` for a search the actor may not see.
    """
    cap = DISPATCHER_PAGE_MAX if actor.is_dispatcher else OFFICER_PAGE_MAX
    limit = cap if limit is None else limit
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= cap:
        raise ValidationError({"limit": f"must be between 1 and {cap}"})
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError({"offset": "must be 0 or more"})
    box = parse_bbox(bbox) if bbox else None
    if not actor.is_dispatcher:
        include_inactive = False
        if search_id is None:
            raise ValidationError({"search_id": "give the search_id of a search you are on: you may read the cameras "
                                                "within its region (bbox=minlon,minlat,maxlon,maxlat narrows them)"})
    with svc.reading() as s:
        if search_id is not None:
            search = load_search(s, search_id, actor)
            cams = cameras_near(s, search, svc.now())
            if box is not None:
                cams = [c for c in cams if box[0] <= c.lon <= box[2] and box[1] <= c.lat <= box[3]]
            total, cams = len(cams), cams[offset:offset + limit]
        else:
            q = select(Camera)
            if box is not None:
                q = in_box(s, q, box, active_only=not include_inactive)
            elif not include_inactive:
                q = q.where(Camera.active.is_(True))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            cams = list(s.execute(q.order_by(Camera.code, Camera.id).limit(limit).offset(offset)).scalars())
        views = [for_viewer(v, actor) for v in views_of(cams)]
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
            check_in_region(search, cam, now, "location")
        s.add(cam)
        s.flush()
        view = camera_view(cam)
        if search is not None:
            # every member reads the search's events: the owner's contacts stay in the registry (dispatchers')
            events.record(s, search.id, "camera.added", actor, {"camera": without_contacts(view)}, now)
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
        recompute.schedule_recompute(svc, search_id, f"camera {view['code']}'s clock offset re-measured")
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
        if sightings.settle_lkp(s, search, actor, now):  # a confirmed sighting's time moved: the chain is rebuilt
            moved.append(search_id)
        events.record(s, search_id, "video.clock_corrected", actor,
                      {"camera_id": cam.id, "code": cam.code, "clock_offset_s": cam.clock_offset_s,
                       "previous_offset_s": previous_offset, **what, "trail": sightings.trail_of(s, search)}, now)
    return moved
