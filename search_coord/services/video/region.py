"""Where video review looks for a search: the subject's speeds, the chain of known points as the search stores it,
the region in which a camera matters, the cameras in it, and the common start of a reviewer's report."""
from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import select

from ...adapters.models import Camera, Search
from ...core import behaviour, known_points, review, schemas
from ...core.cameras import CameraSite
from ...core.errors import ValidationError
from ...core.geometry import WGS84
from ...core.known_points import KnownPoint
from .. import basis, events
from ..access import load_search
from .region_cache import region_arrays
from .spatial import Sites, in_box
from ..context import Actor


def speeds(search: Search) -> tuple[float, float]:
    """(sustained, fastest plausible) walking speed of the subject (m/s); the search's own setting wins for the first."""
    sustained, fastest = behaviour.walking_speed((search.subject or {}).get("category", "other"))
    own = (search.settings or {}).get("walking_speed_ms")
    if own:
        sustained, fastest = own, max(fastest, own)
    return sustained, fastest


def stored_chain(search: Search) -> tuple[KnownPoint, ...]:
    """Where the subject was known to be, in time order: the first last-known point, then each one that replaced it
    (confirmed sightings). The current last known point is the last."""
    return known_points.stored_points(search.lkp, search.lkp_time, search.lkp_history, search.lkp_address,
                                      search.heading_deg)


def site(cam: Camera) -> CameraSite:
    """A registry row as the core's value."""
    return CameraSite(cam.id, cam.code, cam.name, cam.lon, cam.lat, cam.direction_deg, cam.fov_deg, cam.range_m,
                      cam.clock_offset_s or 0.0, cam.retention_days)


def region_radius(search: Search, now: datetime) -> float:
    """How far from any known point of the subject a camera can matter: the 95 % ring's outer edge, or the reach at
    the fastest plausible pace since they went missing, whichever is larger."""
    since = known_points.missing_since(search.lkp_time, search.lkp_history)
    return review.region_radius(basis.rings_of(search)[3], (now - since).total_seconds(), speeds(search)[1])


def check_in_region(search: Search, cam: Camera, now: datetime, field: str = "camera_id") -> None:
    radius = region_radius(search, now)
    nearest = review.nearest_m(stored_chain(search), cam.lon, cam.lat)
    if nearest > radius:
        raise ValidationError({field: f"camera {cam.code} is {nearest / 1000:.1f} km from the subject's known "
                                      f"points, outside this search's region ({radius / 1000:.1f} km)"})


def registered_camera(s, camera_id: int, field: str = "camera_id") -> Camera:
    """The registry's camera ``camera_id``; a ``ValidationError`` on ``field`` when there is none."""
    cam = s.get(Camera, camera_id)
    if cam is None:
        raise ValidationError({field: f"camera {camera_id} is not in the registry"})
    return cam


def distances_m(points, lons, lats, centre: tuple[float, float] | None = None):
    """Geodesic distances (m, WGS84) from each known point to each place: shape (len(points), len(lons)). With
    ``centre`` (lon, lat: a known point's, the centre of the search's azimuthal equidistant projection), also the
    places' x/y (m) in that projection, from the same geodesics (x = s·sin α, y = s·cos α with α the forward azimuth
    from the centre: what PROJ's ellipsoidal ``aeqd`` computes), or None when no point is the centre."""
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    out = np.empty((len(points), len(lons)))
    xy = None
    for i, p in enumerate(points):
        if not len(lons):
            continue
        az, _, d = WGS84.inv(np.full(len(lons), p.lon), np.full(len(lons), p.lat), lons, lats)
        out[i] = d
        if centre is not None and xy is None and (p.lon, p.lat) == centre:
            rad = np.radians(az)
            xy = (d * np.sin(rad), d * np.cos(rad))
    if centre is not None and xy is None and not len(lons):
        xy = (np.zeros(0), np.zeros(0))
    return (out, xy) if centre is not None else out


def region_sites(s, search: Search, now: datetime) -> tuple[Sites, np.ndarray, tuple | None]:
    """The active cameras within the search's region as arrays (``spatial.Sites``, with their views, from the index
    alone on SQLite), with their geodesic distances (m) from each known point of the chain: shape (len(chain),
    len(sites.ids)), and their x/y (m) in the search's projection (``basis.projection``) when it is centred on a
    known point (always, as the search stores it: the current last known point), else None. Kept per process
    while the registry and the chain stay the same (``region_cache``); the arrays are read-only."""
    centre = tuple(float(v) for v in search.lkp["coordinates"][:2])
    return region_arrays(s, stored_chain(search), region_radius(search, now), centre, distances_m)


def cameras_by_id(s, ids) -> dict:
    """The registry's rows of these camera ids (missing ones left out), as read-only rows with a ``Camera``'s
    attributes (``id``, ``code``, ``lon``...): for reads that only look (no ORM bookkeeping for each of hundreds)."""
    ids = sorted({int(i) for i in ids})
    out: dict = {}
    for start in range(0, len(ids), 500):
        out.update({c.id: c for c in s.execute(select(*Camera.__table__.columns)
                                               .where(Camera.id.in_(ids[start:start + 500])))})
    return out


def cameras_near(s, search: Search, now: datetime) -> list[Camera]:
    """Active cameras within the search's region, in code order: the spatial index's box first
    (``spatial.in_box``), then the exact distance to the nearest known point (all at once)."""
    radius = region_radius(search, now)
    points = stored_chain(search)
    w, s_, e, n = review.near(points, radius)
    rows = s.execute(in_box(s, select(Camera), (w, s_, e, n)).order_by(Camera.code)).scalars().all()
    if not rows:
        return []
    nearest = distances_m(points, [c.lon for c in rows], [c.lat for c in rows]).min(axis=0)
    return [c for c, d in zip(rows, nearest) if d <= radius]


def begin_report(s, search_id: int, actor: Actor, data, now: datetime, clean_fn, event_type: str):
    """The common start of a reviewer's report: the search, the camera (its clock corrects the times read off the
    footage), the cleaned input, and the event claimed under the report's client id (a retry stops here)."""
    search = load_search(s, search_id, actor)
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object"})
    cam = registered_camera(s, data["camera_id"]) if isinstance(data.get("camera_id"), int) else None
    since = known_points.missing_since(search.lkp_time, search.lkp_history)
    clean = clean_fn(data, now, since, cam.clock_offset_s if cam else 0.0)
    ev = events.begin(s, search_id, event_type, actor, now, client_id=clean.get("client_id"))
    schemas.check_search_writable(search.status)
    check_in_region(search, cam, now)
    return search, cam, clean, ev
