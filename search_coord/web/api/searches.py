"""Searches: open, read, edit, status and found; the event log; the people on a search."""
from __future__ import annotations

from flask import Response, jsonify, request

from ...core.fields import MAX_SAFE_INT
from ...services import searches, track_display
from ...identity import current_actor, services
from .common import body, bp, int_args, state_part


@bp.get("/searches")
def searches_list():
    return jsonify(searches.list_searches(services(), current_actor(), request.args.get("status")))


@bp.post("/searches")
def searches_open():
    return searches.open_search(services(), current_actor(), body(), propose=True), 201   # segments at once


@bp.get("/searches/<int:search_id>")
def searches_get(search_id):
    return searches.get_search(services(), current_actor(), search_id)


@bp.patch("/searches/<int:search_id>")
def searches_update(search_id):
    return searches.update_search(services(), current_actor(), search_id, body())


@bp.get("/searches/<int:search_id>/state")
def searches_state(search_id):
    """``?tracks=display`` (the maps): tracks simplified for display, with ``tracks_detail``; default every fix."""
    return searches.get_state(services(), current_actor(), search_id, request.args.get("tracks", "full"))


@bp.get("/searches/<int:search_id>/tracks/<int:user_id>")
def track_fixes(search_id, user_id):
    """One officer's full track a page at a time: ``?after=<next of the previous page>&limit=N``."""
    (limit,) = int_args(("limit", 10000, 1, track_display.MAX_PAGE))
    return track_display.track_fixes(services(), current_actor(), search_id, user_id, request.args.get("after"),
                                     limit)


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
    """Catch up with ``?after=seq``; page back from the newest with ``?newest=1`` then ``?before=next_before``."""
    after, before, newest, limit = int_args(("after", None, 0, MAX_SAFE_INT), ("before", None, 1, MAX_SAFE_INT),
                                            ("newest", 0, 0, 1), ("limit", 1000, 1, 5000))
    return searches.list_events(services(), current_actor(), search_id, after, limit, before, bool(newest))


@bp.get("/searches/<int:search_id>/members")
def members_list(search_id):
    return state_part(search_id, "members")


@bp.post("/searches/<int:search_id>/members")
def members_add(search_id):
    return searches.add_member(services(), current_actor(), search_id, body().get("user_id")), 201


@bp.delete("/searches/<int:search_id>/members/<int:user_id>")
def members_remove(search_id, user_id):
    searches.remove_member(services(), current_actor(), search_id, user_id)
    return Response(status=204)
