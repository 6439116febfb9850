"""Photos from the field: upload (checked, converted, shrunk, metadata removed as ``core.photos`` says, within a
quota per user), attached to a search, and read back.

Who owns a photo: its uploader, until it is attached to a search (uploaded for it, or given to a clue, sighting or
subject); from then on that search (its members and dispatchers). No one else can attach or read it. Photo ids in
URLs are sequential, so every read checks this right, and a photo one may not see answers exactly as one that does
not exist (404): an id tells nothing.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Photo
from ..core.errors import Forbidden, NotFound, ValidationError
from ..core.fields import Form
from ..core.photos import PhotoTooLarge, image_size, prepare_photo, strip_metadata
from .access import load_search
from .context import Actor, Services
from .events import naive_utc

#: Bytes one user may store in photos over any 24 hours (served copies plus originals kept), unless configured
#: otherwise (``PHOTO_QUOTA_BYTES_PER_DAY``): 500 MB is some 150 phone photos shrunk, or 20 kept originals.
DEFAULT_QUOTA_BYTES_PER_DAY = 500 * 1024 * 1024


def _view(photo: Photo, duplicate: bool, prepared=None) -> dict:
    if prepared is not None:
        width, height = prepared.width, prepared.height
    else:
        width, height = image_size(photo.data) or (None, None)
    return {"id": photo.id, "mime": photo.mime, "size": photo.size, "sha256": photo.sha256,
            "width": width, "height": height, "original_mime": photo.original_mime or photo.mime,
            "converted": prepared.converted if prepared is not None
            else hashlib.sha256(photo.data).hexdigest() != photo.sha256,
            "original_kept": photo.original is not None,
            "note": prepared.note if prepared is not None else None, "duplicate": duplicate}


def upload_photo(svc: Services, actor: Actor, data: bytes, search_id: int | None = None,
                 client_id: str | None = None, quota_bytes: int | None = DEFAULT_QUOTA_BYTES_PER_DAY) -> dict:
    """Store a photo (one transaction) after checking it is an image of acceptable size, converted and shrunk for
    serving by ``core.photos.prepare_photo`` (HEIC becomes JPEG; at most 2560 px; limits in that module).

    The same photo is stored once: a retry with the same ``client_id``, or the same original bytes (sha256) sent
    again by the same person for the same search (or before any search), gets the first photo back with
    ``duplicate: true``. Returns ``{"id", "mime", "size" (bytes served), "sha256" (of the upload), "width",
    "height" (px served), "original_mime", "converted", "original_kept", "note", "duplicate"}``.
    Raises ``ValidationError`` (400) for a bad image or client id, ``PhotoTooLarge`` (413) for too many bytes or
    pixels or when the actor's photos stored over the last 24 hours would exceed ``quota_bytes`` (None: no quota),
    ``NotFound`` / ``Forbidden`` for a search the actor may not see.
    """
    if client_id is not None:
        check = Form({"client_id": client_id})
        check.client_id()
        check.result()
    prepared = prepare_photo(data)
    now = svc.now()
    try:
        with svc.transaction() as s:
            if search_id is not None:
                load_search(s, search_id, actor)
            same = s.execute(select(Photo).where(Photo.uploaded_by == actor.user_id, Photo.sha256 == prepared.sha256,
                                                 Photo.search_id.is_(None) if search_id is None
                                                 else Photo.search_id == search_id)
                             .order_by(Photo.id).limit(1)).scalar_one_or_none()
            if same is not None:
                return _view(same, True)
            _check_quota(s, actor, len(prepared.data) + len(prepared.original or b""), now, quota_bytes)
            photo = Photo(search_id=search_id, mime=prepared.mime, size=len(prepared.data), sha256=prepared.sha256,
                          data=prepared.data, uploaded_by=actor.user_id, uploaded_at=naive_utc(now),
                          client_id=client_id, original=prepared.original,
                          original_mime=prepared.original_mime)
            s.add(photo)
            s.flush()
            return _view(photo, False, prepared)
    except IntegrityError:
        if client_id is None:
            raise
        with svc.reading() as s:
            photo = s.execute(select(Photo).where(Photo.uploaded_by == actor.user_id,
                                                  Photo.client_id == client_id)).scalar_one()
            return _view(photo, True)


def _check_quota(s, actor: Actor, adding: int, now, quota_bytes: int | None) -> None:
    if quota_bytes is None:
        return
    used = s.execute(select(func.coalesce(func.sum(Photo.size + func.coalesce(func.length(Photo.original), 0)), 0))
                     .where(Photo.uploaded_by == actor.user_id,
                            Photo.uploaded_at > naive_utc(now - timedelta(days=1)))).scalar_one()
    if used + adding > quota_bytes:
        mb = 1024 * 1024
        raise PhotoTooLarge({"photo": f"your photo quota is full: {used / mb:.0f} MB stored in the last 24 hours, "
                                      f"this one {adding / mb:.1f} MB, at most {quota_bytes / mb:.0f} MB per 24 hours; "
                                      f"ask a dispatcher or try later"})


def attach_photo(session, photo_id: int | None, search_id: int, *, actor: Actor, field: str = "photo_id") -> None:
    """Give a photo to search ``search_id`` (inside the caller's transaction): one already of this search, or the
    actor's own not yet given to any (it joins the search now). Another user's unattached photo, another search's
    photo, or none: ``ValidationError`` naming ``field`` (the same words for each, so an id tells nothing)."""
    if photo_id is None:
        return
    photo = session.get(Photo, photo_id)
    if photo is not None and (photo.search_id == search_id
                              or (photo.search_id is None and photo.uploaded_by == actor.user_id)):
        photo.search_id = search_id
        return
    raise ValidationError({field: f"photo {photo_id} is neither one of this search nor one of your own not yet used "
                                  f"(a photo of another search is not copied across): upload it for this search"})


def get_photo(svc: Services, actor: Actor, photo_id: int, original: bool = False) -> tuple[bytes, str]:
    """A photo's served bytes and MIME type, or with ``original`` the bytes as uploaded when they were kept (an
    undecodable HEIC). Who may: for a photo of a search, those who may see the search; for one not yet attached,
    only its uploader. Anyone but the uploader gets it without metadata (``core.photos.strip_metadata``: photos
    stored before uploads were cleaned); an original (which may hold the phone's position and cannot be cleaned)
    only the uploader and dispatchers.

    Raises ``NotFound`` (also for a photo the actor may not see, or no kept original).
    """
    hidden = NotFound(f"photo {photo_id} not found")
    with svc.reading() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise hidden
        own = photo.uploaded_by == actor.user_id
        if photo.search_id is not None:
            try:
                load_search(s, photo.search_id, actor)
            except (NotFound, Forbidden):
                raise hidden from None
        elif not own:
            raise hidden
        if original:
            if photo.original is None or not (own or actor.is_dispatcher):
                raise NotFound(f"photo {photo_id} has no original kept apart: it is served as it came or converted")
            return photo.original, photo.original_mime or "application/octet-stream"
        return (photo.data if own else strip_metadata(photo.data)), photo.mime
