"""Group commit of phones' track batches: one writer thread per process stores every batch waiting at that moment in
one transaction and answers each once that transaction is committed.

Why: with 200 phones sending every second, each batch in a transaction of its own paid the transaction's fixed
costs (the write lock handed from thread to thread on SQLite, BEGIN, COMMIT and its WAL write) 200 times a second
and requests queued on the lock. Grouped, those are paid once per group; a group forms by itself from what arrives
while the previous one is being written (no waiting to fill it); when nothing is being written, the sender's own
thread writes its batch at once (no hand-over to the writer thread), so at a low rate nothing changes.

What stays per batch: its checks, its event (own sequence number, payload and client id) and its answer. A batch
that is refused (a bad batch, not on the search, a closed search, a client id used before) is found so by reading,
before it writes anything; one that fails while writing has the group written again with a savepoint a batch, so
it fails alone (``write``): the others of the group are unaffected. Nothing is answered before the commit: a batch acknowledged is stored; if
the commit fails, every batch of the group is answered "unavailable, try again" (none was stored), and the phone's
retry, with the same client id, is stored once.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..core.errors import SearchCoordError, Unavailable
from . import events, field as field_reports
from .context import Actor, Services

log = logging.getLogger(__name__)

#: At most this many batches in one transaction (bounds how long other writers wait for the lock: ~3 ms a batch).
MAX_GROUP = 32
#: A sender waits this long for its answer before being told to try again (the batch may still be stored: the
#: retry's client id makes it once).
ANSWER_TIMEOUT_S = 30.0
#: The writer thread ends after this long without a batch (an app in a test, a quiet night) and starts again on one.
IDLE_S = 30.0


@dataclass
class Batch:
    """One phone's batch waiting for the writer, and its answer (``future``)."""

    actor: Actor
    search_id: int
    data: dict
    session_version: int | None
    future: Future = field(default_factory=Future)
    result: dict | None = None
    error: BaseException | None = None
    same_as: "Batch | None" = None   # an earlier batch of the group with the same client id


class _WriteFailed(Exception):
    """A batch failed while writing: the group is rolled back and written again with a savepoint a batch."""


class TrackWriter:
    """``submit`` from any thread; one daemon thread (started on first use) writes the groups."""

    def __init__(self, svc: Services, max_group: int = MAX_GROUP, timeout_s: float = ANSWER_TIMEOUT_S):
        self.svc = svc
        self.max_group = max_group
        self.timeout_s = timeout_s
        self._queue: queue.SimpleQueue[Batch] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None
        self._writing = 0   # groups being written now (by the writer thread or a sender writing its own)
        self.groups = 0     # counters for the benchmark and tests: groups written, batches in them
        self.batches = 0

    def submit(self, actor: Actor, search_id: int, data: dict, session_version: int | None = None,
               timeout_s: float | None = None) -> dict:
        """Queue a batch and wait for its answer (``add_track_batch``'s); raises what storing it raised, or
        ``Unavailable`` after ``timeout_s`` (default the writer's) without one."""
        batch = Batch(actor, search_id, data, session_version)
        with self._start:
            inline = self._writing == 0 and self._queue.empty()
            self._writing += inline
        if inline:   # nothing is being written: this thread writes its own batch now (no hand-over to the writer)
            try:
                self._guarded([batch])
            finally:
                with self._start:
                    self._writing -= 1
            return batch.future.result(0)
        self._queue.put(batch)
        self._ensure_thread()
        try:
            return batch.future.result(self.timeout_s if timeout_s is None else timeout_s)
        except FutureTimeout:
            raise Unavailable("the server is busy; nothing is lost, send the batch again") from None

    def _ensure_thread(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="search-coord-track-writer", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            try:
                group = [self._queue.get(timeout=IDLE_S)]
            except queue.Empty:
                with self._start:   # idle: the thread ends (a submit after this starts another)
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            while len(group) < self.max_group:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            with self._start:
                self._writing += 1
            try:
                self._guarded(group)
            finally:
                with self._start:
                    self._writing -= 1

    def _guarded(self, group: list[Batch]) -> None:
        try:
            self.write(group)
        except BaseException as exc:  # noqa: BLE001 - the writer must outlive any one group
            log.exception("track writer: a group failed")
            for batch in group:
                if not batch.future.done():
                    batch.future.set_exception(exc)

    def write(self, group: list[Batch]) -> None:
        """Store ``group`` in one transaction, then answer each batch.

        First without savepoints: every refusal a batch can meet is found by reading before it writes anything
        (``prepare_track_batch``), so a refused batch leaves nothing to undo. Only a failure while writing (a client id
        taken at that moment by another process, a bug, the database) rolls the whole group back, and the group is
        written again with a savepoint a batch, so that one batch's failure stays its own."""
        try:
            self._write(group, savepoints=False)
        except _WriteFailed:
            for batch in group:
                batch.result = batch.error = batch.same_as = None
            self._write(group, savepoints=True)

    def _write(self, group: list[Batch], savepoints: bool) -> None:
        svc = self.svc
        try:
            with svc.transaction() as s:
                if savepoints:
                    for batch in group:
                        self._store_in_savepoint(s, batch)
                else:
                    self._store_all(s, group)
                s.info["events"].sort(key=lambda item: item[1]["seq"])   # published in sequence order
        except SearchCoordError as exc:   # the commit (or the transaction itself) failed: nothing was stored
            for batch in group:
                batch.future.set_exception(exc)
            return
        self.groups += 1
        self.batches += len(group)
        for batch in group:
            self._answer(batch)

    def _store_all(self, s, group: list[Batch]) -> None:
        """The group without savepoints, in passes: each pass first reads every batch's checks (nothing locked yet),
        then takes the sequence numbers of all it will store at once, one UPDATE a search (on PostgreSQL that row
        stays locked until the commit: taken once, as late as possible), then writes them together (every fix in one
        INSERT, every event in another: ``field.apply_track_batches``). A batch whose
        client id an earlier one of the group used is answered as that one (``same_as``); a device's second batch
        in the group waits for the next pass, so that its checks read what the first one wrote."""
        now = self.svc.now()
        waiting = group
        while waiting:
            ready, later, ids, devices = [], [], {}, set()
            for batch in waiting:
                device = (batch.search_id, batch.actor.user_id, field_reports.device_of(batch.data, batch.actor))
                if device in devices:
                    later.append(batch)
                    continue
                prepared = self._prepare(s, batch, now)
                if prepared is None:
                    continue
                key = (batch.search_id, batch.actor.user_id, prepared["clean"]["client_id"])
                if key in ids:
                    batch.same_as = ids[key]
                    continue
                ids[key] = batch
                devices.add(device)
                ready.append((batch, prepared))
            counts: dict[int, int] = {}
            for batch, _ in ready:
                counts[batch.search_id] = counts.get(batch.search_id, 0) + 1
            try:
                first = {sid: events.take_seqs(s, sid, n) for sid, n in sorted(counts.items())}
                items = []
                for batch, prepared in ready:
                    items.append((batch.actor, batch.search_id, prepared, first[batch.search_id]))
                    first[batch.search_id] += 1
                for (batch, _), result in zip(ready, field_reports.apply_track_batches(s, items, now)):
                    batch.result = result
            except Exception as exc:
                raise _WriteFailed() from exc
            waiting = later

    def _prepare(self, s, batch: Batch, now) -> dict | None:
        """A batch's checks (reads only): the prepared batch, or None when it is answered already (a refusal, or
        the first answer to a client id used before)."""
        try:
            prepared = field_reports.prepare_track_batch(s, batch.actor, batch.search_id, batch.data, now,
                                                         batch.session_version)
        except SearchCoordError as exc:   # refused before writing anything
            batch.error = exc
            return None
        except Exception as exc:
            raise _WriteFailed() from exc
        if prepared["replay"] is not None:
            batch.result = prepared["replay"]
            return None
        return prepared

    def _store_in_savepoint(self, s, batch: Batch) -> None:
        mark = len(s.info["events"])
        try:
            with s.begin_nested():
                batch.result = field_reports.store_track_batch(s, batch.actor, batch.search_id, batch.data,
                                                               self.svc.now(), batch.session_version)
        except (SearchCoordError, IntegrityError) as exc:
            batch.error = exc
        except Exception as exc:  # noqa: BLE001 - one batch's fault never fails the others
            log.exception("track batch of user %s failed", batch.actor.user_id)
            batch.error = exc
        if batch.error is not None:
            del s.info["events"][mark:]   # what it recorded was rolled back with its savepoint
            batch.result = None

    def _answer(self, batch: Batch) -> None:
        if batch.same_as is not None:   # the same client id as an earlier batch of the group: its answer, once
            first = batch.same_as
            if first.error is None and first.result is not None:
                batch.future.set_result({**first.result, "duplicate": True})
            else:
                batch.future.set_exception(first.error or Unavailable("try again"))
            return
        if batch.error is None:
            batch.future.set_result(batch.result)
            return
        if isinstance(batch.error, IntegrityError):   # a client id used before: the first answer, once committed
            try:
                batch.future.set_result(field_reports.replayed_batch(self.svc, batch.actor, batch.search_id,
                                                                     batch.data, batch.error))
            except BaseException as exc:  # noqa: BLE001 - handed to the sender
                batch.future.set_exception(exc)
            return
        batch.future.set_exception(batch.error)
