"""Video review of a search: tasks, overlaps, reviewed intervals, sightings and decisions, trail, blind spot."""
from __future__ import annotations

from ...services import video
from ...identity import current_actor, services
from .common import body, bp


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
