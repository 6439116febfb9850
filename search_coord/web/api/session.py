"""Logging in and out, the names the forms offer, and the OpenAPI document."""
from __future__ import annotations

from flask import current_app

from ...core import alerts, behaviour, catalogue, schemas
from ...core.errors import NotAuthenticated
from ...services import users
from ...identity import current_actor, current_user, services
from ..auth import csrf_token, login, logout
from ..openapi import build_spec
from .common import body, bp


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
    """The names the forms offer: categories, terrains, risk levels and reasons, team kinds, statuses; the event
    catalogue (every event type with its payload fields, audience and timeline flag) and the server's alert kinds."""
    current_actor()
    return {"categories": list(behaviour.categories()), "terrains": list(behaviour.terrains()),
            "sexes": list(schemas.SEXES), "risk_levels": list(schemas.RISK_LEVELS),
            "risk_reasons": list(schemas.RISK_REASONS), "team_kinds": list(schemas.TEAM_KINDS),
            "assignment_kinds": list(schemas.ASSIGNMENT_KINDS), "assignment_statuses": list(schemas.ASSIGNMENT_STATUSES),
            "assignment_transitions": {k: list(v) for k, v in schemas.ASSIGNMENT_TRANSITIONS.items()},
            "search_statuses": list(schemas.SEARCH_STATUSES), "clue_kinds": list(schemas.CLUE_KINDS),
            "found_conditions": list(schemas.FOUND_CONDITIONS), "roles": list(schemas.ROLES),
            "geocoder": services().geocoder is not None, "event_types": catalogue.as_json(),
            "alert_kinds": {k: list(v) for k, v in alerts.KINDS.items()}}


@bp.get("/openapi.json")
def openapi():
    return build_spec(current_app)
