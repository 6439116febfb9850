"""adapters.precompiled.Precompiled: the statements of every track batch, run on the driver's cursor, give exactly
what SQLAlchemy's own execution gives (rows, their Python types: JSON, dates, booleans; what an INSERT or UPDATE
stores; a session's autoflush; the errors, wrapped as SQLAlchemy wraps them, and a lost connection), on SQLite and
PostgreSQL; and they do not go through SQLAlchemy's execution."""
from datetime import datetime

import pytest
from sqlalchemy import DateTime, Integer, bindparam, create_engine, event, literal, select, text
from sqlalchemy.exc import IntegrityError, NoResultFound, StatementError

from search_coord.adapters.models import DeviceClock, Event, Search, TrackPoint
from search_coord.adapters.precompiled import Precompiled
from search_coord.core.errors import Unavailable
from search_coord.services import events, field
from search_coord.services.context import is_duplicate_client_id
from support import POSTGRES_URL, walk_east

EV = Event.__table__


def rows_both_ways(svc, precompiled, params):
    with svc.reading() as s:
        core = [tuple(r) for r in s.execute(precompiled.statement, params).all()]
        mine = precompiled.rows(s.connection(), params)
    return core, [tuple(r) for r in mine], list(mine[0]._fields) if mine else []


def test_the_batch_reads_match_the_core_statement(svc, people, svc_search):
    sid, off1 = svc_search, people["off1"]
    field.add_track_batch(svc, off1, sid, {"client_id": "pre-000001", "points": walk_east(0, 6), "device": "p1"})
    for device, cid in (("p1", "pre-000001"), ("p1", "never-sent"), ("other", "x")):   # stored track, none, new
        params = {"sid": sid, "uid": off1.user_id, "dev": device, "cid": cid}
        for reads in (field._READS_WITH_SEARCH, field._READS):
            core, mine, keys = rows_both_ways(svc, reads, params)
            assert core and mine == core, (device, cid)
            for a, b in zip(mine, core):
                assert [type(v) for v in a] == [type(v) for v in b]
            assert keys == [c.name for c in reads.statement.selected_columns]
    core, _, keys = rows_both_ways(svc, field._READS_WITH_SEARCH, {"sid": sid, "uid": off1.user_id, "dev": "p1",
                                                                   "cid": "pre-000001"})
    rows = [dict(zip(keys, r)) for r in core]
    head = [r for r in rows if r["t_kind"] is None]
    state = [r for r in rows if r["t_kind"] is not None]
    assert len(head) == 1 and sorted(r["t_kind"] for r in state) == [0, 1, 2]
    row = head[0]
    assert isinstance(row["s_lkp"], dict) and isinstance(row["s_opened_at"], datetime)   # converted, not text
    assert row["active"] is True and row["sent"] is not None
    assert all(r["s_lkp"] is None and r["member"] is None for r in state)   # the search is not repeated
    assert all(isinstance(r["t_at"], datetime) for r in state)


def test_a_missing_search_reads_as_nothing_both_ways(svc, people):
    params = {"sid": 987654, "uid": people["off1"].user_id, "dev": "p1", "cid": "x"}
    core, mine, _ = rows_both_ways(svc, field._READS_WITH_SEARCH, params)
    assert mine == core and len(mine) == 1


def test_it_is_compiled_once_and_runs_on_the_driver(svc, svc_search):
    """Not through SQLAlchemy's execution (no cursor event for it), once compiled for the dialect."""
    q = Precompiled(select(EV.c.seq).where(EV.c.search_id == bindparam("sid")))
    seen = []
    engine = svc.engine
    listener = lambda *args: seen.append(args[2])   # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with svc.reading() as s:
            mine = sorted(r.seq for r in q.rows(s.connection(), {"sid": svc_search}))
            assert seen == []
            assert mine == sorted(s.execute(q.statement, {"sid": svc_search}).scalars()) and mine[0] == 1
            assert len(seen) == 1
            assert q.compiled(s.get_bind().dialect) is q.compiled(s.get_bind().dialect)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_statement_with_a_fixed_literal_keeps_it(svc, svc_search):
    q = Precompiled(select(EV.c.seq, literal("track.points").label("kind"))
                    .where(EV.c.search_id == bindparam("sid"), EV.c.type == "search.opened"))
    with svc.reading() as s:
        got = q.rows(s.connection(), {"sid": svc_search})
    assert [tuple(r) for r in got] == [(1, "track.points")] and got[0].kind == "track.points"


def test_inserts_and_updates_store_what_core_stores(svc, people, svc_search):
    """An event inserted both ways reads back the same (JSON payload, time); an UPDATE ... RETURNING gives the new
    value; a column with a Python-side default must be given."""
    at = datetime(2026, 11, 28, 9, 30, 1, 250000)
    insert = Precompiled(EV.insert(), columns=("search_id", "seq", "type", "actor_id", "device", "client_id", "at",
                                               "payload"))
    row = {"search_id": svc_search, "type": "track.points", "actor_id": people["off1"].user_id, "device": "p1",
           "at": at, "payload": {"points": [[116.2, 39.7, "2026-11-28T09:30:00Z", 5.0, None]], "名": "雪"}}
    searches = Search.__table__
    take = Precompiled(searches.update().where(searches.c.id == bindparam("sid"))
                       .values(last_seq=searches.c.last_seq + 2).returning(searches.c.last_seq))
    with svc.transaction() as s:
        conn = s.connection()
        last = take.one_value(conn, {"sid": svc_search})
        insert.run_many(conn, [{**row, "seq": last - 1, "client_id": "mine-1"}])
        conn.execute(EV.insert(), [{**row, "seq": last, "client_id": "core-1"}])
    with svc.reading() as s:
        got = s.execute(select(EV.c.client_id, EV.c.at, EV.c.payload).where(EV.c.seq >= last - 1,
                                                                            EV.c.search_id == svc_search)
                        .order_by(EV.c.seq)).all()
        assert s.execute(select(searches.c.last_seq).where(searches.c.id == svc_search)).scalar() == last
    assert [r.client_id for r in got] == ["mine-1", "core-1"]
    assert got[0].at == got[1].at == at and got[0].payload == got[1].payload == row["payload"]
    with svc.reading() as s, pytest.raises(ValueError, match="run, device"):
        Precompiled(TrackPoint.__table__.insert(), columns=("search_id", "user_id", "t", "lon", "lat", "acc",
                                                            "event_seq", "piece", "vertex")).compiled(
            s.get_bind().dialect)
    with svc.reading() as s, pytest.raises(NoResultFound):
        take.one_value(s.connection(), {"sid": 987654})


def test_a_repeated_client_id_is_sqlalchemys_integrity_error_and_nothing_is_stored(svc, people, svc_search):
    """The callers recognise a retry by SQLAlchemy's IntegrityError (``is_duplicate_client_id``): the driver's error
    comes wrapped the same way, and the transaction stores nothing."""
    batch = {"client_id": "dup-000001", "points": walk_east(0, 3)}
    first = field.add_track_batch(svc, people["off1"], svc_search, batch)
    insert = Precompiled(EV.insert(), columns=("search_id", "seq", "type", "actor_id", "device", "client_id", "at",
                                               "payload"))
    with pytest.raises(IntegrityError) as caught:
        with svc.transaction() as s:
            insert.run_many(s.connection(), [{"search_id": svc_search, "seq": 999, "type": "track.points",
                                              "actor_id": people["off1"].user_id, "device": None,
                                              "client_id": "dup-000001", "at": datetime(2026, 11, 28),
                                              "payload": {}}])
    assert is_duplicate_client_id(caught.value) and caught.value.orig is not None
    with svc.reading() as s:
        assert s.execute(select(EV.c.seq).where(EV.c.search_id == svc_search, EV.c.seq == 999)).first() is None
    assert field.add_track_batch(svc, people["off1"], svc_search, batch)["seq"] == first["seq"]


def test_a_statement_with_an_expanding_list_is_refused_when_compiled(svc):
    q = Precompiled(select(EV.c.seq).where(EV.c.type.in_(bindparam("types", expanding=True))))
    with svc.reading() as s:
        with pytest.raises(ValueError, match="expanding"):
            q.compiled(s.get_bind().dialect)


@pytest.mark.parametrize("svc", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("where", ["reads", "take_seqs"])
def test_a_connection_lost_in_a_batch_is_unavailable_and_the_next_batch_is_stored(svc, people, svc_search,
                                                                                   monkeypatch, where):
    """The server ends the connection while a batch is being written: the batch is Unavailable (a 503 to send
    again, not a 500), nothing of it is stored, and the next batches are stored on a new connection."""
    sid, off1 = svc_search, people["off1"]
    field.add_track_batch(svc, off1, sid, {"client_id": "lost-000001", "device": "p1", "points": walk_east(0, 2)})
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    killed = []

    def kill(s):
        if not killed:
            pid = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as c:
                c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            killed.append(pid)
    if where == "take_seqs":
        take = events.take_seqs
        monkeypatch.setattr(events, "take_seqs", lambda s, *a: (kill(s), take(s, *a))[1])
    else:
        prepare = field.prepare_track_batch
        monkeypatch.setattr(field, "prepare_track_batch", lambda s, *a, **k: (kill(s), prepare(s, *a, **k))[1])
    try:
        with pytest.raises(Unavailable):
            field.add_track_batch(svc, off1, sid, {"client_id": "lost-000002", "device": "p1",
                                                   "points": walk_east(2, 2)})
    finally:
        admin.dispose()
    assert killed
    for i in range(2):
        got = field.add_track_batch(svc, off1, sid, {"client_id": f"lost-10000{i}", "device": "p1",
                                                     "points": walk_east(4 + 2 * i, 2)})
        assert got["accepted"] == 2 and not got["duplicate"]
    with svc.reading() as s:
        stored = s.execute(select(EV.c.client_id).where(EV.c.search_id == sid, EV.c.type == "track.points")).scalars()
        assert sorted(stored) == ["lost-000001", "lost-100000", "lost-100001"]


def test_what_sqlalchemy_does_around_a_statement_is_done(svc, people, svc_search):
    """Given a session, what it holds is flushed first (its autoflush); a parameter given a value at run time takes
    it over the statement's default; a value its type cannot take is SQLAlchemy's StatementError; result columns
    that cannot be named are refused when compiled."""
    with svc.transaction() as s:
        s.add(DeviceClock(search_id=svc_search, user_id=people["off1"].user_id, device="held", offset_s=3.5,
                          measured_at=datetime(2026, 11, 28, 9, 0)))
        clocks = DeviceClock.__table__
        held = Precompiled(select(clocks.c.offset_s).where(clocks.c.device == bindparam("dev")))
        assert [r.offset_s for r in held.rows(s, {"dev": "held"})] == [3.5]
        with s.no_autoflush:
            assert held.rows(s.connection(), {"dev": "nothing"}) == []
    plus = Precompiled(select((bindparam("x", 1, type_=Integer) + 1).label("y")))
    stamp = Precompiled(select(EV.c.seq).where(EV.c.at == bindparam("at", type_=DateTime)))
    with svc.reading() as s:
        assert plus.one_value(s, {}) == 2 and plus.one_value(s, {"x": 41}) == 42
        with pytest.raises(StatementError):
            stamp.rows(s, {"at": "not a time"})
        with pytest.raises(ValueError, match="distinct names"):
            Precompiled(select(EV.c.seq.label("_seq"))).compiled(s.get_bind().dialect)
