"""Files of a search for other tools: GET /searches/<id>/export/<format>[?team=<id>|officer=<id>] streams GPX,
KML, GeoJSON or the event log as CSV, named after the search, the scope and the time it was made."""
from __future__ import annotations

from flask import Response, current_app, stream_with_context

from ...core import paper, record
from ...core.fields import MAX_ID
from ...services import exports, exports_data, report_text
from ...identity import current_actor, services
from .common import bp, int_args


@bp.get("/searches/<int:search_id>/export/<fmt>")
def searches_export(search_id, fmt):
    mime = exports.check_format(fmt)
    team, officer = int_args(("team", None, 1, MAX_ID), ("officer", None, 1, MAX_ID))
    svc = services()
    scope = exports_data.resolve_scope(svc, current_actor(), search_id, team, officer)
    tz = record.zone(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    ascii_name, utf8_name = paper.file_names(scope.title, svc.now().astimezone(tz), scope.label, fmt)
    body = exports.chunks(svc, scope, fmt, tz, report_text.both())
    resp = Response(stream_with_context(body), mimetype=mime.split(";")[0])
    if ";" in mime:
        resp.headers["Content-Type"] = mime
    resp.headers["Content-Disposition"] = paper.content_disposition(ascii_name, utf8_name)
    resp.headers["Cache-Control"] = "no-store"
    return resp
