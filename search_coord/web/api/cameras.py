"""The camera registry: a page at a time, create and edit, export and import (CSV or GeoJSON)."""
from __future__ import annotations

import json
import logging
import queue
import threading
from typing import Iterator

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ...core.errors import ValidationError
from ...core.fields import MAX_ID, MAX_SAFE_INT
from ...identity import current_actor, services
from ...services import camera_files, video
from .common import body, bp, int_arg, int_args

log = logging.getLogger(__name__)


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
    ``active=all``, ``limit``, ``cursor``, ``cones=0`` (no cone polygons): cameras a page at a time, or cells with counts when zoomed out."""
    zoom, search_id, limit, cursor = int_args(("zoom", None, 0, 24), ("search_id", None, 1, MAX_ID),
                                              ("limit", None, 1, MAX_SAFE_INT), ("cursor", None, 0, MAX_SAFE_INT))
    if zoom is None:
        raise ValidationError({"zoom": "give the map's zoom (0-24)"})
    return video.cameras_in_view(services(), current_actor(), request.args.get("bbox"), zoom, search_id,
                                 request.args.get("active") == "all", limit, cursor,
                                 cones=request.args.get("cones") != "0")


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
    """Import a camera file (``services.camera_files.import_cameras``; at most ``CAMERA_IMPORT_MAX_BYTES``, 413
    beyond). With ``Accept: application/x-ndjson`` the answer is streamed, one JSON object a line: ``{"stage",
    "done", "total"}`` as the import goes, then ``{"result": {...}}`` or ``{"error": {"status", "errors"|"message"}}``
    (the import runs to its end, committed whole or not at all, even if the connection drops)."""
    limit = current_app.config["CAMERA_IMPORT_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"a camera file may be at most {limit // (1024 * 1024)} MB")
    request.max_content_length = limit + 64 * 1024        # the form's own bytes around the file
    upload = request.files.get("file")
    name = (upload.filename or "").lower() if upload is not None else ""
    fmt = request.args.get("format") or ("geojson" if name.endswith((".geojson", ".json")) or
                                         "json" in (request.content_type or "") else "csv")
    raw = upload.read() if upload is not None else request.get_data()
    svc, actor = services(), current_actor()
    if "application/x-ndjson" not in (request.headers.get("Accept") or ""):
        return camera_files.import_cameras(svc, actor, raw, fmt, limit)
    camera_files.check_import(actor, fmt, len(raw), limit)      # refused at once, as a plain answer
    return Response(_progress_lines(svc, actor, raw, fmt, limit), mimetype="application/x-ndjson",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _progress_lines(svc, actor, raw: bytes, fmt: str, limit: int) -> Iterator[str]:
    """The import run in a thread of its own; its progress and outcome as JSON lines, as they come."""
    lines: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            result = camera_files.import_cameras(svc, actor, raw, fmt, limit, progress=lambda stage, done, total:
                                                 lines.put({"stage": stage, "done": done, "total": total}))
            lines.put({"result": result})
        except ValidationError as exc:
            lines.put({"error": {"status": 400, "errors": exc.errors}})
        except Exception:   # noqa: BLE001 - told to the user as a failed import; the transaction rolled back
            log.exception("camera import failed")
            lines.put({"error": {"status": 500, "message": "the import failed; nothing was stored"}})

    threading.Thread(target=run, name="camera-import", daemon=True).start()
    while True:
        item = lines.get()
        yield json.dumps(item, ensure_ascii=False) + "\n"
        if "result" in item or "error" in item:
            return


@bp.get("/cameras/page")
def cameras_page():
    offset, limit = int_args(("offset", 0, 0, MAX_SAFE_INT), ("limit", 50, 1, camera_files.MAX_PAGE))
    return camera_files.page_cameras(services(), current_actor(), request.args.get("q"), offset, limit,
                                     request.args.get("active") != "active")
