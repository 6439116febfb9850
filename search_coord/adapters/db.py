"""Engine and session factory. SQLite gets WAL, a busy timeout and immediate write transactions; PostgreSQL is used
as it is. The same code runs on both by changing the URL."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from .checkpoint import AUTOCHECKPOINT_PAGES, JOURNAL_SIZE_LIMIT_BYTES, WalCheckpointer

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, echo: bool = False, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs) -> Engine:
    """Create the engine for ``url``; SQLite connections are tuned for one writer and many readers (a writer waits
    up to ``busy_timeout_ms`` for the lock, then the request fails with a clear, retryable error), and a database
    file's WAL is checkpointed in the background, not in the commits (``adapters/checkpoint.py``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000,
                                                             "check_same_thread": False}, **kwargs)
        _tune_sqlite(engine, busy_timeout_ms)
        if _is_file(engine):
            engine.sc_checkpointer = WalCheckpointer(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, echo=echo, pool_pre_ping=True, **kwargs)


def _is_file(engine: Engine) -> bool:
    return engine.url.database not in (None, "", ":memory:") and not engine.url.database.startswith("file::memory:")


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (so we can say BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if _is_file(engine):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Every transaction takes the write lock up front: no deadlock-prone lock upgrades, busy_timeout applies.
        # Read-only sessions (see ``make_session_factory``) begin deferred and never block a writer under WAL.
        # On the driver's connection itself: a statement through SQLAlchemy's execution path cost several times the
        # BEGIN, and every write transaction (a phone's batch each second) pays it.
        # Its errors ("database is locked" past busy_timeout) are wrapped as SQLAlchemy wraps its own, so the callers'
        # handling (Services.transaction: Unavailable, a 503 to send again) is the same.
        sql = "BEGIN" if conn.get_execution_options().get("sc_readonly") else "BEGIN IMMEDIATE"
        dbapi_error = engine.dialect.loaded_dbapi.Error
        try:
            conn.connection.driver_connection.execute(sql)
        except dbapi_error as err:
            raise DBAPIError.instance(sql, None, err, dbapi_error) from err


def make_session_factory(engine: Engine, readonly: bool = False) -> sessionmaker:
    """Sessions for writes (one immediate transaction each) or, with ``readonly``, for queries."""
    bind = engine.execution_options(sc_readonly=True) if readonly else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
