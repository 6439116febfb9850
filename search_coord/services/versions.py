"""Versions of editable rows (searches, teams, assignments, segments, cameras): two dispatchers at once.

An edit names the version it started from as the body's ``"version"`` field (``core.fields.split_version``). A stale
one is refused with 409 ``{"error": "conflict", "message", "current": {...the row's current view...}}`` and changes
nothing. An edit without a version is still accepted (phones and older clients), applies only the fields it changes
and is logged as unchecked. The version is taken with one conditional UPDATE, so two edits sent at the same moment
from the same version cannot both win, on SQLite or PostgreSQL.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import Conflict

log = logging.getLogger(__name__)


def stale(current: dict, what: str) -> Conflict:
    """The 409 for an edit started from an older version; ``current`` is the row's view (with its ``version``)."""
    exc = Conflict(f"{what} was changed by someone else meanwhile (now version {current.get('version')}); "
                   "review the current values and send again")
    exc.extra = {"current": current}
    return exc


def check(version: int, expected: int | None, view: Callable[[], dict], what: str) -> None:
    """Raise ``stale(...)`` when ``expected`` (the version the edit started from) is not the stored ``version``; no
    version (None) passes. ``view`` makes the current values for the answer."""
    if expected is not None and expected != version:
        raise stale(view(), what)


def bump(session: Session, row: Any, expected: int | None, view: Callable[[], dict], what: str,
         actor_name: str | None = None) -> int:
    """Take the row's next version in the edit's transaction, or raise ``stale(...)`` when another edit took it
    first (the conditional UPDATE waits for that edit's commit on PostgreSQL). Returns the new version."""
    model = type(row)
    cond = [model.id == row.id]
    if expected is not None:
        cond.append(model.version == expected)
    else:
        log.info("%s edited without a version by %s (accepted, unchecked)", what, actor_name or "?")
    new = session.execute(update(model).where(*cond).values(version=model.version + 1).returning(model.version),
                          execution_options={"synchronize_session": False}).scalar_one_or_none()
    if new is None:
        session.refresh(row)
        raise stale(view(), what)
    set_committed_value(row, "version", new)
    return new


def diff(current: dict, wanted: dict) -> dict[str, dict]:
    """The fields of ``wanted`` whose value differs from ``current``: {field: {"from": old, "to": new}}."""
    return {k: {"from": current.get(k), "to": v} for k, v in wanted.items() if current.get(k) != v}


def advance(session: Session, row: Any) -> int:
    """Take the row's next version for a change the service makes itself (not a client's edit of the row's fields,
    e.g. a team's members changed by removing someone from the search). Returns the new version."""
    model = type(row)
    new = session.execute(update(model).where(model.id == row.id).values(version=model.version + 1)
                          .returning(model.version), execution_options={"synchronize_session": False}).scalar_one()
    set_committed_value(row, "version", new)
    return new
