"""The region's cameras as arrays, kept per process: what the video panel's every read starts from.

Reading tens of thousands of cameras out of the spatial index and measuring the geodesic from each known point to
each of them is most of a panel's read on a district's registry; both change only when the registry does or when a
known point is added. So they are kept, keyed by the registry's stamp (``registry_stamp``) and the chain's places,
over a radius ``MARGIN`` times the one asked (the region grows as time passes: it is read again only when it has
outgrown that). A read is then the stamp (one aggregate over ``cameras``, in the database) and a cut by distance.
Every write through the app changes the stamp; a script writing the table without bumping ``version`` is seen
within ``MAX_AGE_S``.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from ...adapters.models import Camera
from ...core import review
from .spatial import Sites, sites_in_box

#: The radius read is this many times the region's, so a region growing with the time since the subject went
#: missing is read again from the index only now and then.
MARGIN = 1.25
#: A kept region is read again after this many seconds whatever the stamp (writes that bypass ``version``).
MAX_AGE_S = 60.0
#: Regions kept per process (a few MB each at 50,000 cameras).
CACHE_SIZE = 8

_CACHE: "OrderedDict[tuple, _Kept]" = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Kept:
    radius: float
    born: float
    sites: Sites
    dist: np.ndarray
    xy: tuple | None


def registry_stamp(s) -> tuple:
    """What changes whenever the registry does: (rows, largest id, sum of versions). Cameras are never deleted;
    every insert adds a row and every edit (the API's and an import's, moving a camera, changing its view or
    making it active or inactive) bumps its ``version``."""
    return tuple(s.execute(select(func.count(), func.max(Camera.id), func.coalesce(func.sum(Camera.version), 0))
                           .select_from(Camera)).one())


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def region_arrays(s, points, radius: float, centre: tuple[float, float], distances) -> tuple[Sites, np.ndarray,
                                                                                            tuple | None]:
    """The active cameras (with their views) within ``radius`` (m) of some known point of ``points`` (the chain,
    ``KnownPoint``s), their geodesic distances (m) from each point (shape (len(points), cameras)) and their x/y (m)
    in the projection centred on ``centre`` (lon, lat) when a point is there, else None. ``distances`` is
    ``region.distances_m``. Read from the per-process cache when it holds the same registry and chain over at least
    this radius; the arrays returned are never changed in place (they are read-only)."""
    bind = s.get_bind()
    key = (str(bind.url), id(getattr(bind, "engine", bind)), registry_stamp(s),
           tuple((p.lon, p.lat) for p in points), centre)
    with _LOCK:
        kept = _CACHE.get(key)
        if kept is not None:
            _CACHE.move_to_end(key)
    if kept is None or kept.radius < radius or time.monotonic() - kept.born > MAX_AGE_S:
        wide = radius * MARGIN
        sites = sites_in_box(s, review.near(points, wide), views=True)
        dist, xy = distances(points, sites.lon, sites.lat, centre)
        inside = dist.min(axis=0) <= wide if len(sites.ids) else np.zeros(0, dtype=bool)
        sites = sites.take(inside)
        for a in (sites.ids, sites.lon, sites.lat, sites.direction, sites.fov, sites.rng):
            _frozen(a)
        kept = _Kept(wide, time.monotonic(), sites, _frozen(dist[:, inside]),
                     None if xy is None else (_frozen(xy[0][inside]), _frozen(xy[1][inside])))
        with _LOCK:
            _CACHE[key] = kept
            _CACHE.move_to_end(key)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    inside = kept.dist.min(axis=0) <= radius if len(kept.sites.ids) else np.zeros(0, dtype=bool)
    return (kept.sites.take(inside), kept.dist[:, inside],
            None if kept.xy is None else (kept.xy[0][inside], kept.xy[1][inside]))
