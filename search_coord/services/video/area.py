"""The registry by the map's viewport and zoom (``GET /cameras/area``): the cameras themselves, with their view cones,
a page at a time, when the map is close enough to draw them; else grid cells with how many cameras each holds.
Both read the spatial index (``spatial.in_box``)."""
from __future__ import annotations

import math

from sqlalchemy import select

from ...adapters.models import Camera
from ...core import review
from ...core.errors import ValidationError
from ..access import load_search
from ..context import Actor, Services
from .cameras import OFFICER_PAGE_MAX, for_viewer, parse_bbox, views_of
from .region import region_radius, stored_chain
from .spatial import Box, cells, count_in_box, in_box

#: Zoomed out further than this, the map gets cells with counts (a street's cameras are told apart from 15 on).
CAMERAS_FROM_ZOOM = 15
#: More cameras than this in the view are drawn as cells whatever the zoom (a dense district at zoom 15).
MAX_INDIVIDUAL = 800
#: From this zoom on the cameras come with their view cones (a 40 m cone is 30 px wide at 17, 15 at 16).
CONES_FROM_ZOOM = 17
#: A cell is about this many screen pixels wide (256-pixel Web Mercator tiles).
CELL_PX = 80
#: A view spanning more cells than this at its zoom is refused (the zoom does not belong to that box).
MAX_CELLS = 20_000
#: Cameras a page (the default and the most); officers' pages are at most ``OFFICER_PAGE_MAX``.
AREA_PAGE = 500


def cell_size(zoom: int, lat: float) -> tuple[float, float]:
    """The grid's cell (degrees of lon, degrees of lat) at ``zoom`` near latitude ``lat``: ``CELL_PX`` pixels of a
    Web Mercator map across, about as tall on the screen (a degree of latitude is 1/cos(lat) times as many pixels as
    one of longitude there). The grid is anchored at (-180, -90), so cells stay put while the map pans."""
    lon_deg = CELL_PX * 360.0 / (256.0 * 2 ** zoom)
    return lon_deg, lon_deg * max(0.05, math.cos(math.radians(lat)))


def _clusters(s, box: Box, zoom: int, active_only: bool) -> list[dict]:
    lon_deg, lat_deg = cell_size(zoom, (box[1] + box[3]) / 2)
    if (box[2] - box[0]) / lon_deg * (box[3] - box[1]) / lat_deg > MAX_CELLS:
        raise ValidationError({"zoom": f"the box spans more than {MAX_CELLS} cells at zoom {zoom}: give the map's "
                                       f"own zoom"})
    rows = cells(s, box, lon_deg, lat_deg, active_only)
    return sorted(({"count": n, "location": {"type": "Point", "coordinates": [lon, lat]},
                    "bbox": [w, south, e, north]} for n, lon, lat, w, south, e, north in rows),
                  key=lambda c: (-c["count"], c["bbox"]))


def _check_paging(actor: Actor, zoom, limit, cursor) -> int:
    cap = AREA_PAGE if actor.is_dispatcher else OFFICER_PAGE_MAX
    limit = cap if limit is None else limit
    errors = {}
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not 0 <= zoom <= 24:
        errors["zoom"] = "must be a whole number from 0 to 24"
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= cap:
        errors["limit"] = f"must be between 1 and {cap}"
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0):
        errors["cursor"] = "must be the next_cursor of the page before"
    if errors:
        raise ValidationError(errors)
    return limit


def cameras_in_view(svc: Services, actor: Actor, bbox: str | None, zoom: int, search_id: int | None = None,
                    include_inactive: bool = False, limit: int | None = None, cursor: int | None = None,
                    cones: bool = True) -> dict:
    """The registry within the map's view ``bbox`` ("minlon,minlat,maxlon,maxlat", degrees) at ``zoom`` (0-24).

    Who may read what is ``camera_page``'s rule: dispatchers anything (inactive cameras too with
    ``include_inactive``); anyone else only active cameras of a search ``search_id`` they are on, within its region's
    box (a dispatcher giving ``search_id`` is held to the same box), without owner contacts.

    From ``CAMERAS_FROM_ZOOM`` on, with at most ``MAX_INDIVIDUAL`` in the view: ``{"mode": "cameras", "total",
    "cameras": [camera views, by id; their cones from ``CONES_FROM_ZOOM``, else null; null too without ``cones``
    (a map that draws them from ``direction_deg``, ``fov_deg`` and ``range_m``)], "limit", "next_cursor"}``; the next page is asked with
    ``cursor=next_cursor`` (None on the last page): pages are complete and never overlap, ordered by id. Otherwise
    ``{"mode": "clusters", "total", "clusters": [{"count", "location" (mean point), "bbox"}], "cell_deg": [lon,
    lat]}``, the cells of ``cell_size`` holding any camera, most first; their counts sum to ``total``.
    Raises ``ValidationError`` (bbox, zoom, limit, cursor, search_id), ``NotFound``/``Forbidden`` (the search)."""
    limit = _check_paging(actor, zoom, limit, cursor)
    if not bbox:
        raise ValidationError({"bbox": "give the map's view: minlon,minlat,maxlon,maxlat"})
    box = parse_bbox(bbox)
    if not actor.is_dispatcher:
        include_inactive = False
        if search_id is None:
            raise ValidationError({"search_id": "give the search_id of a search you are on"})
    with svc.reading() as s:
        if search_id is not None:
            search = load_search(s, search_id, actor)
            w, south, e, n = review.near(stored_chain(search), region_radius(search, svc.now()))
            box = (max(box[0], w), max(box[1], south), min(box[2], e), min(box[3], n))
        if box[0] > box[2] or box[1] > box[3]:
            return {"mode": "cameras", "total": 0, "cameras": [], "limit": limit, "next_cursor": None}
        active_only = not include_inactive
        total = count_in_box(s, box, active_only) if zoom >= CAMERAS_FROM_ZOOM else None
        if total is None or total > MAX_INDIVIDUAL:
            clusters = _clusters(s, box, zoom, active_only)
            return {"mode": "clusters", "total": sum(c["count"] for c in clusters), "clusters": clusters,
                    "cell_deg": list(cell_size(zoom, (box[1] + box[3]) / 2))}
        q = in_box(s, select(Camera), box, active_only)
        if cursor is not None:
            q = q.where(Camera.id > cursor)
        cams = list(s.execute(q.order_by(Camera.id).limit(limit + 1)).scalars())
        more = len(cams) > limit
        cams = cams[:limit]
        views = [for_viewer(v, actor) for v in views_of(cams, cones and zoom >= CONES_FROM_ZOOM)]
    return {"mode": "cameras", "total": total, "cameras": views, "limit": limit,
            "next_cursor": cams[-1].id if more else None}
