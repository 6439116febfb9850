"""When the person went missing and where they were known to be: pure rules over the search's chain of known points.

The chain starts at the first last known point (what the caller reported when the search was opened) and goes on
through each confirmed sighting after it; a search stores the current last known point (``lkp``, ``lkp_time``) and,
once a sighting has moved it, the points before it (``lkp_history``, oldest first, each ``{"lkp", "lkp_time", ...}``
with ``lkp_time`` an ISO 8601 string).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Sequence

from .fields import parse_time


def as_utc(dt: datetime) -> datetime:
    """An aware UTC datetime from a stored naive-UTC or an aware one (never the machine's local zone)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def missing_since(lkp_time: datetime, history: Sequence[Mapping] | None) -> datetime:
    """When the person went missing: the first last-known time of the chain, as an aware UTC datetime.

    A confirmed sighting moves the last known point and its time on, never this: a fix, clue or sighting after it
    is valid evidence even when it is older than the current last known time (a phone that was offline sends what
    it queued). ``lkp_time`` is the current last known time (naive UTC or aware); ``history`` the points it replaced.
    """
    if history:
        return parse_time(history[0]["lkp_time"])
    return as_utc(lkp_time)
