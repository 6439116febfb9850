"""The urgency strip: read it, enter the weather, tick or dismiss an escalation prompt; an officer's "need help"."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app

from ...identity import current_actor, services
from ...services import urgency
from .common import body, bp


def _station_of(cfg) -> urgency.Station:
    return urgency.Station(tz=ZoneInfo(cfg["TIMEZONE"]), checklist=urgency.load_checklist(cfg.get("ESCALATION_CHECKLIST")),
                           weather=cfg.get("WEATHER_ADAPTER"))


@bp.record_once
def _load_station(state) -> None:
    """Read the station's settings when the app is built: a wrong zone or checklist file stops the start, named."""
    state.app.extensions["search_coord_station"] = _station_of(state.app.config)


def station() -> urgency.Station:
    """The station's zone, checklist and weather adapter (read when the app was built)."""
    ext = current_app.extensions
    if "search_coord_station" not in ext:
        ext["search_coord_station"] = _station_of(current_app.config)
    return ext["search_coord_station"]


@bp.get("/searches/<int:search_id>/urgency")
def urgency_get(search_id):
    return urgency.get_urgency(services(), current_actor(), search_id, station())


@bp.post("/searches/<int:search_id>/weather")
def urgency_weather(search_id):
    return urgency.set_weather(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/prompts/<prompt_id>")
def urgency_prompt(search_id, prompt_id):
    return urgency.decide_prompt(services(), current_actor(), search_id, prompt_id, body()), 201


@bp.post("/searches/<int:search_id>/help")
def help_request(search_id):
    return urgency.request_help(services(), current_actor(), search_id, body()), 201
