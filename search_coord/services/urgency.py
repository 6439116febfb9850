"""The urgency strip's use cases: read it (missing for, light, cold, medication, risk, escalation prompts), enter the
weather, tick or dismiss a prompt, and an officer's one-tap "need help". Each change is one event in the log.

The station's settings come from the edge (``Station``): its time zone, its escalation checklist (a JSON file, or
``core.urgency.DEFAULT_CHECKLIST``) and an optional weather adapter (``now(lon, lat) -> {temperature_c,
low_tonight_c}`` or None; none in tests)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import PromptDecision, User, WeatherReading
from ..core import known_points, schemas, urgency
from ..core.errors import Conflict, ValidationError
from ..core.fields import Form
from . import events
from .access import load_search
from .context import Actor, Services
from .events import iso, naive_utc


@dataclass(frozen=True)
class Station:
    """The station's settings the strip needs: ``tz`` its zone, ``checklist`` the escalation prompts,
    ``weather`` an adapter or None."""

    tz: tzinfo
    checklist: tuple = urgency.DEFAULT_CHECKLIST
    weather: Any = field(default=None)


def load_checklist(path: str | None) -> tuple:
    """The escalation checklist from a JSON file (``core.urgency.clean_checklist``), the defaults when ``path`` is
    None. Raises ValueError naming the file when it is unreadable or wrong (at start-up, not on a night)."""
    if not path:
        return urgency.DEFAULT_CHECKLIST
    try:
        return urgency.clean_checklist(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"escalation checklist {path}: {exc}") from None


def _weather_view(w: WeatherReading | None) -> dict | None:
    if w is None:
        return None
    return {"temperature_c": w.temperature_c, "low_tonight_c": w.low_tonight_c, "at": iso(w.at), "source": w.source}


def get_urgency(svc: Services, actor: Actor, search_id: int, station: Station) -> dict:
    """The strip at the service's clock: ``core.urgency.summary`` of the search (see there), for anyone on it."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        since = known_points.missing_since(search.lkp_time, search.lkp_history)
        w = s.execute(select(WeatherReading).where(WeatherReading.search_id == search_id)
                      .order_by(WeatherReading.at.desc(), WeatherReading.id.desc()).limit(1)).scalar()
        rows = s.execute(select(PromptDecision, User.display_name).join(User, User.id == PromptDecision.decided_by)
                         .where(PromptDecision.search_id == search_id)).all()
        lon, lat = search.lkp["coordinates"][:2]
        risk, reasons, meds = search.risk, search.risk_reasons or [], (search.subject or {}).get("medications") or []
        status, found = search.status, search.found
    weather = _weather_view(w)
    if weather is None and station.weather is not None:
        try:
            live = station.weather.now(lon, lat)
        except Exception:   # noqa: BLE001 - a weather service down must not take the strip with it
            live = None
        if live:
            weather = {"temperature_c": live.get("temperature_c"), "low_tonight_c": live.get("low_tonight_c"),
                       "at": iso(now), "source": getattr(station.weather, "name", "weather")}
    decisions = {d.prompt_id: {"decision": d.decision, "note": d.note, "by": name} for d, name in rows}
    out = urgency.summary(now=now, missing_since=since, lon=lon, lat=lat, tz=station.tz, risk=risk, reasons=reasons,
                          medications=meds, weather=weather, checklist=station.checklist, decisions=decisions)
    out["status"], out["found"] = status, found
    return out


def set_weather(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A dispatcher enters the temperature now and tonight's low (°C, -60 to 60; either may be null). Logged as
    ``urgency.weather``. Returns the reading."""
    form = Form(data)
    form.unknown(("temperature_c", "low_tonight_c"))
    form.number("temperature_c", -60, 60)
    form.number("low_tonight_c", -60, 60)
    clean = form.result()
    if clean.get("temperature_c") is None and clean.get("low_tonight_c") is None:
        raise ValidationError({"temperature_c": "give the temperature now or tonight's low"})
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        w = WeatherReading(search_id=search_id, at=naive_utc(now), temperature_c=clean.get("temperature_c"),
                           low_tonight_c=clean.get("low_tonight_c"), source="dispatcher", entered_by=actor.user_id)
        s.add(w)
        s.flush()
        view = _weather_view(w)
        events.record(s, search_id, "urgency.weather", actor, {"weather": view}, now)
    return view


def decide_prompt(svc: Services, actor: Actor, search_id: int, prompt_id: str, data: dict) -> dict:
    """A dispatcher ticks (``done``) or dismisses an escalation prompt, with an optional note; once per prompt
    (Conflict when it was already decided). Logged as ``urgency.prompt``."""
    form = Form(data)
    form.unknown(("decision", "note"))
    form.choice("decision", urgency.PROMPT_DECISIONS, required=True)
    form.text("note", max_len=1000)
    clean = form.result()
    if not isinstance(prompt_id, str) or not 1 <= len(prompt_id) <= 40:
        raise ValidationError({"prompt_id": "must be a prompt of the checklist"})
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor, dispatcher_only=True)
            schemas.check_search_writable(search.status)
            s.add(PromptDecision(search_id=search_id, prompt_id=prompt_id, decision=clean["decision"],
                                 note=clean.get("note"), decided_by=actor.user_id, decided_at=naive_utc(now)))
            s.flush()
            view = {"prompt_id": prompt_id, "decision": clean["decision"], "note": clean.get("note")}
            events.record(s, search_id, "urgency.prompt", actor, view, now)
    except IntegrityError:
        raise Conflict(f"the prompt {prompt_id} was already decided") from None
    return view


def request_help(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """An officer's one-tap "need help": where they are (a Point, or null when the phone has no fix) and an optional
    note; applied once per client id. Logged as ``help.requested`` (every console sounds it)."""
    form = Form(data)
    form.unknown(("location", "note", "client_id", "accuracy_m"))
    form.client_id(required=True)
    form.point("location")
    form.text("note", max_len=500)
    form.number("accuracy_m", 0, 100_000)
    clean = form.result()
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            ev = events.begin(s, search_id, "help.requested", actor, now, client_id=clean["client_id"])
            schemas.check_search_writable(search.status)
            payload = {"user_id": actor.user_id, "location": clean.get("location"),
                       "accuracy_m": clean.get("accuracy_m"), "note": clean.get("note"), "at": iso(now)}
            return events.finish(s, ev, payload)["payload"]
    except IntegrityError as exc:
        return events.replayed(svc, search_id, clean["client_id"], exc, actor=actor,
                               type_="help.requested")["payload"]
