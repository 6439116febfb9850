"""Accounts: login, sessions, passwords, and their management by an administrator.

Every session cookie carries the user's ``session_version`` from the moment of login; bumping it (logout,
deactivation, a password set or changed, a role changed) ends every session and socket of that user at once, since
the edges compare the two on each request and socket message (``session_user``) and sockets are swept
(``session_versions``); an account that must change its password keeps its sessions but no socket. Passwords
follow ``core.accounts.password_problem``; user names are NFKC-normalised, compared case-folded, and look-alikes of
existing names are refused (``core.accounts``).
"""
from __future__ import annotations

import threading

from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..adapters.models import User
from ..core import accounts, schemas
from ..core.errors import Conflict, NotFound, ValidationError
from .access import require_admin, require_dispatcher
from .context import Actor, Services
from .events import naive_utc
from .views import user_view

# Compared against when the user does not exist (or cannot log in), so a wrong name takes as long as a wrong
# password. Built once per hash method, on first use, never per call.
_DUMMY_HASH: dict[str, str] = {}
_DUMMY_LOCK = threading.Lock()


def _dummy_hash(method: str) -> str:
    found = _DUMMY_HASH.get(method)
    if found is None:
        with _DUMMY_LOCK:
            found = _DUMMY_HASH.get(method)
            if found is None:
                found = _DUMMY_HASH[method] = generate_password_hash("no such account", method)
    return found


def _view(user: User) -> dict:
    return {**user_view(user), "must_change_password": bool(user.must_change_password)}


def _session_view(user: User) -> dict:
    """The view plus the session version the edge stores in the cookie (it is taken out before being shown)."""
    return {**_view(user), "session_version": user.session_version or 0}


def _find_by_name(s, username: str) -> User | None:
    """The account whose NFKC, case-folded name equals ``username``'s (None when none or, for old data, several)."""
    key = accounts.username_key(username)
    ids = [uid for uid, name in s.execute(select(User.id, User.username)) if accounts.username_key(name) == key]
    return s.get(User, ids[0] if len(ids) == 1 else 0)


def authenticate(svc: Services, username, password) -> dict | None:
    """The user's session view (``user_view`` + ``must_change_password`` + ``session_version``) if the name and
    password match an active account, else None.

    The same work is done for an unknown name, a wrong password and a deactivated account (one lookup, one hash
    check), so neither the answer nor its time tells which it was. The name is compared NFKC + case-folded."""
    if not accounts.is_text(username) or not accounts.is_text(password) or len(username) > 200:
        return None
    with svc.reading() as s:
        user = _find_by_name(s, username)
        usable = user is not None and user.active and "$" in (user.password_hash or "")
        matches = check_password_hash(user.password_hash if usable else _dummy_hash(svc.password_method), password)
        return _session_view(user) if usable and matches else None


_USERS = User.__table__
_SESSION_USER = select(*(c for c in _USERS.c if c.name not in ("password_hash", "created_at"))).where(
    _USERS.c.id == bindparam("uid"))


def session_user(svc: Services, user_id, version) -> dict | None:
    """The session view of ``user_id`` when that account is active and its session version is still ``version``
    (the one the cookie was given at login), else None: the session has been ended."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or isinstance(version, bool) \
            or not isinstance(version, int):
        return None
    with svc.reading() as s:   # the view's columns as a plain row (no ORM object, no password hash): every request
        user = s.execute(_SESSION_USER, {"uid": user_id}).first()
    if user is None or not user.active or (user.session_version or 0) != version:
        return None
    return _session_view(user)


def session_versions(svc: Services, user_ids) -> dict[int, int | None]:
    """``{user_id: session version}`` for the given ids; None for an account that is deactivated, gone, or must
    change its password first (no socket of theirs may stay open)."""
    ids = sorted({int(u) for u in user_ids})
    found: dict[int, int | None] = dict.fromkeys(ids)
    if not ids:
        return found
    with svc.reading() as s:
        for uid, version, active, must_change in s.execute(
                select(User.id, User.session_version, User.active, User.must_change_password)
                .where(User.id.in_(ids))):
            found[uid] = (version or 0) if active and not must_change else None
    return found


def _sessions_ended(svc: Services, user_id: int) -> None:
    """After the commit: tell the app (``Services.on_sessions_ended``) to close the user's sockets now."""
    if svc.on_sessions_ended is not None:
        svc.on_sessions_ended(user_id)


def end_sessions(svc: Services, user_id: int) -> None:
    """Log the user out everywhere (logout): every cookie and socket of theirs stops working."""
    with svc.transaction() as s:
        user = s.get(User, user_id)
        if user is not None:
            user.session_version = (user.session_version or 0) + 1
    _sessions_ended(svc, user_id)


def get_user(svc: Services, user_id: int) -> dict | None:
    with svc.reading() as s:
        user = s.get(User, user_id)
        return _view(user) if user else None


def _take_flag(data: dict, errors: dict) -> bool | None:
    flag = data.pop("must_change_password", None)
    if flag is not None and not isinstance(flag, bool):
        errors["must_change_password"] = "must be true or false"
    return flag


def _check_password(raw, username: str, errors: dict) -> None:
    """The policy on the password exactly as sent (``clean_user`` strips text; passwords are never stripped)."""
    if "password" not in errors:
        problem = accounts.password_problem(raw, username)
        if problem:
            errors["password"] = problem


def create_user(svc: Services, actor: Actor | None, data: dict) -> dict:
    """Create an account; ``actor=None`` is the command line (trusted), otherwise an administrator.

    ``data``: ``username`` (stored NFKC-normalised; refused when it equals or looks like an existing name, or
    mixes scripts deceptively), ``display_name``, ``role``, ``password`` (the policy in ``core.accounts``, checked
    as sent), ``phone``?, ``unit``?, ``active``?, ``must_change_password``? (the user must choose their own password
    at first login). Raises ValidationError (400) naming each bad field, Forbidden for a non-admin."""
    if actor is not None:
        require_admin(actor)
    data = dict(data) if isinstance(data, dict) else {}
    errors: dict[str, str] = {}
    must_change = _take_flag(data, errors)
    if isinstance(data.get("username"), str):
        data["username"] = accounts.normalize_username(data["username"])
    try:
        clean = schemas.clean_user(data)
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
        clean = None
    username = data.get("username") if isinstance(data.get("username"), str) else ""
    _check_password(data.get("password"), username, errors)
    if username and "username" not in errors and accounts.username_is_deceptive(username):
        errors["username"] = "mixes look-alike letters of different scripts"
    if errors:
        raise ValidationError(errors)
    with svc.transaction() as s:
        existing = list(s.execute(select(User.username)).scalars())
        other = accounts.lookalike_of(clean["username"], existing)
        if other is not None:
            raise ValidationError({"username": "is taken" if other == clean["username"]
                                   else "is taken (it looks like an existing user name)"})
        user = User(username=clean["username"], display_name=clean["display_name"], role=clean["role"],
                    password_hash=generate_password_hash(data["password"], svc.password_method),
                    phone=clean.get("phone"), unit=clean.get("unit"), active=clean.get("active", True) is not False,
                    created_at=naive_utc(svc.now()), session_version=0, must_change_password=bool(must_change))
        s.add(user)
        s.flush()
        return _view(user)


def update_user(svc: Services, actor: Actor, user_id: int, data: dict) -> dict:
    """An administrator changes an account: ``display_name``, ``role``, ``password``, ``phone``, ``unit``,
    ``active``, ``must_change_password`` (each optional). Deactivating, setting a password or changing the role
    ends every session and socket of the user at once; requiring a password change cuts their sockets at once (their
    sessions stay, held at the change-password gate). Raises ValidationError, NotFound, Conflict (deactivating or
    demoting yourself), Forbidden."""
    require_admin(actor)
    data = dict(data) if isinstance(data, dict) else {}
    errors: dict[str, str] = {}
    must_change = _take_flag(data, errors)
    try:
        clean = schemas.clean_user(data, partial=True)
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
        clean = {}
    with svc.transaction() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if "password" in data:
            _check_password(data["password"], user.username, errors)
        if errors:
            raise ValidationError(errors)
        if user_id == actor.user_id and (clean.get("active") is False or clean.get("role", "admin") != "admin"):
            raise Conflict("you cannot deactivate or demote yourself")
        ends = False
        for key, value in clean.items():
            if key == "password":
                user.password_hash = generate_password_hash(data["password"], svc.password_method)
                ends = True
            elif key == "active":
                ends = ends or (user.active and value is False)
                user.active = bool(value)
            elif key == "role":
                ends = ends or value != user.role
                user.role = value
            else:
                setattr(user, key, value)
        # Requiring a change keeps the sessions (the API answers 403, pages lead to /password) but cuts the sockets:
        # none may go on streaming the search (``session_versions`` and the socket message check refuse them too).
        cut = bool(must_change) and not user.must_change_password
        if must_change is not None:
            user.must_change_password = must_change
        if ends:
            user.session_version = (user.session_version or 0) + 1
        s.flush()
        view = _view(user)
    if ends or cut:
        _sessions_ended(svc, user_id)
    return view


def change_password(svc: Services, actor: Actor, old_password, new_password) -> dict:
    """The user changes their own password: ``old_password`` must be the current one, ``new_password`` must pass
    the policy and differ from it. Ends every other session of the user (the caller renews its own with the
    returned ``session_version``) and clears ``must_change_password``. Returns the session view.

    Raises ValidationError naming ``old_password`` ("is wrong") or ``new_password``."""
    errors: dict[str, str] = {}
    if not accounts.is_text(old_password) or not old_password:
        errors["old_password"] = "is required"
    with svc.transaction() as s:
        user = s.get(User, actor.user_id)
        if user is None or not user.active:
            raise NotFound("this account no longer exists")
        problem = accounts.password_problem(new_password, user.username)
        if problem:
            errors["new_password"] = problem
        if "old_password" not in errors and not check_password_hash(user.password_hash, old_password):
            errors["old_password"] = "is wrong"
        if not errors and new_password == old_password:
            errors["new_password"] = "must differ from the current password"
        if errors:
            raise ValidationError(errors)
        user.password_hash = generate_password_hash(new_password, svc.password_method)
        user.must_change_password = False
        user.session_version = (user.session_version or 0) + 1
        s.flush()
        view = _session_view(user)
    _sessions_ended(svc, actor.user_id)
    return view


def list_users(svc: Services, actor: Actor, role: str | None = None) -> list[dict]:
    """Dispatchers list accounts to put on searches; administrators manage them."""
    require_dispatcher(actor)
    if role is not None and role not in schemas.ROLES:
        raise ValidationError({"role": f"must be one of: {', '.join(schemas.ROLES)}"})
    with svc.reading() as s:
        q = select(User).order_by(User.display_name)
        if role:
            q = q.where(User.role == role)
        return [_view(u) for u in s.execute(q).scalars()]
