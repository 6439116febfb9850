"""Photos from the field: upload (checked, converted, shrunk as ``core.photos`` says) and read back."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Photo
from ..core import model
from ..core.errors import NotFound
from ..core.photos import image_size, prepare_photo
from .access import load_search
from .context import Actor, Services
from .events import naive_utc


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
                 client_id: str | None = None) -> dict:
    """Store a photo (one transaction) after checking it is an image of acceptable size, converted and shrunk for
    serving by ``core.photos.prepare_photo`` (HEIC becomes JPEG; at most 2560 px; limits in that module).

    The same photo is stored once: a retry with the same ``client_id``, or the same original bytes (sha256) sent
    again by the same person for the same search (or before any search), gets the first photo back with
    ``duplicate: true``. Returns ``{"id", "mime", "size" (bytes served), "sha256" (of the upload), "width",
    "height" (px served), "original_mime", "converted", "original_kept", "note", "duplicate"}``.
    Raises ``ValidationError`` (400) for a bad image or client id, ``PhotoTooLarge`` (413), ``NotFound`` /
    ``Forbidden`` for a search the actor may not see.
    """
    if client_id is not None:
        check = model.Form({"client_id": client_id})
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


def get_photo(svc: Services, actor: Actor, photo_id: int, original: bool = False) -> tuple[bytes, str]:
    """A photo's served bytes and MIME type, or with ``original`` the bytes as uploaded when they were kept (an
    undecodable HEIC); visible to those who may see its search (or its uploader, before it is used).

    Raises ``NotFound`` (also for a photo the actor may not see, or no kept original), ``Forbidden``.
    """
    with svc.reading() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise NotFound(f"photo {photo_id} not found")
        if photo.search_id is not None:
            load_search(s, photo.search_id, actor)
        elif photo.uploaded_by != actor.user_id and not actor.is_dispatcher:
            raise NotFound(f"photo {photo_id} not found")
        if original:
            if photo.original is None:
                raise NotFound(f"photo {photo_id} has no original kept apart: it is served as it came or converted")
            return photo.original, photo.original_mime or "application/octet-stream"
        return photo.data, photo.mime
