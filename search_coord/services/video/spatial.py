"""The camera registry's spatial index, read: which cameras lie in a lon/lat box.

SQLite: the R*Tree ``cameras_rtree`` over the active cameras (migration 0013, kept current by triggers on
``cameras``: every insert, move, change of view or of ``active``, and delete, the API's and an import's bulk writes
alike). Its 32-bit boxes are rounded outwards, so the exact lon/lat (auxiliary columns) decide at the edges; the
region's and the map's reads (``sites_in_box``, ``cells``) need nothing else from ``cameras``. Inactive cameras (a
dispatcher's "all") and PostgreSQL read ``cameras`` through the B-tree indexes on ``lon`` and ``lat``.
Either way the result is exactly the cameras with ``w <= lon <= e`` and ``s <= lat <= n``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, and_, func, select

from ...adapters.models import Camera
from ...adapters.video_models import camera_rtree

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Sites:
    """Active cameras as arrays, in id order: ``ids`` and ``lon``/``lat`` (degrees), ``direction``/``fov``/``rng``
    (degrees, degrees, metres; NaN when unknown, or all NaN until read when ``viewed`` is False)."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    direction: np.ndarray
    fov: np.ndarray
    rng: np.ndarray
    viewed: bool = False

    def take(self, mask: np.ndarray) -> "Sites":
        return Sites(*(a[mask] for a in (self.ids, self.lon, self.lat, self.direction, self.fov, self.rng)),
                     viewed=self.viewed)


def uses_rtree(s) -> bool:
    """Whether the session's database reads the registry by area through SQLite's R*Tree."""
    return s.get_bind().dialect.name == "sqlite"


def _rtree_box(box: Box):
    w, south, e, n = box
    r = camera_rtree.c
    return and_(r.max_lon >= w, r.min_lon <= e, r.max_lat >= south, r.min_lat <= n,
                r.lon >= w, r.lon <= e, r.lat >= south, r.lat <= n)


def _exact(box: Box):
    w, south, e, n = box
    return and_(Camera.lon >= w, Camera.lon <= e, Camera.lat >= south, Camera.lat <= n)


def in_box(s, q: Select, box: Box, active_only: bool = True) -> Select:
    """``q`` (a select from ``Camera``) narrowed to the cameras in ``box`` = (min lon, min lat, max lon, max lat),
    degrees, edges included, through the index; ``active_only`` (else inactive ones too)."""
    if not active_only:
        return q.where(_exact(box))
    if not uses_rtree(s):
        return q.where(_exact(box), Camera.active.is_(True))
    return q.join(camera_rtree, camera_rtree.c.id == Camera.id).where(_rtree_box(box))


def _columns(s, active_only: bool):
    """(selectable, id, lon, lat, direction, fov, range, where) of the index's table or of ``cameras``."""
    if active_only and uses_rtree(s):
        r = camera_rtree.c
        return camera_rtree, r.id, r.lon, r.lat, r.direction_deg, r.fov_deg, r.range_m, None
    where = Camera.active.is_(True) if active_only else None
    return (Camera.__table__, Camera.id, Camera.lon, Camera.lat, Camera.direction_deg, Camera.fov_deg,
            Camera.range_m, where)


def _where(s, box: Box, active_only: bool):
    table, *_, extra = _columns(s, active_only)
    cond = _rtree_box(box) if table is camera_rtree else _exact(box)
    return cond if extra is None else and_(cond, extra)


def sites_in_box(s, box: Box, views: bool = False) -> Sites:
    """The active cameras in ``box`` as arrays (``Sites``; their views read too with ``views``, else NaN until
    ``with_views``). On SQLite read from the R*Tree alone (its boxes and auxiliary columns; no lookup a row):
    positions to its 32-bit precision (about a metre), which is what a search's region and the ranking's first cut
    need; a camera within that of the box's edge may be in or out. PostgreSQL: exact, from ``cameras``."""
    if uses_rtree(s):
        r = camera_rtree.c
        w, south, e, n = box
        cols = (r.id, r.min_lon, r.min_lat) + ((r.direction_deg, r.fov_deg, r.range_m) if views else ())
        rows = _plain_rows(s, select(*cols).where(
            r.max_lon >= w, r.min_lon <= e, r.max_lat >= south, r.min_lat <= n))
    else:
        cols = (Camera.id, Camera.lon, Camera.lat) + ((Camera.direction_deg, Camera.fov_deg, Camera.range_m)
                                                      if views else ())
        rows = _plain_rows(s, select(*cols).where(_where(s, box, True)))
    if not rows:
        return Sites(*(np.zeros(0) for _ in range(6)), viewed=views)
    arr = np.array(rows, dtype=float)       # None (an unknown view) becomes NaN
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    if views:
        return Sites(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5], viewed=True)
    nan = np.full(len(arr), np.nan)
    return Sites(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], nan, nan.copy(), nan.copy())


def with_views(s, sites: Sites) -> Sites:
    """``sites`` with each camera's view (direction, field of view, range) read from the registry, in chunks (as
    they are when already ``viewed``)."""
    if sites.viewed:
        return sites
    ids = [int(i) for i in sites.ids]
    views: dict[int, tuple] = {}
    for start in range(0, len(ids), 500):
        views.update({row[0]: row[1:] for row in _plain_rows(s, select(
            Camera.id, Camera.direction_deg, Camera.fov_deg, Camera.range_m).where(
            Camera.id.in_(ids[start:start + 500])))})
    arr = np.array([views.get(i, (None, None, None)) for i in ids], dtype=float).reshape(len(ids), 3)
    return Sites(sites.ids, sites.lon, sites.lat, arr[:, 0], arr[:, 1], arr[:, 2], viewed=True)


def _plain_rows(s, stmt) -> list[tuple]:
    """A select's rows as the database driver gives them (tuples), on the session's connection: tens of thousands
    of numbers without building a result row object for each."""
    conn = s.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def count_in_box(s, box: Box, active_only: bool = True) -> int:
    """How many cameras lie in ``box``."""
    table = _columns(s, active_only)[0]
    return s.execute(select(func.count()).select_from(table).where(_where(s, box, active_only))).scalar_one()


def cells(s, box: Box, lon_deg: float, lat_deg: float, active_only: bool = True) -> list[tuple]:
    """The cameras in ``box`` gathered in a grid of cells ``lon_deg`` x ``lat_deg`` anchored at (-180, -90): per cell
    holding any, ``(count, mean lon, mean lat, min lon, min lat, max lon, max lat)``. One pass (SQL GROUP BY). The
    active cameras on SQLite are counted from the R*Tree's own 32-bit boxes (no lookup a row): a camera within about
    a metre of the view's edge may be counted in or out, which a map of cells cannot show."""
    table, _, lon, lat, *_ = _columns(s, active_only)
    where = _where(s, box, active_only)
    if table is camera_rtree:
        r = camera_rtree.c
        lon, lat = r.min_lon, r.min_lat
        where = and_(r.max_lon >= box[0], r.min_lon <= box[2], r.max_lat >= box[1], r.min_lat <= box[3])
    gx, gy = (lon + 180.0) / lon_deg, (lat + 90.0) / lat_deg      # never negative: truncation is floor
    if uses_rtree(s):
        gx, gy = func.cast(gx, Camera.id.type), func.cast(gy, Camera.id.type)
    else:
        gx, gy = func.floor(gx), func.floor(gy)
    return s.execute(select(func.count(), func.avg(lon), func.avg(lat), func.min(lon), func.min(lat),
                            func.max(lon), func.max(lat)).select_from(table).where(where)
                     .group_by(gx, gy)).all()
