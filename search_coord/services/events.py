"""The event log: append one event per change, in the change's transaction; read events after a sequence number."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..adapters.models import Event, Search, User
from ..adapters.precompiled import Precompiled
from ..core.catalogue import check_payload, event_type
from .context import Actor, is_duplicate_client_id


def iso(dt: datetime | None) -> str | None:
    """A stored naive-UTC (or aware) datetime as ISO 8601 with 'Z'."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.isoformat(timespec="milliseconds") + "Z"


def naive_utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


@dataclass
class PendingEvent:
    """An event row inserted by ``begin`` whose payload ``finish`` stores (the row's columns, plain values)."""

    id: int
    search_id: int
    seq: int
    type: str
    actor_id: int | None
    device: str | None
    client_id: str | None
    at: datetime
    actor_name: str | None = None
    payload: dict = field(default_factory=dict)


# Built once: these run for every change (a phone's batch every second), and building a statement costs more than
# running it on SQLite.
# On the tables (plain Core): the ORM's handling of an UPDATE or INSERT on a mapped class costs more than the row.
_SEARCHES, _EVENTS = Search.__table__, Event.__table__
_NEXT_SEQ = (_SEARCHES.update().where(_SEARCHES.c.id == bindparam("sid")).values(last_seq=_SEARCHES.c.last_seq + 1)
             .returning(_SEARCHES.c.last_seq))
_INSERT = _EVENTS.insert().returning(_EVENTS.c.id)
#: the hot path's statements (a phone's batch each second): run on the driver (``adapters/precompiled.py``)
_TAKE_SEQS = Precompiled(_SEARCHES.update().where(_SEARCHES.c.id == bindparam("sid"))
                         .values(last_seq=_SEARCHES.c.last_seq + bindparam("n", type_=Integer))
                         .returning(_SEARCHES.c.last_seq))
_INSERT_WHOLE = Precompiled(_EVENTS.insert(), columns=("search_id", "seq", "type", "actor_id", "device",
                                                       "client_id", "at", "payload"))
_SET_PAYLOAD = _EVENTS.update().where(_EVENTS.c.id == bindparam("eid")).values(payload=bindparam("payload"))


def begin(session: Session, search_id: int, type_: str, actor: Actor | None, now: datetime,
          client_id: str | None = None) -> PendingEvent:
    """Take the search's next sequence number and insert the event row (payload filled by ``finish``).

    The number comes from an UPDATE of the search row, which serialises writers per search on every database. A
    ``client_id`` the same actor already used for the same event type violates a unique constraint right here, before anything else of the change is checked,
    so a retry is recognised whatever state the search has reached since (services answer it as the first time).
    The type must be in the event catalogue (``core/catalogue.py``; UnknownEventType otherwise).
    """
    event_type(type_)
    session.flush()   # what the ORM holds of this change goes first, as it did when the event was an ORM row
    seq = session.execute(_NEXT_SEQ, {"sid": search_id}).scalar_one()
    loaded = session.identity_map.get(identity_key(Search, search_id))
    if loaded is not None:
        set_committed_value(loaded, "last_seq", seq)
    ev = PendingEvent(0, search_id, seq, type_, actor.user_id if actor else None, actor.device if actor else None,
                      client_id, naive_utc(now), actor.name if actor else None)
    ev.id = session.execute(_INSERT, {"search_id": search_id, "seq": seq, "type": type_, "actor_id": ev.actor_id,
                                      "device": ev.device, "client_id": client_id, "at": ev.at,
                                      "payload": {}}).scalar_one()
    return ev


def finish(session: Session, ev: PendingEvent, payload: dict) -> dict:
    """Store the event's payload and queue it for publication after the commit.

    Always checked against the catalogue (a set comparison of a few keys): a missing declared field or an undeclared
    one raises EventPayloadError, so the change is rolled back rather than logged with a payload no reader expects."""
    check_payload(ev.type, payload)
    ev.payload = payload
    session.execute(_SET_PAYLOAD, {"eid": ev.id, "payload": payload})
    name = ev.actor_name
    if name is None and ev.actor_id:
        name = session.get(User, ev.actor_id).display_name
    data = dump_event(ev, name)
    session.info.setdefault("events", []).append((ev.search_id, data))
    return data


def take_seqs(session: Session, search_id: int, n: int) -> int:
    """Take ``n`` consecutive sequence numbers of the search at once (one UPDATE of its row, as ``begin`` takes
    one); returns the first. For a group of changes written together (phones' track batches, services/ingest.py):
    on PostgreSQL the row stays locked until the commit, so it is taken once, as late as possible."""
    # on the driver (adapters/precompiled.py: SQLAlchemy's handling costs more than the UPDATE); it changes only
    # last_seq, set on a loaded search just below
    last = _TAKE_SEQS.one_value(session, {"sid": search_id, "n": n})
    loaded = session.identity_map.get(identity_key(Search, search_id))
    if loaded is not None:
        set_committed_value(loaded, "last_seq", last)
    return last - n + 1


def record_at(session: Session, search_id: int, seq: int, type_: str, actor: Actor | None, payload: dict,
              now: datetime, client_id: str | None = None) -> dict:
    """``record`` with a sequence number taken before (``take_seqs``): the row is inserted whole, payload and all
    (one statement). A client id used before raises IntegrityError here (the caller checked by reading first)."""
    return record_many(session, [(search_id, seq, type_, actor, payload, client_id)], now)[0]


def record_many(session: Session, items: list[tuple], now: datetime) -> list[dict]:
    """Several whole events with sequence numbers taken before (``take_seqs``), in one INSERT (a group of phones'
    batches): ``items`` ``[(search_id, seq, type, actor or None, payload, client_id or None)]``; their dumps, each
    queued for publication after the commit. Each type and payload is checked against the catalogue first; a
    client id used before raises IntegrityError (the caller checked by reading first)."""
    rows, out = [], []
    for search_id, seq, type_, actor, payload, client_id in items:
        event_type(type_)
        check_payload(type_, payload)
        ev = PendingEvent(0, search_id, seq, type_, actor.user_id if actor else None, actor.device if actor else None,
                          client_id, naive_utc(now), actor.name if actor else None, payload)
        rows.append({"search_id": search_id, "seq": seq, "type": type_, "actor_id": ev.actor_id, "device": ev.device,
                     "client_id": client_id, "at": ev.at, "payload": payload})
        name = ev.actor_name
        if name is None and ev.actor_id:
            name = session.get(User, ev.actor_id).display_name
        out.append((search_id, dump_event(ev, name)))
    _INSERT_WHOLE.run_many(session, rows)
    session.info.setdefault("events", []).extend(out)
    return [data for _, data in out]


def record(session: Session, search_id: int, type_: str, actor: Actor | None, payload: dict, now: datetime,
           client_id: str | None = None) -> dict:
    """Append a whole event to the search's log (``begin`` + ``finish``)."""
    return finish(session, begin(session, search_id, type_, actor, now, client_id), payload)


def dump_event(ev: Event | PendingEvent, actor_name: str | None) -> dict:
    return {
        "search_id": ev.search_id,
        "seq": ev.seq,
        "type": ev.type,
        "at": iso(ev.at),
        "actor": {"id": ev.actor_id, "name": actor_name} if ev.actor_id else None,
        "device": ev.device,
        "client_id": ev.client_id,
        "payload": ev.payload,
    }


def events_after(session: Session, search_id: int, after: int, limit: int = 1000) -> list[dict]:
    rows = session.execute(
        select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id)
        .where(Event.search_id == search_id, Event.seq > after).order_by(Event.seq).limit(limit)
    ).all()
    return [dump_event(ev, name) for ev, name in rows]


def event_by_client_id(session: Session, search_id: int, client_id: str, actor_id: int | None,
                       type_: str) -> dict | None:
    """The event of ``type_`` that user ``actor_id`` made on the search under ``client_id``, or None.

    A client id is its sender's own (unique per search, sender and kind of change): another user's record with the
    same id is never found here."""
    row = session.execute(
        select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id)
        .where(Event.search_id == search_id, Event.client_id == client_id, Event.type == type_,
               Event.actor_id.is_(None) if actor_id is None else Event.actor_id == actor_id)
    ).first()
    return dump_event(*row) if row else None


def replayed(svc, search_id: int, client_id: str | None, exc: Exception, *, actor: Actor | None,
             type_: str) -> dict:
    """A change was refused by the unique client id (per search, ``actor`` and ``type_``, the event type the change
    makes): it had already been applied by the same user. The event it made then, so the retry can be answered as
    the first time was; any other integrity error is raised again."""
    event_type(type_)
    if not client_id or not is_duplicate_client_id(exc):
        raise exc
    with svc.reading() as s:
        ev = event_by_client_id(s, search_id, client_id, actor.user_id if actor else None, type_)
    if ev is None:   # a unique violation of another kind whose message happens to name the column
        raise exc
    return ev
