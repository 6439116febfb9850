"""Help that joins by a QR code (mutual aid): a dispatcher makes a link for one search, scoped to a role (patrol or
video review) and maybe a team, expiring, limited in uses and revocable; a newcomer's phone opens it, gives a name,
unit and phone number, and gets an account of that search only, on it once a dispatcher approves (or at once, if
the link says so). The account ends when the search closes or the link is revoked. Everything is in the log.

Only the token's SHA-256 is stored; the token is shown once, in the link."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from ..adapters.models import GuestAccount, JoinLink, Membership, Search, Team, TeamMember, User
from ..core import schemas
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.fields import Form
from . import events
from .access import load_search
from .context import Actor, Services
from .events import iso, naive_utc
from .views import user_view

JOIN_ROLES = ("patrol", "video_review")
GUEST_STATES = ("pending", "approved", "refused", "ended")
MAX_TTL_MIN = 24 * 60
MAX_USES = 50


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_view(link: JoinLink, now) -> dict:
    state = ("revoked" if link.revoked_at else "expired" if link.expires_at <= naive_utc(now)
             else "used_up" if link.uses >= link.max_uses else "open")
    return {"id": link.id, "search_id": link.search_id, "role": link.role, "team_id": link.team_id,
            "expires_at": iso(link.expires_at), "max_uses": link.max_uses, "uses": link.uses,
            "auto_approve": link.auto_approve, "revoked_at": iso(link.revoked_at) if link.revoked_at else None,
            "created_at": iso(link.created_at), "state": state}


def _guest_view(g: GuestAccount, u: User) -> dict:
    return {**user_view(u), "guest": {"status": g.status, "link_id": g.link_id, "search_id": g.search_id,
                                      "joined_at": iso(g.joined_at)}}


def create_link(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """``data``: ``role`` (patrol | video_review), ``team_id``?, ``expires_in_min`` (5 to 1440, default 240),
    ``max_uses`` (1 to 50, default 10), ``auto_approve`` (default false). Returns the link's view with ``token``
    (shown this once). Logged as ``join.link_created`` (without the token)."""
    form = Form(data)
    form.unknown(("role", "team_id", "expires_in_min", "max_uses", "auto_approve"))
    form.choice("role", JOIN_ROLES, required=True)
    form.identifier("team_id")
    form.integer("expires_in_min", 5, MAX_TTL_MIN)
    form.integer("max_uses", 1, MAX_USES)
    form.boolean("auto_approve")
    clean = form.result()
    now = svc.now()
    token = secrets.token_urlsafe(24)
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        team_id = clean.get("team_id")
        if team_id is not None:
            team = s.get(Team, team_id)
            if team is None or team.search_id != search_id or team.disbanded:
                raise ValidationError({"team_id": "is not a team of this search"})
        link = JoinLink(search_id=search_id, token_sha256=_sha(token), role=clean["role"], team_id=team_id,
                        expires_at=naive_utc(now + timedelta(minutes=clean.get("expires_in_min") or 240)),
                        max_uses=clean.get("max_uses") or 10, uses=0, auto_approve=bool(clean.get("auto_approve")),
                        created_by=actor.user_id, created_at=naive_utc(now))
        s.add(link)
        s.flush()
        view = link_view(link, now)
        events.record(s, search_id, "join.link_created", actor, {"link": view}, now)
    return {**view, "token": token}


def list_links(svc: Services, actor: Actor, search_id: int) -> dict:
    """The search's join links and the accounts made by them (dispatchers)."""
    now = svc.now()
    with svc.reading() as s:
        load_search(s, search_id, actor, dispatcher_only=True)
        links = s.execute(select(JoinLink).where(JoinLink.search_id == search_id).order_by(JoinLink.id)).scalars()
        guests = s.execute(select(GuestAccount, User).join(User, User.id == GuestAccount.user_id)
                           .where(GuestAccount.search_id == search_id).order_by(GuestAccount.joined_at)).all()
        return {"links": [link_view(x, now) for x in links], "guests": [_guest_view(g, u) for g, u in guests]}


def _end_guests(s, guests: list[GuestAccount], now) -> list[int]:
    """Deactivate these guest accounts and end their sessions (inside the caller's transaction)."""
    ended = []
    for g in guests:
        if g.status == "ended":
            continue
        g.status = "ended"
        u = s.get(User, g.user_id)
        u.active = False
        u.session_version = (u.session_version or 0) + 1
        ended.append(u.id)
    return ended


def revoke_link(svc: Services, actor: Actor, search_id: int, link_id: int) -> dict:
    """Revoke a link: nobody more joins by it and every account it made ends now (sessions and sockets cut).
    Logged as ``join.link_revoked`` with the accounts ended."""
    now = svc.now()
    with svc.transaction() as s:
        load_search(s, search_id, actor, dispatcher_only=True)
        link = s.get(JoinLink, link_id)
        if link is None or link.search_id != search_id:
            raise NotFound(f"join link {link_id} not found on this search")
        if link.revoked_at is not None:
            raise Conflict(f"join link {link_id} was already revoked")
        link.revoked_at = naive_utc(now)
        guests = list(s.execute(select(GuestAccount).where(GuestAccount.link_id == link_id)).scalars())
        ended = _end_guests(s, guests, now)
        view = link_view(link, now)
        events.record(s, search_id, "join.link_revoked", actor, {"link": view, "ended": ended}, now)
    for uid in ended:
        _cut(svc, uid)
    return {**view, "ended": ended}


def end_search_guests(s, search_id: int, now) -> list[int]:
    """The search closes: its guest accounts end (inside the caller's transaction; call ``cut_sessions`` after
    the commit with the ids returned)."""
    guests = list(s.execute(select(GuestAccount).where(GuestAccount.search_id == search_id)).scalars())
    return _end_guests(s, guests, now)


def _cut(svc: Services, user_id: int) -> None:
    if svc.on_sessions_ended is not None:
        svc.on_sessions_ended(user_id)


def cut_sessions(svc: Services, user_ids: list[int]) -> None:
    """After the commit: close the sockets of accounts that ended."""
    for uid in user_ids:
        _cut(svc, uid)


def _open_link(s, token: str, now) -> tuple[JoinLink, Search]:
    if not isinstance(token, str) or not 10 <= len(token) <= 64:
        raise NotFound("the join link is not valid")
    link = s.execute(select(JoinLink).where(JoinLink.token_sha256 == _sha(token))).scalar()
    if link is None:
        raise NotFound("the join link is not valid")
    search = s.get(Search, link.search_id)
    state = link_view(link, now)["state"]
    if state != "open" or search.status == "closed" or search.found:
        raise Conflict("the join link is no longer valid (" + (search.status if search.status == "closed" else state)
                       + ")")
    return link, search


def preview(svc: Services, token: str) -> dict:
    """What a newcomer sees before joining (no login): the search's subject, the role and team, when the link
    expires. NotFound / Conflict when the link is not (or no longer) valid."""
    now = svc.now()
    with svc.reading() as s:
        link, search = _open_link(s, token, now)
        team = s.get(Team, link.team_id) if link.team_id else None
        return {"search": {"id": search.id, "name": (search.subject or {}).get("name") or search.title},
                "role": link.role, "team": ({"name": team.name, "callsign": team.callsign} if team else None),
                "expires_at": iso(link.expires_at), "auto_approve": link.auto_approve}


def join(svc: Services, token: str, data: dict) -> dict:
    """A newcomer joins by the link: ``display_name`` (1-80), ``unit`` (1-80), ``phone`` (5-40). Makes an officer
    account of this search only (a random password nobody knows: the session is the only way in), pending or, with
    ``auto_approve``, on the search and its team at once. Returns the session view of the account (to log in) with
    ``guest``. Logged as ``join.requested`` (and ``member.added`` when approved at once)."""
    form = Form(data)
    form.unknown(("display_name", "unit", "phone"))
    form.text("display_name", required=True, max_len=80)
    form.text("unit", required=True, max_len=80)
    form.text("phone", required=True, max_len=40)
    clean = form.result()
    if len(clean["phone"]) < 5 or not all(c.isdigit() or c in "+-() " for c in clean["phone"]):
        raise ValidationError({"phone": "must be a phone number"})
    now = svc.now()
    with svc.transaction() as s:
        link, search = _open_link(s, token, now)
        link.uses += 1
        user = User(username="guest-" + secrets.token_hex(6), display_name=clean["display_name"], role="officer",
                    password_hash=generate_password_hash(secrets.token_urlsafe(32), svc.password_method),
                    phone=clean["phone"], unit=clean["unit"], active=True, created_at=naive_utc(now),
                    session_version=0, must_change_password=False)
        s.add(user)
        s.flush()
        g = GuestAccount(user_id=user.id, search_id=search.id, link_id=link.id, status="pending",
                         joined_at=naive_utc(now))
        s.add(g)
        s.flush()
        actor = Actor(user.id, "officer", None, user.display_name)
        events.record(s, search.id, "join.requested", actor, {"user": user_view(user), "link_id": link.id,
                                                              "auto_approve": link.auto_approve}, now)
        if link.auto_approve:
            _approve(s, g, link, actor, now)
        return {**user_view(user), "session_version": 0, "guest": {"status": g.status, "search_id": search.id}}


def _approve(s, g: GuestAccount, link: JoinLink, actor: Actor, now) -> None:
    g.status = "approved"
    g.decided_by, g.decided_at = actor.user_id, naive_utc(now)
    s.add(Membership(search_id=g.search_id, user_id=g.user_id, added_at=naive_utc(now)))
    if link.team_id:
        s.add(TeamMember(team_id=link.team_id, user_id=g.user_id))
        s.execute(update(Team).where(Team.id == link.team_id).values(version=Team.version + 1))
    events.record(s, g.search_id, "member.added", actor, {"user": user_view(s.get(User, g.user_id))}, now)


def decide(svc: Services, actor: Actor, search_id: int, user_id: int, data: dict) -> dict:
    """A dispatcher approves (on the search, and the link's team) or refuses (the account ends) a newcomer."""
    form = Form(data)
    form.unknown(("decision",))
    form.choice("decision", ("approve", "refuse"), required=True)
    decision = form.result()["decision"]
    now = svc.now()
    ended: list[int] = []
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        g = s.get(GuestAccount, user_id)
        if g is None or g.search_id != search_id:
            raise NotFound(f"no newcomer {user_id} on this search")
        if g.status != "pending":
            raise Conflict(f"the newcomer is already {g.status}")
        link = s.get(JoinLink, g.link_id)
        if decision == "approve":
            _approve(s, g, link, actor, now)
        else:
            ended = _end_guests(s, [g], now)
            g.status = "refused"
            g.decided_by, g.decided_at = actor.user_id, naive_utc(now)
        events.record(s, search_id, "join.decided", actor, {"user_id": user_id, "decision": decision}, now)
        view = _guest_view(g, s.get(User, user_id))
    cut_sessions(svc, ended)
    return view


def my_status(svc: Services, actor: Actor) -> dict:
    """A newcomer's own state: ``{"guest": bool, "status", "search_id"}`` (a regular account: guest false)."""
    with svc.reading() as s:
        g = s.get(GuestAccount, actor.user_id)
        if g is None:
            return {"guest": False, "status": None, "search_id": None}
        return {"guest": True, "status": g.status, "search_id": g.search_id}


def add_officer(svc: Services, actor: Actor, search_id: int, data: dict, create_user) -> dict:
    """A dispatcher adds an officer account on the spot and puts it on the search: ``create_user`` is
    ``services.users.create_user``, called as trusted once the dispatcher's right to this search is checked here (role
    officer only; the officer must choose their own password at first login). Accounts of other roles stay with
    the administrator (``POST /users``)."""
    with svc.reading() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
    if not isinstance(data, dict):
        raise ValidationError({"_body": "expected a JSON object"})
    user = create_user(svc, None, {**data, "role": "officer", "must_change_password": True})
    now = svc.now()
    with svc.transaction() as s:
        s.add(Membership(search_id=search_id, user_id=user["id"], added_at=naive_utc(now)))
        events.record(s, search_id, "member.added", actor, {"user": user}, now)
    return user

