"""The camera registry's spatial index, read: which cameras lie in a lon/lat box.

SQLite: the R*Tree ``cameras_rtree`` (migration 0013, kept current by triggers on ``cameras``: every insert, move
and delete, the API's and an import's bulk writes alike) narrows to the box; its 32-bit boxes are rounded outwards,
so the exact ``lon``/``lat`` columns decide at the edges. PostgreSQL: the B-tree indexes on ``lon`` and ``lat``
(the planner ANDs their bitmaps). Either way the result is exactly the cameras with ``w <= lon <= e`` and
``s <= lat <= n``."""
from __future__ import annotations

from sqlalchemy import Select, and_

from ...adapters.models import Camera
from ...adapters.video_models import camera_rtree

Box = tuple[float, float, float, float]


def uses_rtree(s) -> bool:
    """Whether the session's database reads the registry by area through SQLite's R*Tree."""
    return s.get_bind().dialect.name == "sqlite"


def in_box(s, q: Select, box: Box) -> Select:
    """``q`` (a select from ``Camera``) narrowed to the cameras in ``box`` = (min lon, min lat, max lon, max lat),
    degrees, edges included, through the index."""
    w, south, e, n = box
    exact = and_(Camera.lon >= w, Camera.lon <= e, Camera.lat >= south, Camera.lat <= n)
    if not uses_rtree(s):
        return q.where(exact)
    r = camera_rtree.c
    return q.join(camera_rtree, r.id == Camera.id).where(r.max_lon >= w, r.min_lon <= e, r.max_lat >= south,
                                                         r.min_lat <= n, exact)
