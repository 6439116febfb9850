"""A write transaction meeting a SQLite database locked by another process is Unavailable, and the connection works
again after; Precompiled gives the Core statement's Python types for every column; device ids with quotes, colons,
driver placeholders and unicode go through the batch's precompiled reads (SQLite and PostgreSQL)."""
import sqlite3
from contextlib import closing
from datetime import date, datetime

import pytest
from sqlalchemy import Date, DateTime, Numeric, TypeDecorator, cast, literal, select, text

from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.models import TrackPoint
from search_coord.adapters.precompiled import Precompiled
from search_coord.core.errors import Unavailable
from search_coord.services import field
from search_coord.services.context import Services
from support import migrated_sqlite, walk_east


@pytest.fixture
def locked_sqlite(tmp_path):
    """Services on a SQLite file (busy timeout 0.2 s) whose write lock another process's connection holds."""
    path = tmp_path / "locked.db"
    migrated_sqlite(path)
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=200)
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True))
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield svc
        finally:
            other.execute("ROLLBACK")
            engine.dispose()


def test_a_write_transaction_meeting_a_locked_database_is_unavailable(locked_sqlite):
    with pytest.raises(Unavailable):
        with locked_sqlite.transaction() as s:
            s.execute(text("SELECT 1"))


def test_the_database_is_usable_again_once_the_lock_is_gone(tmp_path):
    path = tmp_path / "again.db"
    migrated_sqlite(path)
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=200)
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True))
    try:
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(Exception):
                with svc.transaction() as s:
                    s.execute(text("SELECT 1"))
            other.execute("ROLLBACK")
        with svc.transaction() as s:   # the pooled connection is not left inside a transaction
            assert s.execute(text("SELECT 1")).scalar() == 1
        with svc.reading() as s:      # a reader begins deferred: never waits for the write lock
            assert s.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


# --- adapters.precompiled.Precompiled: latent differences from the Core statement ---------------------------------

def test_precompiled_gives_the_core_statements_python_types_for_every_column(tmp_path):
    class Stamp(TypeDecorator):
        impl, cache_ok = DateTime, True

        def process_result_value(self, value, dialect):
            return None if value is None else ("stamp", value)

    engine = make_engine(f"sqlite:///{tmp_path / 'types.db'}")
    q = select(literal(date(2026, 1, 2), Date).label("d"), cast(literal("1.50"), Numeric(10, 2)).label("n"),
               literal(datetime(2026, 1, 2, 3, 4, 5), Stamp).label("s"))
    try:
        with engine.connect() as conn:
            assert tuple(Precompiled(q).rows(conn, {})[0]) == tuple(conn.execute(q).one())
    finally:
        engine.dispose()


# --- the batch's one-statement reads (09ba59b, 2bc49e8, af0c170): behaviour pinned down on SQLite and PostgreSQL ------

@pytest.mark.parametrize("device", ["dev:1 'q' \"x\" :sid", "设备-一号", "😀" * 64, "%(sid)s %s ?"])
def test_device_ids_with_quotes_colons_placeholders_and_unicode_are_stored_and_replayed_once(svc, people, svc_search,
                                                                                             device):
    off1 = people["off1"]
    batch = {"client_id": "odd-dev-000001", "points": walk_east(0, 4), "device": device}
    first = field.add_track_batch(svc, off1, svc_search, batch)
    again = field.add_track_batch(svc, off1, svc_search, batch)
    assert first["accepted"] == 4 and not first["duplicate"]
    assert again["duplicate"] and again["seq"] == first["seq"] and again["accepted"] == 4
    later = field.add_track_batch(svc, off1, svc_search, {"client_id": "odd-dev-000002", "points": walk_east(4, 4),
                                                          "device": device})
    with svc.reading() as s:
                rows = s.execute(select(TrackPoint.device, TrackPoint.piece).where(TrackPoint.search_id == svc_search)).all()
    assert later["accepted"] == 4 and {r.device for r in rows} == {device}
    assert len(rows) == 8 and len({r.piece for r in rows}) == 1   # the second batch continued the device's track


def test_each_device_of_each_user_continues_its_own_track(svc, people, svc_search):
    off1, off2 = people["off1"], people["off2"]
    for k in range(3):   # interleaved: off1's "a", off1's "b" (a minute later on the same street), off2's "a"
        field.add_track_batch(svc, off1, svc_search, {"client_id": f"a1-{k:06d}", "points": walk_east(5 * k, 5),
                                                      "device": "a"})
        field.add_track_batch(svc, off1, svc_search, {"client_id": f"b1-{k:06d}", "points": walk_east(5 * k + 30, 5),
                                                      "device": "b"})
        field.add_track_batch(svc, off2, svc_search, {"client_id": f"a2-{k:06d}", "points": walk_east(5 * k, 5),
                                                      "device": "a"})
    with svc.reading() as s:
        rows = s.execute(select(TrackPoint.user_id, TrackPoint.device, TrackPoint.piece)
                         .where(TrackPoint.search_id == svc_search)).all()
    pieces = {}
    for r in rows:
        pieces.setdefault((r.user_id, r.device), set()).add(r.piece)
    assert len(rows) == 45 and all(len(p) == 1 for p in pieces.values()), pieces
