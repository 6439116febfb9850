"""JSON API under /api/v1: parse, call one service, serialize; one module per resource, each adding its routes to
the one blueprint ``bp`` (``common``), in the order the API document lists them."""
from __future__ import annotations

from . import session, users, searches, teams, field, where, cameras, video, exports, urgency, join, streets  # noqa: F401  (each registers its routes)
from .common import bp

__all__ = ["bp"]
