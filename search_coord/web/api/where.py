"""Where to look: the model, its settings and recompute, segments, consensus POA, searched areas, suggestions, and
retracting what was entered by mistake."""
from __future__ import annotations

from flask import Response

from ...services import model_read, recompute, retractions, searched_areas, segment_edits, segment_update
from ...identity import current_actor, services
from .common import body, bp


@bp.get("/searches/<int:search_id>/model")
def model_get(search_id):
    return model_read.get_model(services(), current_actor(), search_id)


@bp.get("/searches/<int:search_id>/swept")
def model_swept(search_id):
    return model_read.swept(services(), current_actor(), search_id)


@bp.patch("/searches/<int:search_id>/model/settings")
def model_settings(search_id):
    return segment_edits.update_settings(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/model/recompute")
def model_recompute(search_id):
    return recompute.request_recompute(services(), current_actor(), search_id), 202


@bp.post("/searches/<int:search_id>/segments/grid")
def segments_grid(search_id):
    return segment_edits.generate_segments(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/segments")
def segments_add(search_id):
    return segment_edits.add_segment(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/segments/<int:segment_id>")
def segments_update(search_id, segment_id):
    return segment_update.update_segment(services(), current_actor(), search_id, segment_id, body())


@bp.delete("/searches/<int:search_id>/segments/<int:segment_id>")
def segments_delete(search_id, segment_id):
    segment_edits.delete_segment(services(), current_actor(), search_id, segment_id)
    return Response(status=204)


@bp.post("/searches/<int:search_id>/poa/consensus")
def poa_consensus(search_id):
    return segment_edits.set_consensus(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/searched-areas")
def searched_areas_add(search_id):
    return searched_areas.mark_searched(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/suggestions/accept")
def suggestions_accept(search_id):
    return searched_areas.accept_suggestion(services(), current_actor(), search_id, body()), 201


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
