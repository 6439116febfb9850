"""Findings of the review of the track-batch performance changes (4241c3a..68417e3), pinned down as tests."""
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import text

from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.core.errors import Unavailable
from search_coord.services.context import Services
from support import migrated_sqlite


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


@pytest.mark.xfail(strict=True, reason="1cdaa15 sends BEGIN IMMEDIATE on the driver's connection from the 'begin' "
                   "event, outside SQLAlchemy's error wrapping: 'database is locked' escapes as sqlite3's own "
                   "OperationalError, which Services.transaction does not turn into Unavailable (a 500, not a 503)")
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


# --- adapters.db.Precompiled (af0c170): latent differences from the Core statement ----------------------------------

@pytest.mark.xfail(strict=True, reason="Precompiled types only JSON, DateTime and Boolean result columns "
                   "(isinstance, so not a TypeDecorator either): a Date, a Numeric or a custom type comes back as "
                   "the driver gives it on SQLite (str, float), not as the Core statement gives it. Not met by the "
                   "batch reads today (none of their columns is such a type); a trap for the next statement")
def test_precompiled_gives_the_core_statements_python_types_for_every_column(tmp_path):
    from datetime import date, datetime
    from sqlalchemy import Date, DateTime, Numeric, TypeDecorator, cast, literal, select
    from search_coord.adapters.db import Precompiled

    class Stamp(TypeDecorator):
        impl, cache_ok = DateTime, True

        def process_result_value(self, value, dialect):
            return None if value is None else ("stamp", value)

    engine = make_engine(f"sqlite:///{tmp_path / 'types.db'}")
    q = select(literal(date(2026, 1, 2), Date).label("d"), cast(literal("1.50"), Numeric(10, 2)).label("n"),
               literal(datetime(2026, 1, 2, 3, 4, 5), Stamp).label("s"))
    try:
        with engine.connect() as conn:
            assert tuple(conn.execute(Precompiled(q).on(conn.dialect)).one()) == tuple(conn.execute(q).one())
    finally:
        engine.dispose()
