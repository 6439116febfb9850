"""What officers send from the field: GPS fix batches, clues and sightings, photos."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Clue, Photo, TrackPoint
from ..core import model
from ..core.errors import NotFound, ValidationError
from ..core.photos import sniff_image
from . import events, where
from .access import load_search
from .context import Actor, Services
from .events import iso, naive_utc
from .views import clue_view


def _lkp_time(search, now):
    return search.lkp_time.replace(tzinfo=now.tzinfo)


def add_track_batch(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Store a batch of the actor's own fixes; a batch re-sent with the same client id is stored once.

    Returns ``{"accepted": n, "seq": event seq, "duplicate": bool}``.
    """
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = model.clean_track_batch(data, now, _lkp_time(search, now))
            ev = events.begin(s, search_id, "track.points", actor, now, client_id=clean["client_id"])
            model.check_search_writable(search.status)
            pts = clean["points"]
            # Coverage first: it continues the track from the last fix stored before this batch.
            coverage = where.coverage_for_fixes(s, search, actor.user_id, pts)
            s.execute(TrackPoint.__table__.insert(), [   # Core: the ORM's bulk path costs more than the insert
                {"search_id": search_id, "user_id": actor.user_id, "t": naive_utc(p["t"]), "lon": p["lon"],
                 "lat": p["lat"], "acc": p.get("acc"), "run": p["run"], "event_seq": ev.seq} for p in pts])
            # The event carries the batch simplified for display (2 m); the full track is in the API.
            shown = where.display_points(search, pts)
            events.finish(s, ev, {"user_id": actor.user_id, "count": len(pts),
                                  "points": [[p["lon"], p["lat"], iso(p["t"]), p.get("acc"), p["run"]] for p in shown],
                                  "coverage": {str(k): v for k, v in coverage.items()}})
        return {"accepted": len(pts), "seq": ev.seq, "duplicate": False}
    except IntegrityError as exc:
        ev = events.replayed(svc, search_id, data.get("client_id") if isinstance(data, dict) else None, exc)
        return {"accepted": len(ev["payload"]["points"]), "seq": ev["seq"], "duplicate": True}


def report_clue(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A clue or sighting from anyone on the search; applied once per client id."""
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = model.clean_clue(data, now, _lkp_time(search, now))
            ev = events.begin(s, search_id, "clue.reported", actor, now, client_id=clean.get("client_id"))
            model.check_search_writable(search.status)
            attach_photo(s, clean.get("photo_id"), search_id)
            clue = Clue(search_id=search_id, kind=clean["kind"], time=naive_utc(clean["time"]),
                        location=clean["location"], text=clean["text"], direction=clean.get("direction"),
                        photo_id=clean.get("photo_id"), reported_by=actor.user_id, reported_at=naive_utc(now))
            s.add(clue)
            s.flush()
            view = clue_view(clue)
            events.finish(s, ev, {"clue": view})
        return view
    except IntegrityError as exc:
        client_id = data.get("client_id") if isinstance(data, dict) else None
        return events.replayed(svc, search_id, client_id, exc)["payload"]["clue"]


def attach_photo(session, photo_id: int | None, search_id: int) -> None:
    """A report's photo: one uploaded for this search, or not yet given to any (it joins the search now)."""
    if photo_id is None:
        return
    photo = session.get(Photo, photo_id)
    if photo is None or photo.search_id not in (None, search_id):
        raise ValidationError({"photo_id": f"photo {photo_id} does not exist on this search"})
    photo.search_id = search_id


def upload_photo(svc: Services, actor: Actor, data: bytes, search_id: int | None = None,
                 client_id: str | None = None) -> dict:
    """Store a photo whole (one transaction) after checking it is an image of acceptable size. With a client id,
    a retry of an upload whose answer was lost gets the first photo back instead of storing it again."""
    mime = sniff_image(data)
    if client_id is not None:
        check = model.Form({"client_id": client_id})
        check.client_id()
        check.result()
    now = svc.now()
    try:
        with svc.transaction() as s:
            if search_id is not None:
                load_search(s, search_id, actor)
            photo = Photo(search_id=search_id, mime=mime, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                          data=data, uploaded_by=actor.user_id, uploaded_at=naive_utc(now), client_id=client_id)
            s.add(photo)
            s.flush()
            return {"id": photo.id, "mime": mime, "size": photo.size, "sha256": photo.sha256, "duplicate": False}
    except IntegrityError:
        if client_id is None:
            raise
        with svc.reading() as s:
            photo = s.execute(select(Photo).where(Photo.uploaded_by == actor.user_id,
                                                  Photo.client_id == client_id)).scalar_one()
            return {"id": photo.id, "mime": photo.mime, "size": photo.size, "sha256": photo.sha256,
                    "duplicate": True}


def get_photo(svc: Services, actor: Actor, photo_id: int) -> tuple[bytes, str]:
    """A photo's bytes and type; visible to those who may see its search (or its uploader, before it is used)."""
    with svc.reading() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise NotFound(f"photo {photo_id} not found")
        if photo.search_id is not None:
            load_search(s, photo.search_id, actor)
        elif photo.uploaded_by != actor.user_id and not actor.is_dispatcher:
            raise NotFound(f"photo {photo_id} not found")
        return photo.data, photo.mime
