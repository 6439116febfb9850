"""What officers send from the field: GPS fix batches, clues and sightings (photos: ``services/photos.py``)."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from sqlalchemy import bindparam, literal, null, select, union_all, update
from sqlalchemy.exc import IntegrityError

from ..adapters.precompiled import Precompiled
from ..adapters.models import Clue, DeviceClock, Event, Membership, Search, User
from ..core import known_points, schemas
from ..core.errors import Forbidden, NotAuthenticated, NotFound
from . import events, tracks
from .access import load_search
from .context import Actor, Services
from .events import naive_utc
from .streets import coverage as street_coverage, layers as street_layers
from .photos import attach_photo   # noqa: F401  (also imported from here by services/video.py)
from .views import clue_view


def add_track_batch(svc: Services, actor: Actor, search_id: int, data: dict,
                    session_version: int | None = None, wait_s: float | None = None) -> dict:
    """Store a batch of the actor's own fixes; a batch re-sent with the same client id is stored once.

    One bad fix never refuses the batch: it is reported in ``rejected`` (``[{"index", "reason"}]``) and the rest
    are stored. A phone whose clock is off (its ``sent_at`` against the server's clock) has its fix times corrected
    and its offset recorded. Returns ``{"accepted": n, "rejected": [...], "clock_offset_s": s or None,
    "seq": event seq, "duplicate": bool}``; a batch of a closed search is refused whole (``Conflict``).

    With a group writer (``svc.track_writer``, the app's: ``services/ingest.py``) the batch is stored in its own
    savepoint of a transaction shared with the other phones' batches waiting at that moment, and this returns once
    that transaction is committed; without one (tests, scripts), in a transaction of its own. ``session_version``
    (a socket's sender): the account's session must still be that version, checked in the same transaction
    (``NotAuthenticated`` otherwise), and the actor's role and display name are the account's, read there too (the
    HTTP route gives an actor of the cookie's user id alone, with no read of its own before). ``wait_s``: how long
    to wait for the group writer at most (default its own), then ``Unavailable`` (the batch may still be stored:
    its client id makes a retry stored once).
    """
    writer = svc.track_writer
    if writer is not None:
        return writer.submit(actor, search_id, data, session_version, wait_s)
    try:
        with svc.transaction() as s:
            result = store_track_batch(s, actor, search_id, data, svc.now(), session_version)
        return result
    except IntegrityError as exc:
        return replayed_batch(svc, actor, search_id, data, exc)


def store_track_batch(s, actor: Actor, search_id: int, data: dict, now, session_version: int | None = None) -> dict:
    """The body of ``add_track_batch`` inside the caller's transaction (or savepoint): checks, event, fixes, clock.
    A client id already used answers the first answer (``duplicate``); one used at the same moment by a transaction
    not yet committed raises IntegrityError (the caller answers it with ``replayed_batch`` once that one is)."""
    prepared = prepare_track_batch(s, actor, search_id, data, now, session_version)
    return prepared["replay"] or apply_track_batch(s, actor, search_id, prepared, now)


def prepare_track_batch(s, actor: Actor, search_id: int, data: dict, now, session_version: int | None = None) -> dict:
    """Everything of a batch that only reads, in the order a retry must meet it: the session (``session_version``),
    the search and membership, the batch's form, a client id used before (``replay``: the first answer), a closed
    search. Raises the refusal (SearchCoordError); writes nothing. ``prepared["actor"]``: the one to write with
    (with ``session_version``, its role and display name as read here)."""
    device = device_of(data, actor)
    client_id = data.get("client_id") if isinstance(data, dict) and isinstance(data.get("client_id"), str) else ""
    if len(client_id) > 64 or not client_id.isascii() or not client_id.isprintable():
        client_id = ""   # never a client id (the batch is refused for it below): not given to the database as one
    # one round trip for what the checks read (on PostgreSQL each statement is a round trip, and a group holds the
    # search's sequence number until it commits)
    held = s.info.setdefault("searches", {})   # a group's batches share the first one's read of the search
    reads = _READS if search_id in held else _READS_WITH_SEARCH
    rows = reads.rows(s, {"sid": search_id, "uid": actor.user_id, "dev": device, "cid": client_id})
    row = next(r for r in rows if r[_KIND] is None)
    if session_version is not None and (not row.active or row.must_change
                                        or (row.version or 0) != session_version):
        raise NotAuthenticated("your session has ended; log in again")
    if session_version is not None:   # checked just now: the role (its change ends the session) and name are current
        actor = replace(actor, role=row.role, name=row.display_name)
    search = _search_of(s, held, search_id, actor, row)
    clean = schemas.clean_track_batch(data, now, known_points.missing_since(search.lkp_time, search.lkp_history),
                                      row.offset)
    first = None
    if row.sent is not None:
        first = s.execute(_SENT, {"sid": search_id, "uid": actor.user_id, "cid": clean["client_id"]}).first()
    if first is not None:
        return {"actor": actor, "search": search, "device": device, "known": row.offset, "clean": clean,
                "replay": _answer_again(first.seq, first.payload)}
    schemas.check_search_writable(search.status)
    # the fixes followed from the device's stored track, read here, before a group takes the search's sequence
    # numbers (on PostgreSQL that locks its row until the commit): checked, and planned again if stale, after
    return {"actor": actor, "search": search, "device": device, "known": row.offset, "clean": clean, "replay": None,
            "seen": row.seen,
            "plan": tracks.plan_fixes(s, search, actor.user_id, device, clean["points"], _device_state(rows))}


def apply_track_batch(s, actor: Actor, search_id: int, prepared: dict, now, seq: int | None = None) -> dict:
    """The writes of a prepared batch: its event, its fixes and the coverage they add, the phone's clock. ``seq``:
    its sequence number when taken before with a group's (``events.take_seqs``), else one is taken here."""
    if seq is None:
        seq = events.take_seqs(s, search_id, 1)
    return apply_track_batches(s, [(actor, search_id, prepared, seq)], now)[0]


def apply_track_batches(s, items: list[tuple], now) -> list[dict]:
    """The writes of prepared batches of different devices (``[(actor, search_id, prepared, seq)]``, each ``seq``
    taken before): every batch's fixes in one INSERT and its coverage added once a segment
    (``tracks.write_planned``), every event row in one INSERT, the phones' clocks, the street blocks passed. Each
    batch's answer and event are what they would be had the batches been written one after the other."""
    for _actor, _search_id, prepared, _seq in items:
        schemas.check_search_writable(prepared["search"].status)
    _plan_again_if_stale(s, items)
    plans = [prepared["plan"] for _actor, _search_id, prepared, _seq in items]
    coverages = tracks.write_planned(s, plans, [seq for _actor, _search_id, _prepared, seq in items])
    answers, recorded = [], []
    for (_actor, search_id, prepared, seq), plan, coverage in zip(items, plans, coverages):
        actor = prepared["actor"]
        device, known, clean = prepared["device"], prepared["known"], prepared["clean"]
        offset = clean["clock_offset_s"]
        rejected = sorted(clean["rejected"] + plan.rejected, key=lambda r: r["index"])
        _note_clock(s, search_id, actor.user_id, device, offset, known, now)
        payload = {"user_id": actor.user_id, "device": device, "count": len(plan.rows), "rejected": len(rejected),
                   "rejected_fixes": rejected, "clock_offset_s": offset, "points": plan.shown,
                   "coverage": {str(k): v for k, v in coverage.items()},
                   **({"rekeyed": plan.rekeyed} if plan.rekeyed else {})}
        recorded.append((search_id, seq, "track.points", actor, payload, clean["client_id"]))
        answers.append({"accepted": len(plan.rows), "rejected": rejected, "clock_offset_s": offset, "seq": seq,
                        "duplicate": False})
    events.record_many(s, recorded, now)
    for (_actor, _search_id, prepared, _seq), plan in zip(items, plans):
        street_coverage.after_batch(s, prepared["search"], prepared["actor"], plan.shown, now)   # blocks (issue 14)
    return answers


def _plan_again_if_stale(s, items: list[tuple]) -> None:
    """Each batch's plan was read before the search's sequence numbers were taken, so another transaction (another
    process, on PostgreSQL) may have changed the device's track since. Whatever committed on the search meanwhile
    took the numbers after what the batch's checks saw (``seen``, read before its track) up to the pass's first;
    nothing else can commit on the search now until this transaction does. A batch is planned again, reading its
    track afresh, when its user sent fixes meanwhile or anything that may change tracks happened (one read of those
    events a search, and only when there are any: never on SQLite, whose write transactions take the lock first)."""
    firsts: dict[int, int] = {}
    for _actor, search_id, _prepared, seq in items:
        firsts[search_id] = min(seq, firsts.get(search_id, seq))
    for search_id, first in firsts.items():
        mine = [(actor, prepared) for actor, sid, prepared, _seq in items if sid == search_id]
        seen = min(prepared["seen"] for _actor, prepared in mine)
        if seen >= first - 1:
            continue
        window = s.connection().execute(_SINCE, {"sid": search_id, "after": seen, "upto": first - 1}).all()
        for actor, prepared in mine:
            if any(seq > prepared["seen"] and type_ not in _TRACK_SAFE
                   and (type_ != "track.points" or actor_id == actor.user_id) for seq, type_, actor_id in window):
                prepared["plan"] = tracks.plan_fixes(s, prepared["search"], actor.user_id, prepared["device"],
                                                     prepared["clean"]["points"])


def replayed_batch(svc: Services, actor: Actor, search_id: int, data, exc: IntegrityError) -> dict:
    """The first answer to a batch whose client id was used before (after that batch was committed): its numbers,
    and which fixes were refused and why (kept in the event). Any other integrity error is raised again."""
    ev = events.replayed(svc, search_id, data.get("client_id") if isinstance(data, dict) else None, exc,
                         actor=actor, type_="track.points")
    return _answer_again(ev["seq"], ev["payload"])


def _answer_again(seq: int, p: dict) -> dict:
    """A stored batch's answer, from its event."""
    return {"accepted": p.get("count", len(p["points"])), "rejected": p.get("rejected_fixes", []),
            "clock_offset_s": p.get("clock_offset_s"), "seq": seq, "duplicate": True}


_EVENTS = Event.__table__
_SENT = select(_EVENTS.c.seq, _EVENTS.c.payload).where(
    _EVENTS.c.search_id == bindparam("sid"), _EVENTS.c.actor_id == bindparam("uid"),
    _EVENTS.c.type == "track.points", _EVENTS.c.client_id == bindparam("cid"))
_USERS = User.__table__
_CLOCKS, _MEMBERS = DeviceClock.__table__, Membership.__table__
_KNOWN_OFFSET = select(_CLOCKS.c.offset_s).where(_CLOCKS.c.search_id == bindparam("sid"),
                                                 _CLOCKS.c.user_id == bindparam("uid"),
                                                 _CLOCKS.c.device == bindparam("dev"))
_MEMBER = select(_MEMBERS.c.id).where(_MEMBERS.c.search_id == bindparam("sid"), _MEMBERS.c.user_id == bindparam("uid"))
_SEARCHES = Search.__table__
_CHECKS = (
    _MEMBER.limit(1).scalar_subquery().label("member"),
    _KNOWN_OFFSET.limit(1).scalar_subquery().label("offset"),
    select(_EVENTS.c.seq).where(_EVENTS.c.search_id == bindparam("sid"), _EVENTS.c.actor_id == bindparam("uid"),
                                _EVENTS.c.type == "track.points", _EVENTS.c.client_id == bindparam("cid"))
    .scalar_subquery().label("sent"),
    select(_USERS.c.active).where(_USERS.c.id == bindparam("uid")).scalar_subquery().label("active"),
    select(_USERS.c.session_version).where(_USERS.c.id == bindparam("uid")).scalar_subquery().label("version"),
    select(_USERS.c.must_change_password).where(_USERS.c.id == bindparam("uid")).scalar_subquery().label("must_change"),
    select(_USERS.c.role).where(_USERS.c.id == bindparam("uid")).scalar_subquery().label("role"),
    select(_USERS.c.display_name).where(_USERS.c.id == bindparam("uid")).scalar_subquery().label("display_name"),
    # the search's last sequence number, read before the device's track (see _plan_again_if_stale)
    select(_SEARCHES.c.last_seq).where(_SEARCHES.c.id == bindparam("sid")).scalar_subquery().label("seen"))
_STATE_COLUMNS = tuple(c.name for c in tracks.DEVICE_STATE.selected_columns)


def _with_state(head: list, from_) -> Precompiled:
    """A batch's reads in one round trip: a row of ``head`` (the checks, with or without the search) from ``from_``,
    and a row for each row of where the device's track stands (``tracks.DEVICE_STATE``, columns ``t_<column>``);
    each kind of row has None in the other's columns, so the search's values are converted once, not with each
    row of the state. The head's row is the one whose ``t_kind`` is None."""
    state = tracks.DEVICE_STATE.subquery()
    first = select(*head, *(null().cast(c.type).label("t_" + c.name) for c in state.c)).select_from(from_)
    rest = select(*(null().cast(c.type).label(c.name) for c in head), *(c.label("t_" + c.name) for c in state.c))
    return Precompiled(union_all(first, rest))


_ONE = select(literal(1).label("one")).subquery()
_KIND = -len(_STATE_COLUMNS)   # where the state's columns begin in a row of the reads (``t_kind`` first)
_READS = _with_state(list(_CHECKS), _ONE)
#: The same with the search's row (columns named ``s_<column>``; all None when there is no such search): the first
#: batch of a transaction reads the search with its checks, in the same round trip, as plain values; and the key of
#: the street layer at its last known point (``streets.layers.layer_key_of_search``'s, which the batch's street
#: coverage needs): ``l_id``, ``l_sha256``.
_SEARCH_COLUMNS = tuple(c.name for c in _SEARCHES.c)
_LAYER_KEY = street_layers.layer_key_at(_SEARCHES.c.lkp[("coordinates", 0)].as_float(),
                                        _SEARCHES.c.lkp[("coordinates", 1)].as_float())
_READS_WITH_SEARCH = _with_state([*_CHECKS, *(c.label("s_" + c.name) for c in _SEARCHES.c),
                                  _LAYER_KEY[0].label("l_id"), _LAYER_KEY[1].label("l_sha256")],
                                 _ONE.outerjoin(_SEARCHES, _SEARCHES.c.id == bindparam("sid")))
#: Event types that never change a stored track (a plan read before one is still good); ``track.points`` changes
#: only its sender's tracks. Any other type (a retraction, an import, a team change) makes every plan stale.
_TRACK_SAFE = frozenset({"streets.covered"})
_SINCE = select(_EVENTS.c.seq, _EVENTS.c.type, _EVENTS.c.actor_id).where(
    _EVENTS.c.search_id == bindparam("sid"), _EVENTS.c.seq > bindparam("after"), _EVENTS.c.seq <= bindparam("upto"))


def device_of(data, actor: Actor) -> str:
    """Which of the user's devices sent a batch: the id it names, else the phone's X-Device-Id (or browser)."""
    named = data.get("device") if isinstance(data, dict) else None
    name = named.strip() if isinstance(named, str) else ""
    if 0 < len(name) <= 64 and name.isprintable():
        return name
    return (actor.device or "")[:64]   # (a name with control characters, NUL among them, is no name)


def _device_state(rows) -> dict:
    """``tracks.DEVICE_STATE``'s rows, as read with the checks, by kind (``plan_fixes``'s ``state``). (By position:
    the state's columns are the reads' last; a batch each second makes names looked up one by one add up.)"""
    return {row[_KIND]: SimpleNamespace(**dict(zip(_STATE_COLUMNS, row[_KIND:]))) for row in rows
            if row[_KIND] is not None}


def _search_of(session, held: dict, search_id: int, actor: Actor, row):
    """``access.load_search`` for the batch path: the same rule (dispatchers see every search, officers those they
    are on; NotFound, Forbidden), on the search's columns read with the batch's other checks (``row``, as plain
    attributes: the batch path only reads them; ``held``, the transaction's, when a batch before it read them)."""
    search = held.get(search_id)
    if search is None and getattr(row, "s_id", None) is not None:
        search = SimpleNamespace(**dict(zip(_SEARCH_COLUMNS, row[len(_CHECKS):len(_CHECKS) + len(_SEARCH_COLUMNS)])))
        street_layers.remember_layer_key(session, search, (row.l_id, row.l_sha256) if row.l_id is not None else None)
    if search is None:
        raise NotFound(f"search {search_id} not found")
    held[search_id] = search
    if not actor.is_dispatcher and row.member is None:
        raise Forbidden("you are not on this search")
    return search


def _note_clock(s, search_id: int, user_id: int, device: str, offset: float | None, known: float | None,
                now) -> None:
    """Keep the device's clock offset (0 once its clock is right again) for the dispatcher to see; written only when
    it changes (``known``: what is stored, None when nothing is)."""
    if (offset or 0.0) == (known or 0.0):
        return
    if known is None:
        s.add(DeviceClock(search_id=search_id, user_id=user_id, device=device, offset_s=offset,
                          measured_at=naive_utc(now)))
        return
    s.execute(update(DeviceClock).where(DeviceClock.search_id == search_id, DeviceClock.user_id == user_id,
                                        DeviceClock.device == device)
              .values(offset_s=offset or 0.0, measured_at=naive_utc(now)))


def report_clue(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A clue or sighting from anyone on the search; applied once per client id."""
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = schemas.clean_clue(data, now, known_points.missing_since(search.lkp_time, search.lkp_history))
            ev = events.begin(s, search_id, "clue.reported", actor, now, client_id=clean.get("client_id"))
            schemas.check_search_writable(search.status)
            attach_photo(s, clean.get("photo_id"), search_id, actor=actor)
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
        return events.replayed(svc, search_id, client_id, exc, actor=actor, type_="clue.reported")["payload"]["clue"]
