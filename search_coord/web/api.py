"""JSON API under /api/v1: parse, call one service, serialize. Errors are mapped once in ``errors.py``."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..core import behaviour, model
from ..core.errors import NotAuthenticated, ValidationError
from ..core.fields import MAX_SAFE_INT, check_json, parse_int
from ..core.photos import MAX_PHOTO_BYTES
from ..services import (broadcasts, camera_files, field, geocoding, photos, retractions, searches, teams,
                        track_import, users, video, where)
from .auth import csrf_token, current_actor, current_user, login, logout, services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def body() -> dict:
    """The request's JSON object; a missing or malformed body is a 400 naming ``_body``, as is JSON no field could
    take (``core.fields.check_json``: too deep, numbers beyond 2^53, NaN / Infinity, lone surrogates)."""
    # A body over the JSON limit is a 413, whatever its type, with or without a Content-Length (chunked).
    limit = current_app.config["MAX_JSON_BYTES"]
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"a JSON body may be at most {limit // 1024} KiB")
    if not request.is_json:
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"})
    request.max_content_length = limit + 1   # a chunked stream is cut there (werkzeug): one byte more tells
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise RequestEntityTooLarge(f"a JSON body may be at most {limit // 1024} KiB")
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):   # UnicodeDecodeError is a ValueError
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"}) from None
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"})
    check_json(data)
    return data


def int_arg(name: str, default: int, lo: int = 0, hi: int = MAX_SAFE_INT) -> int:
    """A whole-number query argument in ``lo``..``hi`` (ASCII digits only), or ``default``; 400 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return parse_int(raw, lo, hi)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None


def int_form(name: str) -> int | None:
    """A whole-number multipart form field (an id), or None when absent or empty; 400 naming it otherwise."""
    raw = request.form.get(name)
    if not raw:
        return None
    try:
        return parse_int(raw, 1)
    except ValueError:
        raise ValidationError({name: "must be an id"}) from None


# --- session -----------------------------------------------------------------------------------------------------

@bp.get("/session")
def session_get():
    """Who is logged in (or null) and the CSRF token to send as X-CSRF-Token."""
    return {"user": current_user(), "csrf_token": csrf_token()}


@bp.post("/session")
def session_login():
    data = body()
    user = users.authenticate(services(), data.get("username"), data.get("password"))
    if user is None:
        raise NotAuthenticated("wrong user name or password")
    login(user)
    return {"user": user, "csrf_token": csrf_token()}


@bp.delete("/session")
def session_logout():
    logout()
    return {"user": None, "csrf_token": csrf_token()}


@bp.get("/meta")
def meta():
    """The names the forms offer: categories, terrains, risk levels and reasons, team kinds, statuses."""
    current_actor()
    return {"categories": list(behaviour.categories()), "terrains": list(behaviour.terrains()),
            "sexes": list(model.SEXES), "risk_levels": list(model.RISK_LEVELS),
            "risk_reasons": list(model.RISK_REASONS), "team_kinds": list(model.TEAM_KINDS),
            "assignment_kinds": list(model.ASSIGNMENT_KINDS), "assignment_statuses": list(model.ASSIGNMENT_STATUSES),
            "assignment_transitions": {k: list(v) for k, v in model.ASSIGNMENT_TRANSITIONS.items()},
            "search_statuses": list(model.SEARCH_STATUSES), "clue_kinds": list(model.CLUE_KINDS),
            "found_conditions": list(model.FOUND_CONDITIONS), "roles": list(model.ROLES),
            "geocoder": services().geocoder is not None}


# --- users -------------------------------------------------------------------------------------------------------

@bp.get("/users")
def users_list():
    return jsonify(users.list_users(services(), current_actor(), request.args.get("role")))


@bp.post("/users")
def users_create():
    return users.create_user(services(), current_actor(), body()), 201


@bp.patch("/users/<int:user_id>")
def users_update(user_id):
    return users.update_user(services(), current_actor(), user_id, body())


# --- searches ----------------------------------------------------------------------------------------------------

@bp.get("/searches")
def searches_list():
    return jsonify(searches.list_searches(services(), current_actor(), request.args.get("status")))


@bp.post("/searches")
def searches_open():
    return searches.open_search(services(), current_actor(), body()), 201


@bp.get("/searches/<int:search_id>")
def searches_get(search_id):
    return searches.get_search(services(), current_actor(), search_id)


@bp.patch("/searches/<int:search_id>")
def searches_update(search_id):
    return searches.update_search(services(), current_actor(), search_id, body())


@bp.get("/searches/<int:search_id>/state")
def searches_state(search_id):
    return searches.get_state(services(), current_actor(), search_id)


@bp.post("/searches/<int:search_id>/status")
def searches_status(search_id):
    data = body()
    return searches.change_status(services(), current_actor(), search_id, data.get("status"), data.get("reason"))


@bp.post("/searches/<int:search_id>/found")
def searches_found(search_id):
    result = searches.mark_found(services(), current_actor(), search_id, body())
    return result, 200 if result["duplicate"] else 201


@bp.get("/searches/<int:search_id>/events")
def searches_events(search_id):
    return searches.list_events(services(), current_actor(), search_id, int_arg("after", 0), int_arg("limit", 1000))


def _state_part(search_id: int, key: str):
    return jsonify(searches.get_state(services(), current_actor(), search_id)[key])


@bp.get("/searches/<int:search_id>/members")
def members_list(search_id):
    return _state_part(search_id, "members")


@bp.post("/searches/<int:search_id>/members")
def members_add(search_id):
    return searches.add_member(services(), current_actor(), search_id, body().get("user_id")), 201


@bp.delete("/searches/<int:search_id>/members/<int:user_id>")
def members_remove(search_id, user_id):
    searches.remove_member(services(), current_actor(), search_id, user_id)
    return Response(status=204)


@bp.get("/searches/<int:search_id>/teams")
def teams_list(search_id):
    return _state_part(search_id, "teams")


@bp.post("/searches/<int:search_id>/teams")
def teams_create(search_id):
    return teams.create_team(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/teams/<int:team_id>")
def teams_update(search_id, team_id):
    return teams.update_team(services(), current_actor(), search_id, team_id, body())


@bp.get("/searches/<int:search_id>/assignments")
def assignments_list(search_id):
    return _state_part(search_id, "assignments")


@bp.post("/searches/<int:search_id>/assignments")
def assignments_create(search_id):
    return teams.create_assignment(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/assignments/<int:assignment_id>")
def assignments_update(search_id, assignment_id):
    return teams.update_assignment(services(), current_actor(), search_id, assignment_id, body())


@bp.post("/searches/<int:search_id>/assignments/<int:assignment_id>/status")
def assignments_status(search_id, assignment_id):
    return teams.change_assignment_status(services(), current_actor(), search_id, assignment_id, body())


@bp.get("/searches/<int:search_id>/tracks")
def tracks_list(search_id):
    return _state_part(search_id, "tracks")


@bp.post("/searches/<int:search_id>/tracks")
def tracks_add(search_id):
    result = field.add_track_batch(services(), current_actor(), search_id, body())
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
    return _state_part(search_id, "clues")


@bp.post("/searches/<int:search_id>/clues")
def clues_add(search_id):
    return field.report_clue(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/clues/<int:clue_id>/photo")
def clues_attach_photo(search_id, clue_id):
    """A clue's photo that followed it: {photo_id} of a photo uploaded for this search."""
    from ..services import clue_photos

    return clue_photos.attach_clue_photo(services(), current_actor(), search_id, clue_id, body())


# --- acknowledged broadcasts ----------------------------------------------------------------------------------------

@bp.get("/searches/<int:search_id>/broadcasts")
def broadcasts_list(search_id):
    return jsonify(broadcasts.list_broadcasts(services(), current_actor(), search_id))


@bp.post("/searches/<int:search_id>/broadcasts")
def broadcasts_send(search_id):
    return broadcasts.send(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/broadcasts/<int:broadcast_id>/ack")
def broadcasts_ack(search_id, broadcast_id):
    result = broadcasts.acknowledge(services(), current_actor(), search_id, broadcast_id)
    return result, 200 if result["duplicate"] else 201


# --- where to look -------------------------------------------------------------------------------------------------

@bp.get("/searches/<int:search_id>/model")
def model_get(search_id):
    return where.get_model(services(), current_actor(), search_id)


@bp.get("/searches/<int:search_id>/swept")
def model_swept(search_id):
    return where.swept(services(), current_actor(), search_id)


@bp.patch("/searches/<int:search_id>/model/settings")
def model_settings(search_id):
    return where.update_settings(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/model/recompute")
def model_recompute(search_id):
    return where.request_recompute(services(), current_actor(), search_id), 202


@bp.post("/searches/<int:search_id>/segments/grid")
def segments_grid(search_id):
    return where.generate_segments(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/segments")
def segments_add(search_id):
    return where.add_segment(services(), current_actor(), search_id, body()), 201


@bp.delete("/searches/<int:search_id>/segments/<int:segment_id>")
def segments_delete(search_id, segment_id):
    where.delete_segment(services(), current_actor(), search_id, segment_id)
    return Response(status=204)


@bp.post("/searches/<int:search_id>/poa/consensus")
def poa_consensus(search_id):
    return where.set_consensus(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/searched-areas")
def searched_areas_add(search_id):
    return where.mark_searched(services(), current_actor(), search_id, body()), 201


# --- retracting what was entered by mistake (dispatchers; services/retractions.py) ---------------------------------

@bp.post("/searches/<int:search_id>/searched-areas/<int:area_id>/retract")
def searched_areas_retract(search_id, area_id):
    """{reason}: the area is left out of every map and count from now on (kept, logged)."""
    return retractions.retract_area(services(), current_actor(), search_id, area_id, body())


@bp.post("/searches/<int:search_id>/clues/<int:clue_id>/retract")
def clues_retract(search_id, clue_id):
    """{reason}: the clue is left out of every map and list from now on (kept, logged)."""
    return retractions.retract_clue(services(), current_actor(), search_id, clue_id, body())


@bp.post("/searches/<int:search_id>/tracks/retract")
def tracks_retract(search_id):
    """{reason, event_seq} (one batch) or {reason, user_id, from, to, device?} (a range of one user's fixes)."""
    return retractions.retract_track(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/suggestions/accept")
def suggestions_accept(search_id):
    return where.accept_suggestion(services(), current_actor(), search_id, body()), 201


# --- cameras and video review ---------------------------------------------------------------------------------------

@bp.get("/cameras")
def cameras_list():
    """The registry a page at a time (``services.video.camera_page``: officers need ``bbox`` or ``search_id``):
    the cameras as a JSON list; the total in ``X-Total-Count``, the next page's offset in ``X-Next-Offset``."""
    page = video.camera_page(services(), current_actor(), request.args.get("bbox"),
                             request.args.get("active") == "all", int_arg("search_id", None),
                             int_arg("limit", None), int_arg("offset", 0))
    resp = jsonify(page["cameras"])
    resp.headers["X-Total-Count"] = str(page["total"])
    if page["next_offset"] is not None:
        resp.headers["X-Next-Offset"] = str(page["next_offset"])
    return resp


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
    text, mime = camera_files.export_cameras(services(), current_actor(), fmt)
    resp = Response(text, mimetype=mime.split(";")[0])
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
    return camera_files.page_cameras(services(), current_actor(), request.args.get("q"), int_arg("offset", 0),
                                     int_arg("limit", 50), request.args.get("active") != "active")


@bp.get("/searches/<int:search_id>/video")
def video_get(search_id):
    return video.get_video(services(), current_actor(), search_id)


@bp.post("/searches/<int:search_id>/video/tasks")
def video_task_create(search_id):
    return video.create_task(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/video/tasks/<int:task_id>")
def video_task_update(search_id, task_id):
    return video.update_task(services(), current_actor(), search_id, task_id, body())


@bp.post("/searches/<int:search_id>/video/overlaps")
def video_overlaps(search_id):
    return video.check_overlaps(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/video/intervals")
def video_interval(search_id):
    result = video.record_interval(services(), current_actor(), search_id, body())
    return result, 200 if result.get("duplicate") else 201


@bp.post("/searches/<int:search_id>/video/sightings")
def video_sighting(search_id):
    result = video.log_sighting(services(), current_actor(), search_id, body())
    return result, 200 if result.get("duplicate") else 201


@bp.post("/searches/<int:search_id>/video/sightings/<int:sighting_id>/decision")
def video_sighting_decide(search_id, sighting_id):
    return video.decide_sighting(services(), current_actor(), search_id, sighting_id, body())


@bp.get("/searches/<int:search_id>/video/trail")
def video_trail(search_id):
    return video.get_trail(services(), current_actor(), search_id)


@bp.get("/searches/<int:search_id>/video/blind-spot")
def video_blind_spot(search_id):
    return video.get_blind_spot(services(), current_actor(), search_id)


@bp.post("/searches/<int:search_id>/video/blind-spot/segments")
def video_blind_spot_segments(search_id):
    return video.blind_spot_segments(services(), current_actor(), search_id), 201


# --- photos, geocoding -------------------------------------------------------------------------------------------

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


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_spec

    return build_spec(current_app)
