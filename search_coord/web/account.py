"""The user's own account: change the password (page and API), the "must change the password first" gate, and
the login throttle (Flask-Limiter).

Login throttle: failed logins (401) count against the pair (submitted account name, client address) and against
the client address alone, shared by the page (``POST /login``) and the API (``POST /api/v1/session``): beyond
``LOGIN_LIMIT_PER_ACCOUNT`` for one name from one address, or ``LOGIN_LIMIT_PER_ADDRESS`` from one address, every
attempt from that address, right or wrong, is a 429 with ``Retry-After`` and "try again in N s" (the login page shows
it in its language). The name counter is kept per address on purpose: wrong passwords sent from elsewhere never lock
the real owner out (an attacker could otherwise lock a dispatcher out in the middle of a search); guessing is slowed
by the per-address limits and the password hash. There is deliberately no per-account limit across all addresses.
The client address is ``request.remote_addr``: behind a reverse proxy set ``PROXY_FIX`` (``search_coord/__init__``),
or every client shares the proxy's address. Counters live in Redis when ``RATELIMIT_STORAGE_URI`` or a Redis
``SOCKETIO_MESSAGE_QUEUE`` is set (shared by every process), else in memory.
Wrong old passwords on the change endpoint count against the account the same way.
"""
from __future__ import annotations

import math
import time

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..core import accounts
from ..core.errors import NotAuthenticated, SearchCoordError, ValidationError
from ..services import users
from ..identity import current_actor, current_user, services
from .auth import csrf_token, login

bp = Blueprint("account", __name__)

LOGIN_ENDPOINTS = ("api.session_login", "pages.login_submit")
#: The password change, throttled on wrong old passwords.
PASSWORD_CHANGE_ENDPOINT = "account.change_password"
#: What a user who must change their password may still reach (everything else: 403 or a redirect to /password).
OPEN_WHILE_CHANGE_REQUIRED = {"account.password_page", "account.change_password", "api.session_get",
                              "api.session_login", "api.session_logout", "pages.login_form", "pages.login_submit",
                              "pages.logout_submit", "pages.set_language", "static"}
#: Routes whose service checks the session in its own transaction (active, session version, no password change
#: required): the gate does not read the user for them; they answer a refusal with ``session_refusal``.
CHECKED_IN_THE_SERVICE = {"api.tracks_add"}


class PasswordChangeRequired(SearchCoordError):
    """An administrator set this password: choose your own (POST /api/v1/account/password) before anything else."""

    code = "password_change_required"
    status = 403


def _page_client() -> dict:
    """What the page shell (base.html, common.js) needs: the CSRF token and the user."""
    return {"csrfToken": csrf_token(), "user": current_user()}


# --- change password -------------------------------------------------------------------------------------------

@bp.get("/password")
def password_page():
    """The change-password page (old + new); where a user who must change their password is sent."""
    if current_user() is None:
        return redirect(url_for("pages.login_form", next=request.full_path.rstrip("?")))
    return render_template("password.html", client=_page_client(), next=request.args.get("next", ""),
                           min_length=accounts.MIN_PASSWORD_LENGTH)


@bp.post("/api/v1/account/password")
def change_password():
    """``{"old_password", "new_password"}`` -> ``{"user", "csrf_token"}``: the password is changed, every other
    session of the user ends, and this one goes on with a fresh cookie (and CSRF token). 400 names the field."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object (Content-Type: application/json)"})
    try:
        user = users.change_password(services(), current_actor(), data.get("old_password"), data.get("new_password"))
    except SearchCoordError as exc:
        g.old_password_wrong = getattr(exc, "errors", {}).get("old_password") == "is wrong"
        raise
    login(user)
    return {"user": user, "csrf_token": csrf_token()}


def _change_gate():
    """Until the user has chosen their own password: pages redirect to /password, the API answers 403."""
    if request.endpoint in OPEN_WHILE_CHANGE_REQUIRED or request.endpoint in CHECKED_IN_THE_SERVICE \
            or (request.endpoint or "").startswith("vendor."):
        return None
    user = current_user()
    if user is None or not user.get("must_change_password"):
        return None
    if request.path.startswith("/api/"):
        raise PasswordChangeRequired()
    return redirect(url_for("account.password_page", next=request.full_path.rstrip("?")))


def session_refusal() -> SearchCoordError | None:
    """What the gate and ``current_actor`` refuse this request's session with (NotAuthenticated, or
    PasswordChangeRequired), None when it may act: for the routes in ``CHECKED_IN_THE_SERVICE``, once their service
    refused the session or before any other error of theirs, so that they answer exactly as every other API route."""
    user = current_user()
    if user is None:
        return NotAuthenticated("log in first")
    return PasswordChangeRequired() if user.get("must_change_password") else None


# --- login throttle --------------------------------------------------------------------------------------------

def _account_key() -> str:
    """The client address and the submitted account name as compared (NFKC, case-folded), from the form or the
    JSON body: one counter per (name, address) pair."""
    name = request.form.get("username") if request.form else None
    if name is None:
        data = request.get_json(silent=True)
        name = data.get("username") if isinstance(data, dict) else None
    address = get_remote_address() or ""
    return f"account:{len(address)}:{address}:" + (accounts.username_key(name)[:200] if isinstance(name, str) else "")


def _user_key() -> str:
    user = current_user()
    return "account-id:" + str(user["id"] if user else request.remote_addr)


def _login_failed(response) -> bool:
    return response.status_code == 401


def storage_uri(config) -> str:
    """Where the throttle's counters live: RATELIMIT_STORAGE_URI, else a Redis message queue, else memory."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    return queue if queue.startswith(("redis://", "rediss://", "unix://")) else "memory://"


def retry_after_s() -> int:
    """Whole seconds until the breached limit of this request lets an attempt through again (at least 1)."""
    limiter = current_app.extensions["search_coord_limiter"]
    current = limiter.current_limit
    reset_at = current.reset_at if current is not None else time.time() + 60
    return max(1, math.ceil(reset_at - time.time()))


def _too_many(exc: RateLimitExceeded):
    wait = retry_after_s()
    message = f"too many attempts; try again in {wait} s"
    if request.path.startswith("/api/"):
        resp = jsonify({"error": "rate_limited", "message": message, "retry_after_s": wait})
    else:
        resp = current_app.make_response(render_template(
            "login.html", next=request.form.get("next", ""), client=_page_client(), error="rate_limited",
            retry_after_s=wait, username=request.form.get("username", "")))
    resp.status_code = 429
    resp.headers["Retry-After"] = str(wait)
    return resp


def register(app) -> None:
    """The blueprint, the change-password gate and the login throttle (call after the other blueprints)."""
    app.register_blueprint(bp)
    app.before_request(_change_gate)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("SOCKETIO_CHANNEL") or "search-coord")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["search_coord_limiter"] = limiter
    # Only the login and password-change views are throttled: unless an operator set limits for the whole app
    # (Flask-Limiter's RATELIMIT_DEFAULT / RATELIMIT_APPLICATION), every other request is exempted at once instead
    # of having the limiter resolve its (empty) limits, which cost about as much as a phone's track batch's checks.
    if not (app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION")):
        throttled = frozenset(LOGIN_ENDPOINTS) | {PASSWORD_CHANGE_ENDPOINT}
        limiter.request_filter(lambda: request.endpoint not in throttled)
    per_account = limiter.shared_limit(app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="login-account",
                                       key_func=_account_key, deduct_when=_login_failed)
    per_address = limiter.shared_limit(app.config["LOGIN_LIMIT_PER_ADDRESS"], scope="login-address",
                                       deduct_when=_login_failed)
    # The login views live in api.py and pages.py; they are wrapped here so the whole throttle is in one place.
    for endpoint in LOGIN_ENDPOINTS:
        app.view_functions[endpoint] = per_address(per_account(app.view_functions[endpoint]))
    wrong_old = limiter.shared_limit(app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="password-change",
                                     key_func=_user_key, deduct_when=lambda r: bool(g.get("old_password_wrong")))
    app.view_functions[PASSWORD_CHANGE_ENDPOINT] = wrong_old(app.view_functions[PASSWORD_CHANGE_ENDPOINT])
    app.register_error_handler(RateLimitExceeded, _too_many)
