"""Accounts: login, and their management by an administrator."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..adapters.models import User
from ..core import model
from ..core.errors import Conflict, NotFound, ValidationError
from .access import require_admin, require_dispatcher
from .context import Actor, Services
from .events import naive_utc
from .views import user_view

# Compared against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def authenticate(svc: Services, username, password) -> dict | None:
    """The user's view if the name and password match an active account, else None."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    with svc.reading() as s:
        user = s.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
        if user is None:
            dummy = _DUMMY_HASH.setdefault(svc.password_method, generate_password_hash("x", svc.password_method))
            check_password_hash(dummy, password)
            return None
        if not check_password_hash(user.password_hash, password) or not user.active:
            return None
        return user_view(user)


def get_user(svc: Services, user_id: int) -> dict | None:
    with svc.reading() as s:
        user = s.get(User, user_id)
        return user_view(user) if user else None


def create_user(svc: Services, actor: Actor | None, data: dict) -> dict:
    """Create an account; ``actor=None`` is the command line (trusted), otherwise an administrator."""
    if actor is not None:
        require_admin(actor)
    clean = model.clean_user(data)
    with svc.transaction() as s:
        if s.execute(select(User.id).where(User.username == clean["username"])).first():
            raise ValidationError({"username": "is taken"})
        user = User(username=clean["username"], display_name=clean["display_name"], role=clean["role"],
                    password_hash=generate_password_hash(clean["password"], svc.password_method),
                    phone=clean.get("phone"), unit=clean.get("unit"), active=clean.get("active", True) is not False,
                    created_at=naive_utc(svc.now()))
        s.add(user)
        s.flush()
        return user_view(user)


def update_user(svc: Services, actor: Actor, user_id: int, data: dict) -> dict:
    require_admin(actor)
    clean = model.clean_user(data, partial=True)
    with svc.transaction() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if user_id == actor.user_id and (clean.get("active") is False or clean.get("role", "admin") != "admin"):
            raise Conflict("you cannot deactivate or demote yourself")
        for key, value in clean.items():
            if key == "password":
                user.password_hash = generate_password_hash(value, svc.password_method)
            elif key == "active":
                user.active = bool(value)
            else:
                setattr(user, key, value)
        s.flush()
        return user_view(user)


def list_users(svc: Services, actor: Actor, role: str | None = None) -> list[dict]:
    """Dispatchers list accounts to put on searches; administrators manage them."""
    require_dispatcher(actor)
    if role is not None and role not in model.ROLES:
        raise ValidationError({"role": f"must be one of: {', '.join(model.ROLES)}"})
    with svc.reading() as s:
        q = select(User).order_by(User.display_name)
        if role:
            q = q.where(User.role == role)
        return [user_view(u) for u in s.execute(q).scalars()]
