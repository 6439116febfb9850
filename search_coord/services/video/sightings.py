"""Sightings and the chain of known points: a reviewer logs a sighting, a dispatcher confirms, rejects or retracts
it; the chain (``core.known_points``) is rebuilt from the confirmed ones and moves the last known point; every unit
is alerted (``sighting_alert``); the trail of confirmed sightings with the speeds it implies."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...adapters.models import Camera, Event, Search, Sighting
from ...core import alerts, known_points, schemas, video
from ...core.cameras import compass_label
from ...core.errors import Conflict, NotFound, ValidationError
from ...core.fields import parse_time
from ...core.known_points import KnownPoint, Leg
from .. import events, recompute, segment_edits
from ..access import load_search, require_dispatcher
from ..broadcasts import record_alert
from ..context import Actor, Services
from ..events import iso, naive_utc
from ..photos import attach_photo
from ..views import search_view
from .region import begin_report, speeds, stored_chain


def sighting_view(x: Sighting, cam: Camera) -> dict:
    return {"id": x.id, "camera_id": x.camera_id, "code": cam.code, "camera_name": cam.name,
            "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
            "time": iso(x.time), "recorder_time": iso(x.recorder_time), "direction_deg": x.direction_deg,
            "direction": compass_label(x.direction_deg), "confidence": x.confidence, "photo_id": x.photo_id,
            "notes": x.notes, "status": x.status, "reported_by": x.reported_by, "reported_at": iso(x.reported_at),
            "decided_by": x.decided_by, "decided_at": iso(x.decided_at), "decision_note": x.decision_note}


def sighting_point(x: Sighting, cam: Camera) -> KnownPoint:
    """A sighting as a known point of the chain (at its camera)."""
    return KnownPoint(cam.lon, cam.lat, known_points.as_utc(x.time), "sighting", x.id, cam.id,
                      f"{cam.code} {cam.name}"[:300], x.direction_deg)


def log_sighting(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A reviewer logs the subject seen on a camera (pending until a dispatcher decides). Applied once per client id."""
    now = svc.now()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    try:
        with svc.transaction() as s:
            search, cam, clean, ev = begin_report(s, search_id, actor, data, now, video.clean_sighting,
                                                  "video.sighting_logged")
            attach_photo(s, clean.get("photo_id"), search_id, actor=actor)
            x = Sighting(search_id=search_id, camera_id=cam.id, time=naive_utc(clean["time"]),
                         recorder_time=naive_utc(clean["recorder_time"]), direction_deg=clean.get("direction_deg"),
                         confidence=clean["confidence"], photo_id=clean.get("photo_id"), notes=clean.get("notes"),
                         status="pending", reported_by=actor.user_id, reported_at=naive_utc(now), clock=clean["clock"])
            s.add(x)
            s.flush()
            view = sighting_view(x, cam)
            events.finish(s, ev, {"sighting": view})
        return view
    except IntegrityError as exc:
        return {**events.replayed(svc, search_id, client_id, exc, actor=actor,
                                 type_="video.sighting_logged")["payload"]["sighting"], "duplicate": True}


def _confirmed(s, search_id: int) -> list[tuple[Sighting, Camera]]:
    return s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id).where(
        Sighting.search_id == search_id, Sighting.status == "confirmed").order_by(Sighting.time, Sighting.id)).all()


def _leg_view(leg: Leg) -> dict:
    return {"distance_m": round(leg.distance_m, 1), "seconds": leg.seconds,
            "speed_ms": None if leg.speed_ms is None else round(leg.speed_ms, 3), "flag": leg.flag}


def trail_of(s, search: Search) -> dict:
    """The confirmed trail: its points, the legs between them (and from the origin to the first) with their speeds."""
    rows = _confirmed(s, search.id)
    points = [{"sighting_id": x.id, "camera_id": cam.id, "code": cam.code, "camera_name": cam.name,
               "time": iso(x.time), "location": {"type": "Point", "coordinates": [cam.lon, cam.lat]},
               "direction_deg": x.direction_deg, "direction": compass_label(x.direction_deg),
               "confidence": x.confidence} for x, cam in rows]
    first = stored_chain(search)[0]
    leg0, legs = known_points.trail_legs(first, [sighting_point(x, c) for x, c in rows], speeds(search)[1])
    origin = {"location": {"type": "Point", "coordinates": [first.lon, first.lat]}, "time": iso(first.t),
              "leg": None if leg0 is None else {"from": None, "to": leg0.to_id, **_leg_view(leg0)}}
    return {"points": points, "origin": origin,
            "legs": [{"from": leg.from_id, "to": leg.to_id, **_leg_view(leg)} for leg in legs],
            "line": {"type": "LineString", "coordinates": [[c.lon, c.lat] for _, c in rows]} if len(rows) > 1
            else None}


def with_implied(view: dict, x: Sighting, cam: Camera, search: Search, sightings: list[Sighting],
                 cams: dict[int, Camera]) -> dict:
    """A pending sighting with the leg it would add to the trail: from the latest confirmed sighting before it (or
    where the person was first last seen), so the dispatcher sees an impossible speed before confirming; and the leg
    out, to the next confirmed sighting after it (confirming one in between can break that one)."""
    if x.status != "pending":
        return view
    confirmed = [sighting_point(y, cams[y.camera_id]) for y in sightings if y.status == "confirmed"]
    leg_in, leg_out = known_points.implied_legs(sighting_point(x, cam), stored_chain(search)[0], confirmed,
                                                speeds(search)[1])
    if leg_in is None:
        return view
    view["implied"] = {"other": leg_in.from_id, **_leg_view(leg_in), "from": leg_in.from_id}
    if leg_out is not None:
        view["implied_next"] = {"other": leg_out.to_id, **_leg_view(leg_out), "to": leg_out.to_id}
    return view


def get_trail(svc: Services, actor: Actor, search_id: int) -> dict:
    with svc.reading() as s:
        return trail_of(s, load_search(s, search_id, actor))


def sighting_alert(kind: str, x: Sighting, cam: Camera, tz_offset_min: int) -> alerts.Alert:
    """The alert every unit gets about a sighting as {kind, params} (each page words it in its language), with its
    English and Chinese lines as the fallback text (``tz_offset_min`` words their time): ``kind`` "sighting"
    (confirming it moved the last known point) or "disregard" (it was retracted)."""
    seen = known_points.as_utc(x.time)
    if kind == "disregard":
        return alerts.disregard(seen, cam.code, cam.name, tz_offset_min)
    return alerts.sighting(seen, cam.code, cam.name, compass_label(x.direction_deg), tz_offset_min)


def decide_sighting(svc: Services, actor: Actor, search_id: int, sighting_id: int, data: dict) -> dict:
    """A dispatcher confirms or rejects a pending sighting, or retracts a confirmed one. A confirmed sighting later
    than the last known point becomes the new last known point (the model tilts along its direction of travel and
    is recomputed) and every unit gets an acknowledged alert."""
    require_dispatcher(actor)
    if not isinstance(data, dict) or data.get("decision") not in ("confirm", "reject", "retract"):
        raise ValidationError({"decision": "must be confirm, reject or retract"})
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise ValidationError({"note": "must be text of at most 2000 characters"})
    tz_offset = data.get("tz_offset_min", 0)
    if isinstance(tz_offset, bool) or not isinstance(tz_offset, int) or not -840 <= tz_offset <= 840:
        raise ValidationError({"tz_offset_min": "must be minutes east of UTC, -840 to 840"})
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        x = s.get(Sighting, sighting_id)
        if x is None or x.search_id != search_id:
            raise NotFound(f"sighting {sighting_id} not found on search {search_id}")
        cam = s.get(Camera, x.camera_id)
        if data["decision"] == "retract":
            if x.status != "confirmed":
                raise Conflict(f"sighting {sighting_id} is {x.status}: only a confirmed sighting can be retracted")
            result, moved = _retract(s, search, x, cam, actor, note, tz_offset, now)
        else:
            if x.status != "pending":
                raise Conflict(f"sighting {sighting_id} was already {x.status}")
            result, moved = _decide(s, search, x, cam, actor, data["decision"], note, tz_offset, now)
    if moved:
        recompute.schedule_recompute(svc, search_id, f"sighting {sighting_id} {data['decision']}ed: the last known "
                                                 f"point changed")
    return result


def _decide(s, search: Search, x: Sighting, cam: Camera, actor: Actor, decision: str, note, tz_offset: int,
            now: datetime) -> tuple[dict, bool]:
    x.status = "confirmed" if decision == "confirm" else "rejected"
    x.decided_by, x.decided_at, x.decision_note = actor.user_id, naive_utc(now), note
    s.flush()
    # news for every unit when it moves the last known point; an earlier sighting confirmed late fills in the trail
    moved = x.status == "confirmed" and settle_lkp(s, search, actor, now)
    trail = trail_of(s, search)
    view = sighting_view(x, cam)
    events.record(s, search.id, "video.sighting_decided", actor, {"sighting": view, "trail": trail, "lkp_moved": moved},
                  now)
    if moved:
        record_alert(s, search.id, actor, sighting_alert("sighting", x, cam, tz_offset), now)
    return {**view, "lkp_moved": moved, "trail": trail, "alerted": moved}, moved


def _was_alerted(s, search_id: int, sighting_id: int) -> bool:
    """Whether confirming this sighting moved the last known point (and so alerted every unit)."""
    for payload in s.execute(select(Event.payload).where(Event.search_id == search_id,
                                                         Event.type == "video.sighting_decided")).scalars():
        if (payload.get("sighting") or {}).get("id") == sighting_id and payload.get("lkp_moved"):
            return True
    return False


def _retract(s, search: Search, x: Sighting, cam: Camera, actor: Actor, note, tz_offset: int,
             now: datetime) -> tuple[dict, bool]:
    """Take back a confirmed sighting (a mistaken confirmation sends every patrol the wrong way): it leaves the chain
    of known points, the last known point is the latest confirmed one left (or the first), the model is recomputed,
    and every unit that was alerted of it is told to disregard it."""
    alerted = _was_alerted(s, search.id, x.id)
    x.status, x.decided_by, x.decided_at = "retracted", actor.user_id, naive_utc(now)
    x.decision_note = note or x.decision_note
    s.flush()
    moved = settle_lkp(s, search, actor, now)
    trail = trail_of(s, search)
    view = sighting_view(x, cam)
    events.record(s, search.id, "video.sighting_decided", actor,
                  {"sighting": view, "trail": trail, "lkp_moved": moved}, now)
    if alerted:
        record_alert(s, search.id, actor, sighting_alert("disregard", x, cam, tz_offset), now)
    return {**view, "lkp_moved": moved, "trail": trail, "alerted": alerted}, moved


def settle_lkp(s, search: Search, actor: Actor, now: datetime) -> bool:
    """Rebuild the chain of known points from the sightings as they stand (after a sighting is confirmed or
    retracted, or its time corrected) and store it: the last known point is its last. Says what changed (a
    ``search.updated`` event). True if the last known point moved."""
    stored = search.lkp_history[0] if search.lkp_history else None
    origin_lkp = stored["lkp"] if stored else search.lkp
    origin_time = stored["lkp_time"] if stored else iso(search.lkp_time)   # as stored: to the millisecond
    origin = replace(stored_chain(search)[0], t=parse_time(origin_time))
    chain = known_points.chain(origin, [sighting_point(x, c) for x, c in _confirmed(s, search.id)], speeds(search)[1])
    when = {h.get("replaced_by"): h.get("replaced_at") for h in (search.lkp_history or [])}
    history = known_points.history_entries(chain.points, when, iso(now))
    if history:
        history[0] = {**history[0], "lkp": origin_lkp, "lkp_time": origin_time}
    lkp = chain.lkp
    new = {"lkp": origin_lkp if len(chain.points) == 1 else {"type": "Point", "coordinates": [lkp.lon, lkp.lat]},
           "lkp_time": naive_utc(parse_time(iso(lkp.t))), "lkp_address": lkp.address, "heading_deg": lkp.heading_deg}
    changes = {k: v for k, v in new.items() if getattr(search, k) != v}
    search.lkp_history = history or None
    if not changes:
        return False
    for k, v in changes.items():
        setattr(search, k, v)
    s.flush()
    segment_edits.bump_model_version(search, s)
    shown = {k: iso(v) if k == "lkp_time" else v for k, v in changes.items()}
    events.record(s, search.id, "search.updated", actor, {"changes": shown, "search": search_view(search)}, now)
    return True
