"""Acknowledged broadcasts: a dispatcher's message (a new description, "seen heading east", FOUND and stand down)
that every unit on the search must acknowledge; who has and who has not is always known, and a unit that has not is
alerted again whenever it reconnects."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Broadcast, BroadcastAck, Membership, User
from ..core import schemas
from ..core.alerts import Alert
from ..core.errors import NotFound
from . import events
from .access import load_search, require_dispatcher
from .context import Actor, Services
from .events import iso, naive_utc


def _view(b: Broadcast, acks: dict[int, str], members: list[tuple[int, str]]) -> dict:
    return {"id": b.id, "kind": b.kind, "text": b.text, "params": b.params, "sent_by": b.sent_by,
            "sent_at": iso(b.sent_at), "seq": b.event_seq,
            "acked": [{"user_id": uid, "name": name, "at": acks[uid]} for uid, name, _ in members if uid in acks],
            "pending": [{"user_id": uid, "name": name} for uid, name, role in members
                        if uid not in acks and uid != b.sent_by and role == "officer"]}


def record_broadcast(session, search_id: int, actor: Actor, kind: str, text: str, now,
                     params: dict | None = None) -> dict:
    """Store a broadcast and its event inside the caller's transaction. ``params``: a server-made alert's (see
    ``record_alert``), None for a dispatcher's own text."""
    ev = events.begin(session, search_id, "broadcast.sent", actor, now)
    b = Broadcast(search_id=search_id, kind=kind, text=text, params=params, sent_by=actor.user_id,
                  sent_at=naive_utc(now), event_seq=ev.seq)
    session.add(b)
    session.flush()
    view = {"id": b.id, "kind": kind, "text": text, "params": params, "sent_by": actor.user_id,
            "sent_at": iso(b.sent_at), "seq": ev.seq}
    events.finish(session, ev, {"broadcast": view})
    return view


def record_alert(session, search_id: int, actor: Actor, alert: Alert, now) -> dict:
    """A server-made alert (FOUND, a confirmed sighting, DISREGARD) as a broadcast inside the caller's transaction:
    its kind and params, which each page words in its own language, and its two-language text as the fallback."""
    return record_broadcast(session, search_id, actor, alert.kind, alert.text, now, alert.params_json())


def send(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    require_dispatcher(actor)
    clean = schemas.clean_broadcast(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        return record_broadcast(s, search_id, actor, clean["kind"], clean["text"], now)


def acknowledge(svc: Services, actor: Actor, search_id: int, broadcast_id: int, data: dict | None = None) -> dict:
    """A unit acknowledges; a repeat (same user) is applied once by a unique constraint and answered the same."""
    now = svc.now()
    try:
        with svc.transaction() as s:
            load_search(s, search_id, actor)
            b = s.get(Broadcast, broadcast_id)
            if b is None or b.search_id != search_id:
                raise NotFound(f"broadcast {broadcast_id} not found on search {search_id}")
            s.add(BroadcastAck(broadcast_id=broadcast_id, user_id=actor.user_id, acked_at=naive_utc(now),
                               device=actor.device))
            s.flush()
            events.record(s, search_id, "broadcast.acked", actor,
                          {"broadcast_id": broadcast_id, "user_id": actor.user_id, "at": iso(now)}, now)
            return {"broadcast_id": broadcast_id, "user_id": actor.user_id, "at": iso(now), "duplicate": False}
    except IntegrityError:
        with svc.reading() as s:
            ack = s.execute(select(BroadcastAck).where(BroadcastAck.broadcast_id == broadcast_id,
                                                       BroadcastAck.user_id == actor.user_id)).scalar_one_or_none()
            if ack is None:
                raise
            return {"broadcast_id": broadcast_id, "user_id": actor.user_id, "at": iso(ack.acked_at),
                    "duplicate": True}


def list_broadcasts(svc: Services, actor: Actor, search_id: int) -> list[dict]:
    """Every broadcast of the search with who has acknowledged it and who has not (members only)."""
    with svc.reading() as s:
        load_search(s, search_id, actor)
        return _list(s, search_id)


def _list(s, search_id: int) -> list[dict]:
    # Every unit (officer) on the search must acknowledge; dispatchers may, but are not waited for.
    members = s.execute(select(User.id, User.display_name, User.role).join(Membership, Membership.user_id == User.id)
                        .where(Membership.search_id == search_id).order_by(User.display_name)).all()
    out = []
    for b in s.execute(select(Broadcast).where(Broadcast.search_id == search_id).order_by(Broadcast.id)).scalars():
        acks = {a.user_id: iso(a.acked_at) for a in s.execute(
            select(BroadcastAck).where(BroadcastAck.broadcast_id == b.id)).scalars()}
        out.append(_view(b, acks, [(m[0], m[1], m[2]) for m in members]))
    return out


def unacknowledged(svc: Services, actor: Actor, search_id: int) -> list[dict]:
    """What this user has not acknowledged yet: re-alerted on every (re)connect."""
    with svc.reading() as s:
        acked = select(BroadcastAck.broadcast_id).where(BroadcastAck.user_id == actor.user_id)
        rows = s.execute(select(Broadcast).where(Broadcast.search_id == search_id, Broadcast.id.not_in(acked),
                                                 Broadcast.sent_by != actor.user_id)
                         .order_by(Broadcast.id)).scalars().all()
        return [{"id": b.id, "kind": b.kind, "text": b.text, "params": b.params, "sent_at": iso(b.sent_at),
                 "seq": b.event_seq} for b in rows]
