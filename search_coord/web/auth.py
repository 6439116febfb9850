"""The logged-in user, roles, device identification and CSRF tokens, for pages, the API and sockets alike."""
from __future__ import annotations

import hmac
import secrets

from flask import current_app, g, request, session

from ..core.errors import NotAuthenticated
from ..services import users
from ..services.context import Actor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def services():
    return current_app.extensions["search_coord"]


def device_label() -> str:
    """The phone's own id when it sends one (``X-Device-Id``), else a short description of the browser."""
    dev = request.headers.get("X-Device-Id", "").strip()
    if dev and len(dev) <= 64 and all(c.isalnum() or c in "-_" for c in dev):
        return dev
    return "web: " + (request.user_agent.string or "unknown")[:150]


def current_user() -> dict | None:
    """The session's user, looked up on every request and socket message: None when not logged in, or when the
    account is deactivated or its session version (bumped by logout, deactivation, a password or role change) is
    no longer the one this cookie was given at login, so an ended session stops at once."""
    if "user" not in g:
        user = users.session_user(services(), session.get("uid"), session.get("sv"))
        if user is not None:
            user.pop("session_version", None)
        g.user = user
    return g.user


def current_actor(required: bool = True) -> Actor | None:
    user = current_user()
    if user is None:
        if required:
            raise NotAuthenticated("log in first")
        return None
    return Actor(user_id=user["id"], role=user["role"], device=device_label(), name=user["display_name"])


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
