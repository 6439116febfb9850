"""Who is asking, for both edges (``web`` and ``sockets``): the logged-in user of the request or socket message,
looked up from the signed session cookie and checked against the account's session version, and the ``Actor`` the
services are given. Neither edge imports the other for it."""
from __future__ import annotations

from flask import current_app, g, request, session

from .core.errors import NotAuthenticated
from .services import users
from .services.context import Actor


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


def cookie_actor() -> tuple[Actor, int]:
    """``(actor, session version)`` as the signed cookie gives them, with no read: for a route whose service checks
    the session in its own transaction (``session_version``) and reads the role and display name there (the actor's
    ``role`` is empty until then). NotAuthenticated when the cookie holds no session."""
    user_id, version = session.get("uid"), session.get("sv")
    if not _whole(user_id) or not _whole(version):
        raise NotAuthenticated("log in first")
    return Actor(user_id=user_id, role="", device=device_label()), version


def _whole(value) -> bool:
    """An int that is not a bool (True is an int to isinstance): what a cookie's ids and versions must be."""
    return isinstance(value, int) and not isinstance(value, bool)
