"""Teams, their assignments, and broadcasts that members acknowledge."""
from __future__ import annotations

from flask import jsonify

from ...services import broadcasts, teams
from ...identity import current_actor, services
from .common import body, bp, state_part


@bp.get("/searches/<int:search_id>/teams")
def teams_list(search_id):
    return state_part(search_id, "teams")


@bp.post("/searches/<int:search_id>/teams")
def teams_create(search_id):
    return teams.create_team(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/teams/<int:team_id>")
def teams_update(search_id, team_id):
    return teams.update_team(services(), current_actor(), search_id, team_id, body())


@bp.get("/searches/<int:search_id>/assignments")
def assignments_list(search_id):
    return state_part(search_id, "assignments")


@bp.post("/searches/<int:search_id>/assignments")
def assignments_create(search_id):
    return teams.create_assignment(services(), current_actor(), search_id, body()), 201


@bp.patch("/searches/<int:search_id>/assignments/<int:assignment_id>")
def assignments_update(search_id, assignment_id):
    return teams.update_assignment(services(), current_actor(), search_id, assignment_id, body())


@bp.post("/searches/<int:search_id>/assignments/<int:assignment_id>/status")
def assignments_status(search_id, assignment_id):
    return teams.change_assignment_status(services(), current_actor(), search_id, assignment_id, body())


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
