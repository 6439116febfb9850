"""Undoing what was entered by mistake: a dispatcher retracts a searched area, a track (one user's fixes over a time
range, or one batch by its event number) or a clue. Nothing is deleted: the rows are kept with when, by whom and the
number of the retraction event (which carries the reason), and every map, list and count leaves them out from then
on (``get_state``, the where-to-look recompute, the swept area). The model is recomputed after an area or a track."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from ..adapters.models import Clue, SearchedArea, TrackPoint
from ..core import schemas
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.fields import Form
from . import events, recompute
from .access import load_search
from .context import Actor, Services
from .events import iso, naive_utc


def _reason(form: Form) -> str:
    form.text("reason", required=True, max_len=1000)
    out = form.result()
    if len(out["reason"]) < 3:
        raise ValidationError({"reason": "say why (at least 3 characters): it stays in the log"})
    return out["reason"]


def _mark(row, actor: Actor, now: datetime, seq: int) -> None:
    row.retracted_at, row.retracted_by, row.retracted_seq = naive_utc(now), actor.user_id, seq


def _retract_row(svc: Services, actor: Actor, search_id: int, model, row_id: int, what: str, event_type: str,
                 key: str, data: dict) -> dict:
    """Retract one row (a searched area, a clue) of a search: checks, marks it, logs ``event_type``
    ``{key: row_id, "reason"}`` and returns that payload with its ``seq``."""
    form = Form(data)
    form.unknown(("reason",))
    reason = _reason(form)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        row = s.get(model, row_id)
        if row is None or row.search_id != search_id:
            raise NotFound(f"{what} {row_id} not found on this search")
        if row.retracted_at is not None:
            raise Conflict(f"{what} {row_id} was already retracted")
        ev = events.begin(s, search_id, event_type, actor, now)
        _mark(row, actor, now, ev.seq)
        payload = {key: row_id, "reason": reason}
        events.finish(s, ev, payload)
    return {**payload, "seq": ev.seq}


def retract_area(svc: Services, actor: Actor, search_id: int, area_id: int, data: dict) -> dict:
    """A dispatcher retracts searched area ``area_id`` (``data``: ``{"reason"}``, 3 to 1000 characters).

    Logs ``area.retracted`` ``{"area_id", "reason"}``; the area's coverage goes with the recompute that follows.
    Returns the event's payload with its ``seq``. Raises ``ValidationError`` (reason), ``Forbidden`` (not a
    dispatcher), ``NotFound`` (no such area on this search), ``Conflict`` (already retracted, or the search closed).
    """
    out = _retract_row(svc, actor, search_id, SearchedArea, area_id, "searched area", "area.retracted", "area_id",
                       data)
    recompute.schedule_recompute(svc, search_id, f"searched area {area_id} retracted")
    return out


def retract_clue(svc: Services, actor: Actor, search_id: int, clue_id: int, data: dict) -> dict:
    """A dispatcher retracts clue ``clue_id`` (``data``: ``{"reason"}``). Logs ``clue.retracted``
    ``{"clue_id", "reason"}``; returns it with its ``seq``. Errors as ``retract_area``."""
    return _retract_row(svc, actor, search_id, Clue, clue_id, "clue", "clue.retracted", "clue_id", data)


def retract_track(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A dispatcher retracts fixes: one batch (``{"event_seq", "reason"}``, the number of its ``track.points``
    event) or one user's fixes over a time range (``{"user_id", "from", "to", "device"?, "reason"}``, ISO 8601 times,
    ``from`` <= ``to``; without ``device``, every device of that user).

    Logs ``track.retracted`` ``{"reason", "user_id", "device" (None: all), "from", "to" (the first and last retracted
    fix, ISO), "event_seq" (or None), "count"}``; coverage follows with the recompute. Returns it with its ``seq``.
    Raises ``ValidationError`` (bad fields; no fix left to retract there), ``Forbidden``, ``Conflict`` (closed).
    """
    form = Form(data)
    form.unknown(("reason", "event_seq", "user_id", "from", "to", "device"))
    now = svc.now()
    form.identifier("event_seq")
    form.identifier("user_id")
    form.time("from", now)
    form.time("to", now)
    form.text("device", max_len=64)
    reason = _reason(form)
    clean = form.result()
    by_batch = clean.get("event_seq") is not None
    if by_batch == any(clean.get(k) is not None for k in ("user_id", "from", "to")):
        raise ValidationError({"event_seq": "give either event_seq (one batch) or user_id, from and to (a range)"})
    if not by_batch:
        missing = [k for k in ("user_id", "from", "to") if clean.get(k) is None]
        if missing:
            raise ValidationError({k: "is required with a time range" for k in missing})
        if clean["from"] > clean["to"]:
            raise ValidationError({"to": "must not be before from"})
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        where_ = [TrackPoint.search_id == search_id, TrackPoint.retracted_at.is_(None)]
        if by_batch:
            where_.append(TrackPoint.event_seq == clean["event_seq"])
        else:
            where_ += [TrackPoint.user_id == clean["user_id"], TrackPoint.t >= naive_utc(clean["from"]),
                       TrackPoint.t <= naive_utc(clean["to"])]
            if clean.get("device") is not None:
                where_.append(TrackPoint.device == clean["device"])
        count, first, last, users, devices = s.execute(
            select(func.count(), func.min(TrackPoint.t), func.max(TrackPoint.t),
                   func.min(TrackPoint.user_id), func.count(func.distinct(TrackPoint.device))).where(*where_)).one()
        if not count:
            raise ValidationError({"event_seq" if by_batch else "from": "no fixes (not already retracted) there"})
        device = clean.get("device")
        if device is None and devices == 1:
            device = s.execute(select(TrackPoint.device).where(*where_).limit(1)).scalar()
        ev = events.begin(s, search_id, "track.retracted", actor, now)
        s.execute(update(TrackPoint).where(*where_).values(retracted_at=naive_utc(now), retracted_by=actor.user_id,
                                                           retracted_seq=ev.seq))
        payload = {"reason": reason, "user_id": users if by_batch else clean["user_id"], "device": device,
                   "from": iso(first), "to": iso(last), "event_seq": clean.get("event_seq"), "count": count}
        events.finish(s, ev, payload)
    recompute.schedule_recompute(svc, search_id, f"{count} fixes retracted")
    return {**payload, "seq": ev.seq}
