"""SQLite's WAL checkpoints off the request path.

In WAL mode a commit appends pages to the write-ahead log; a checkpoint copies them into the database file and, with
``synchronous=NORMAL``, syncs both files. By default SQLite runs one inside the commit that takes the log past 1,000
pages: with phones' batches (about ten pages each) every hundredth batch paid it while holding the write lock (a
6.4 ms commit against 0.09 ms for the others, measured in the server on this machine's disc; more on a slow card,
and every other writer waited for it). Here a background thread of the process checkpoints the log about once a
second while there are commits (``PRAGMA wal_checkpoint(PASSIVE)``: it copies what it can without waiting for
readers or writers, and neither waits for it), and a commit checkpoints by itself only past
``AUTOCHECKPOINT_PAGES``: the safety net should the thread fall behind. The thread starts on a commit and ends after
``IDLE_S`` without one (a quiet night, an app in a test), as the track writer's does.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: A commit checkpoints the log itself only when it is longer than this (pages of 4 KiB: ~16 MB; 200 phones'
#: batches write ~2,000 pages a second, which the thread copies as they come).
AUTOCHECKPOINT_PAGES = 4_000
#: The log file is cut back to this size when it starts again (it is reused, not shrunk, otherwise).
JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024
#: How often the background thread checkpoints while there are commits.
INTERVAL_S = 1.0
#: A log still longer than this after a checkpoint (writers outpacing it) is checkpointed again after CATCH_UP_S.
CATCH_UP_PAGES = 1_000
CATCH_UP_S = 0.05
#: The thread ends after this long without a commit (the next commit starts it again).
IDLE_S = 30.0


class WalCheckpointer:
    """Checkpoints ``engine``'s SQLite database (a file in WAL mode) in a background thread after its commits."""

    def __init__(self, engine: Engine, interval_s: float = INTERVAL_S, idle_s: float = IDLE_S):
        self._engine = weakref.ref(engine)   # the thread never keeps a disposed app's engine alive
        self.interval_s = interval_s
        self.idle_s = idle_s
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._dirty = False
        self._passes = 0   # checkpoints still to run: one more after the last commit seen (it may land after one)
        self._last_commit = 0.0
        self.checkpoints = 0   # for tests: checkpoints run by the thread
        event.listen(engine, "commit", self._committed)

    @property
    def running(self) -> bool:
        """Whether the background thread is running now."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _committed(self, _conn) -> None:
        """SQLAlchemy's ``commit`` event (it comes just before the commit itself): never raises, so never fails the
        commit (a thread that cannot start leaves the checkpoints to the commits, past the safety net)."""
        with self._lock:   # with the thread's decision to end: a commit never finds a thread about to end
            self._dirty = True
            self._last_commit = time.monotonic()
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._loop, name="search-coord-wal-checkpoint", daemon=True)
            try:
                thread.start()
            except RuntimeError as exc:   # no thread to be had now: the next commit tries again
                log.warning("WAL checkpoint thread not started (%s)", exc)
                return
            self._thread = thread

    def _loop(self) -> None:
        wait = self.interval_s
        while True:
            time.sleep(wait)
            wait = self.interval_s
            with self._lock:
                engine = self._engine()
                if self._dirty:   # this checkpoint, and one more: the commit that set it may land after this one
                    self._dirty, self._passes = False, 2
                quiet = self._passes == 0 and time.monotonic() - self._last_commit > self.idle_s
                if engine is None or quiet:
                    self._thread = None
                    return
                run = self._passes > 0
                self._passes = max(0, self._passes - 1)
            if run:
                try:
                    _busy, pages, copied = self.checkpoint(engine)
                except Exception as exc:  # noqa: BLE001 - a failed checkpoint is retried; commits still work
                    log.warning("WAL checkpoint failed (%s); commits checkpoint past %d pages meanwhile", exc,
                                AUTOCHECKPOINT_PAGES)
                else:
                    if pages - copied > CATCH_UP_PAGES:   # writers outpace it: again soon
                        wait = CATCH_UP_S
                        with self._lock:
                            self._passes = max(self._passes, 1)
            del engine

    def checkpoint(self, engine: Engine) -> tuple[int, int, int]:
        """One passive checkpoint on a connection of the pool, outside any transaction: SQLite's ``(busy, pages in
        the log, pages copied)``."""
        raw = engine.raw_connection()
        try:
            row = raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        self.checkpoints += 1
        return tuple(row)
