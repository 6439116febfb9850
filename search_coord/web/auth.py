"""Logging in and out and CSRF tokens, for pages and the API. Who is logged in (``current_user``,
``current_actor``) lives in ``search_coord.identity``, shared with the sockets."""
from __future__ import annotations

import hmac
import secrets

from flask import g, request, session

from ..identity import current_user, services
from ..services import users

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def login(user: dict) -> None:
    """Start a fresh session for ``user`` (a view from ``users.authenticate`` or ``users.change_password``), storing
    its session version in the signed cookie. The version is taken out of ``user``, which is then shown as is."""
    version = user.pop("session_version", 0)
    session.clear()
    session.permanent = True
    session["uid"] = user["id"]
    session["sv"] = version
    session["csrf"] = secrets.token_urlsafe(32)
    g.user = user


def logout() -> None:
    """End the session. The user's session version is bumped, so every cookie of theirs (a copy saved before this
    logout, their other devices) and every socket stops working at once."""
    user = current_user()
    if user is not None:
        users.end_sessions(services(), user["id"])
    session.clear()
    g.user = None


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())
