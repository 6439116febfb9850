"""Accounts (dispatchers list them, admins create and edit them)."""
from __future__ import annotations

from flask import jsonify, request

from ...services import users
from ...identity import current_actor, services
from .common import body, bp


@bp.get("/users")
def users_list():
    return jsonify(users.list_users(services(), current_actor(), request.args.get("role")))


@bp.post("/users")
def users_create():
    return users.create_user(services(), current_actor(), body()), 201


@bp.patch("/users/<int:user_id>")
def users_update(user_id):
    return users.update_user(services(), current_actor(), user_id, body())
