"""What every service needs, handed in by the app (or a test): sessions, publisher, clock, geocoder."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..core.errors import Unavailable


class Publisher(Protocol):
    def publish(self, search_id: int, event: dict) -> None: ...


class NullPublisher:
    def publish(self, search_id: int, event: dict) -> None:
        pass


class RecordingPublisher:
    """Keeps what was published, for tests."""

    def __init__(self):
        self.events: list[tuple[int, dict]] = []

    def publish(self, search_id: int, event: dict) -> None:
        self.events.append((search_id, event))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Actor:
    """Who is acting, with which role, from which device (a phone's id or a browser description)."""

    user_id: int
    role: str
    device: str | None = None
    name: str | None = None  # the display name, when the edge already has it (saves a query per event)

    @property
    def is_dispatcher(self) -> bool:
        return self.role in ("dispatcher", "admin")


@dataclass
class Services:
    write: sessionmaker
    read: sessionmaker
    publisher: Any = field(default_factory=NullPublisher)
    clock: Callable[[], datetime] = utc_now
    geocoder: Any = None
    password_method: str = "scrypt"
    #: Runs ``fn(*args)`` off the request (a thread pool in the app); None runs it inline (tests, scripts).
    background: Callable[..., Any] | None = None
    #: On SQLite, writers of this process queue on this lock instead of spinning in SQLite's busy handler (whose
    #: back-off sleeps collapse throughput under concurrent writes); other processes still meet busy_timeout.
    write_lock: Any = None
    #: Called with a user id after a commit that ended every session of that user (logout, deactivation, password
    #: or role change), so the app can close their open sockets at once; None does nothing (tests, scripts).
    on_sessions_ended: Callable[[int], None] | None = None
    #: Stores phones' track batches in groups, one transaction for the batches waiting at that moment
    #: (``services/ingest.py``); None stores each in its own transaction (tests, scripts).
    track_writer: Any = None

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def reading(self):
        """A read-only session (deferred transaction, never blocks writers)."""
        with self.read() as session:
            try:
                yield session
            except OperationalError as exc:
                raise Unavailable(f"the database is unavailable; try again ({exc.orig})") from exc

    @contextmanager
    def transaction(self):
        """One write transaction; committed on success, rolled back on any error; events published after commit."""
        session: Session = self.write()
        session.info["events"] = []
        lock = self.write_lock
        if lock is not None:
            lock.acquire()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise Unavailable(f"the database is busy or unavailable; nothing was saved, try again ({exc.orig})") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            events = session.info.pop("events", [])
            session.close()
            if lock is not None:
                lock.release()
        for search_id, event in events:
            self.publisher.publish(search_id, event)


def is_duplicate_client_id(exc: IntegrityError) -> bool:
    """True when the failed insert was a repeat of a client-made id (the events' unique constraint)."""
    text = str(exc.orig)
    return "client_id" in text
