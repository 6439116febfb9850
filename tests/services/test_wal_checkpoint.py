"""adapters/checkpoint.py: a SQLite database file's write-ahead log is checkpointed by a background thread, not by
the commits (a commit past SQLite's default 1,000 pages copied the log into the database and synced both files
while holding the write lock: a phone's batch every hundred or so paid it)."""
import time

from sqlalchemy import text

from search_coord.adapters.checkpoint import AUTOCHECKPOINT_PAGES
from search_coord.adapters.db import make_engine


def _writes(engine, n: int) -> None:
    with engine.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS t (x TEXT)"))
    for _ in range(n):
        with engine.begin() as c:
            c.execute(text("INSERT INTO t VALUES (:x)"), {"x": "a" * 3000})


def _log_pages(engine) -> tuple[int, int]:
    """(pages in the log, pages of it copied into the database) after one more passive checkpoint."""
    raw = engine.raw_connection()
    try:
        _busy, log, copied = raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        raw.close()
    return log, copied


def test_commits_leave_the_log_to_the_background_thread(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        engine.sc_checkpointer.interval_s = 60.0   # the thread stays asleep through this test
        _writes(engine, 600)                       # ~1,200 pages of log: past SQLite's default of 1,000
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
        log, copied = _log_pages(engine)
        assert log > 1000 and copied == log, (log, copied)   # no commit restarted the log by checkpointing it
    finally:
        engine.dispose()


def test_the_thread_checkpoints_after_commits_and_ends_when_idle(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    checkpointer = engine.sc_checkpointer
    checkpointer.interval_s, checkpointer.idle_s = 0.05, 0.3
    try:
        _writes(engine, 50)
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= 1
        log, copied = _log_pages(engine)
        assert copied == log
        deadline = time.monotonic() + 10
        while checkpointer.running and time.monotonic() < deadline:   # idle: the thread ends
            time.sleep(0.05)
        assert not checkpointer.running
        seen = checkpointer.checkpoints
        _writes(engine, 5)                                             # a commit starts it again
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == seen and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints > seen
    finally:
        engine.dispose()


def test_a_database_in_memory_has_no_checkpointer():
    engine = make_engine("sqlite://")
    assert not hasattr(engine, "sc_checkpointer")
    engine.dispose()


def test_a_thread_that_cannot_start_never_fails_a_commit(tmp_path, monkeypatch):
    """The checkpointer hears of a commit just before it is made: when no thread can be started (a process at its
    limit), the commit still succeeds and the next one tries again."""
    import threading as threading_module

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    real_start = threading_module.Thread.start

    def refuse(self):
        if self.name == "search-coord-wal-checkpoint":
            raise RuntimeError("can't start new thread")
        return real_start(self)
    try:
        monkeypatch.setattr(threading_module.Thread, "start", refuse)
        _writes(engine, 3)
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM t").scalar() == 3
        assert not engine.sc_checkpointer.running
        monkeypatch.setattr(threading_module.Thread, "start", real_start)
        _writes(engine, 1)
        assert engine.sc_checkpointer.running
    finally:
        engine.dispose()
