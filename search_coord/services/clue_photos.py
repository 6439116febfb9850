"""A clue's photo that follows its clue. The phone sends what was seen first and the photo after it (shrunk, maybe over
a slow network), so a slow or refused photo never holds back the clue; once both are on the server the photo is
attached to the clue here, and the maps are told with ``clue.updated``."""
from __future__ import annotations

from ..adapters.models import Clue
from ..core import schemas
from ..core.errors import Conflict, Forbidden, NotFound
from ..core.fields import Form
from . import events
from .access import load_search
from .context import Actor, Services
from .photos import attach_photo
from .views import clue_view


def attach_clue_photo(svc: Services, actor: Actor, search_id: int, clue_id: int, data: dict) -> dict:
    """Give clue ``clue_id`` the photo ``data["photo_id"]`` (one of this search, or the actor's own not yet used;
    ``photos.attach_photo``).

    Only its reporter or a dispatcher may; the same photo again is answered as the first time (a retry whose answer
    was lost), another photo on a clue that has one, or on a retracted clue, is a conflict. Returns the clue."""
    form = Form(data)
    form.unknown(("photo_id",))
    form.identifier("photo_id", required=True)
    photo_id = form.result()["photo_id"]
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        clue = s.get(Clue, clue_id)
        if clue is None or clue.search_id != search_id:
            raise NotFound(f"clue {clue_id} not found on this search")
        if clue.reported_by != actor.user_id and not actor.is_dispatcher:
            raise Forbidden("only who reported the clue, or a dispatcher, may add its photo")
        if clue.photo_id == photo_id:
            return clue_view(clue)
        if clue.retracted_at is not None:   # entered by mistake and taken back: nothing more is added to it
            raise Conflict(f"clue {clue_id} was retracted by a dispatcher; its photo is not added")
        if clue.photo_id is not None:
            raise Conflict(f"clue {clue_id} already has a photo")
        schemas.check_search_writable(search.status)
        attach_photo(s, photo_id, search_id, actor=actor)
        clue.photo_id = photo_id
        s.flush()
        view = clue_view(clue)
        events.record(s, search_id, "clue.updated", actor, {"clue": view, "changes": ["photo_id"]}, now)
    return view
