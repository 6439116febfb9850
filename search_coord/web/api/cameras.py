"""The camera registry: a page at a time, create and edit, export and import (CSV or GeoJSON)."""
from __future__ import annotations

from flask import Response, jsonify, request

from ...core.errors import ValidationError
from ...core.fields import MAX_SAFE_INT
from ...identity import current_actor, services
from ...services import camera_files, video
from .common import body, bp, int_arg, int_args


@bp.get("/cameras")
def cameras_list():
    """The registry a page at a time (``services.video.camera_page``: officers name a ``search_id`` they are on):
    the cameras as a JSON list; the total in ``X-Total-Count``, the next page's offset in ``X-Next-Offset``."""
    page = video.camera_page(services(), current_actor(), request.args.get("bbox"),
                             request.args.get("active") == "all", int_arg("search_id", None),
                             int_arg("limit", None), int_arg("offset", 0))
    resp = jsonify(page["cameras"])
    resp.headers["X-Total-Count"] = str(page["total"])
    if page["next_offset"] is not None:
        resp.headers["X-Next-Offset"] = str(page["next_offset"])
    return resp


@bp.get("/cameras/area")
def cameras_area():
    """The registry by the map's view (``services.video.cameras_in_view``): ``bbox``, ``zoom``, ``search_id``,
    ``active=all``, ``limit``, ``cursor``: cameras a page at a time, or cells with counts when zoomed out."""
    zoom, search_id, limit, cursor = int_args(("zoom", None, 0, 24), ("search_id", None, 1, MAX_SAFE_INT),
                                              ("limit", None, 1, MAX_SAFE_INT), ("cursor", None, 0, MAX_SAFE_INT))
    if zoom is None:
        raise ValidationError({"zoom": "give the map's zoom (0-24)"})
    return video.cameras_in_view(services(), current_actor(), request.args.get("bbox"), zoom, search_id,
                                 request.args.get("active") == "all", limit, cursor)


@bp.post("/cameras")
def cameras_create():
    data = body()
    search_id = data.pop("search_id", None)
    if search_id is not None and (isinstance(search_id, bool) or not isinstance(search_id, int)):
        raise ValidationError({"search_id": "must be a search id"})
    return video.create_camera(services(), current_actor(), data, search_id), 201


@bp.patch("/cameras/<int:camera_id>")
def cameras_update(camera_id):
    return video.update_camera(services(), current_actor(), camera_id, body())


@bp.get("/cameras/export")
def cameras_export():
    fmt = request.args.get("format", "csv")
    chunks, mime = camera_files.export_cameras(services(), current_actor(), fmt)
    resp = Response(chunks, mimetype=mime.split(";")[0])   # streamed: the registry is read a page at a time
    resp.headers["Content-Type"] = mime
    resp.headers["Content-Disposition"] = f"attachment; filename=cameras.{'csv' if fmt == 'csv' else 'geojson'}"
    return resp


@bp.post("/cameras/import")
def cameras_import():
    upload = request.files.get("file")
    name = (upload.filename or "").lower() if upload is not None else ""
    fmt = request.args.get("format") or ("geojson" if name.endswith((".geojson", ".json")) or
                                         "json" in (request.content_type or "") else "csv")
    raw = upload.read() if upload is not None else request.get_data()
    return camera_files.import_cameras(services(), current_actor(), raw, fmt)


@bp.get("/cameras/page")
def cameras_page():
    offset, limit = int_args(("offset", 0, 0, MAX_SAFE_INT), ("limit", 50, 1, camera_files.MAX_PAGE))
    return camera_files.page_cameras(services(), current_actor(), request.args.get("q"), offset, limit,
                                     request.args.get("active") != "active")
