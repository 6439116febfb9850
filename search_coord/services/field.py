"""What officers send from the field: GPS fix batches, clues and sightings, photos."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Clue, DeviceClock, Photo
from ..core import known_points, model
from ..core.errors import NotFound, ValidationError
from ..core.photos import sniff_image
from . import events, tracks
from .access import load_search
from .context import Actor, Services
from .events import naive_utc
from .views import clue_view


def missing_since(search) -> datetime:
    """When the person went missing (the first last-known time; a moved last known point never changes it)."""
    return known_points.missing_since(search.lkp_time, search.lkp_history)


def add_track_batch(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Store a batch of the actor's own fixes; a batch re-sent with the same client id is stored once.

    One bad fix never refuses the batch: it is reported in ``rejected`` (``[{"index", "reason"}]``) and the rest
    are stored. A phone whose clock is off (its ``sent_at`` against the server's clock) has its fix times corrected
    and its offset recorded. Returns ``{"accepted": n, "rejected": [...], "clock_offset_s": s or None,
    "seq": event seq, "duplicate": bool}``; a batch of a closed search is refused whole (``Conflict``).
    """
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = model.clean_track_batch(data, now, missing_since(search))
            ev = events.begin(s, search_id, "track.points", actor, now, client_id=clean["client_id"])
            model.check_search_writable(search.status)
            device, offset = clean["device"], clean["clock_offset_s"]
            done = tracks.record_fixes(s, search, actor.user_id, device, clean["points"], ev.seq)
            rejected = sorted(clean["rejected"] + done["rejected"], key=lambda r: r["index"])
            _note_clock(s, search_id, actor.user_id, device, offset, now)
            events.finish(s, ev, {"user_id": actor.user_id, "device": device, "count": done["stored"],
                                  "rejected": len(rejected), "clock_offset_s": offset, "points": done["shown"],
                                  "coverage": {str(k): v for k, v in done["coverage"].items()}})
        return {"accepted": done["stored"], "rejected": rejected, "clock_offset_s": offset, "seq": ev.seq,
                "duplicate": False}
    except IntegrityError as exc:
        ev = events.replayed(svc, search_id, data.get("client_id") if isinstance(data, dict) else None, exc)
        p = ev["payload"]
        return {"accepted": p.get("count", len(p["points"])), "rejected": [], "clock_offset_s": p.get("clock_offset_s"),
                "seq": ev["seq"], "duplicate": True}


def _note_clock(s, search_id: int, user_id: int, device: str, offset: float | None, now) -> None:
    """Keep the device's measured clock offset (0 once its clock is right again) for the dispatcher to see."""
    where_ = (DeviceClock.search_id == search_id, DeviceClock.user_id == user_id, DeviceClock.device == device)
    if offset is None:
        s.execute(update(DeviceClock).where(*where_, DeviceClock.offset_s != 0)
                  .values(offset_s=0.0, measured_at=naive_utc(now)))
        return
    if s.execute(update(DeviceClock).where(*where_).values(offset_s=offset, measured_at=naive_utc(now))).rowcount == 0:
        s.add(DeviceClock(search_id=search_id, user_id=user_id, device=device, offset_s=offset,
                          measured_at=naive_utc(now)))


def report_clue(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A clue or sighting from anyone on the search; applied once per client id."""
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = model.clean_clue(data, now, missing_since(search))
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
