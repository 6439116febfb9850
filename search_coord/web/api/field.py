"""What comes in from the field: GPS tracks (sent or imported), clues and their photos, photos; place names."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ...core.errors import NotAuthenticated, SearchCoordError, ValidationError
from ...core.photos import MAX_PHOTO_BYTES
from ...services import clue_photos, field, geocoding, photos, track_import
from ...identity import cookie_actor, current_actor, services
from ..account import session_refusal
from .common import body, bp, int_form, state_part


@bp.get("/searches/<int:search_id>/tracks")
def tracks_list(search_id):
    return state_part(search_id, "tracks")


@bp.post("/searches/<int:search_id>/tracks")
def tracks_add(search_id):
    """The session is checked in the batch's own transaction (as over the socket), not by a read before it: a
    refused session (ended, deactivated, or a password to change first) is answered as by every other route."""
    actor, version = cookie_actor()
    try:
        data = body()
    except (SearchCoordError, HTTPException):
        refused = session_refusal()   # a refused session first, as the gate would have
        if refused is not None:
            raise refused from None
        raise
    try:
        result = field.add_track_batch(services(), actor, search_id, data, session_version=version)
    except NotAuthenticated:
        raise (session_refusal() or NotAuthenticated("log in first")) from None
    return result, 200 if result["duplicate"] else 201


@bp.post("/searches/<int:search_id>/tracks/import")
def tracks_import(search_id):
    """A GPX / KML / KMZ file (multipart 'file') as the track of the unit named in 'unit' (optional 'team_id')."""
    actor = current_actor()
    upload = request.files.get("file")
    result = track_import.import_track(services(), actor, search_id, upload.read() if upload else None,
                                       upload.filename if upload else None, request.form.get("unit"),
                                       int_form("team_id"))
    return result, 200 if result["duplicate"] else 201


@bp.get("/searches/<int:search_id>/clues")
def clues_list(search_id):
    return state_part(search_id, "clues")


@bp.post("/searches/<int:search_id>/clues")
def clues_add(search_id):
    return field.report_clue(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/clues/<int:clue_id>/photo")
def clues_attach_photo(search_id, clue_id):
    """A clue's photo that followed it: {photo_id} of a photo uploaded for this search."""
    return clue_photos.attach_clue_photo(services(), current_actor(), search_id, clue_id, body())


@bp.post("/photos")
def photos_upload():
    """A photo as multipart field 'photo' (optional search_id, client_id); limits in ``core/photos.py``."""
    actor = current_actor()
    request.max_content_length = MAX_PHOTO_BYTES + 64 * 1024   # a phone's photo may exceed the app's request limit
    upload = request.files.get("photo")
    if upload is None:
        raise ValidationError({"photo": "send the image as multipart form field 'photo'"})
    result = photos.upload_photo(services(), actor, upload.read(), int_form("search_id"),
                                 request.form.get("client_id") or None,
                                 current_app.config.get("PHOTO_QUOTA_BYTES_PER_DAY"))
    return result, 200 if result["duplicate"] else 201


@bp.get("/photos/<int:photo_id>")
def photos_get(photo_id):
    original = request.args.get("original") == "1"
    data, mime = photos.get_photo(services(), current_actor(), photo_id, original)
    resp = Response(data, mimetype=mime)
    resp.headers["Cache-Control"] = "private, max-age=86400"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if original:
        resp.headers["Content-Disposition"] = f"attachment; filename=photo-{photo_id}.heic"
    return resp


@bp.get("/geocode")
def geocode():
    return jsonify(geocoding.geocode(services(), current_actor(), request.args.get("q")))
