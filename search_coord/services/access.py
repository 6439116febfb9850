"""Who may see and change what. Dispatchers and admins command every search; officers only their own."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..adapters.models import Membership, Search, TeamMember, Team
from ..core.errors import Forbidden, NotFound
from .context import Actor


def require_dispatcher(actor: Actor) -> None:
    if not actor.is_dispatcher:
        raise Forbidden("only a dispatcher may do this")


def require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden("only an administrator may do this")


def is_member(session: Session, search_id: int, user_id: int) -> bool:
    return session.execute(
        select(Membership.id).where(Membership.search_id == search_id, Membership.user_id == user_id)
    ).first() is not None


def can_view(session: Session, search_id: int, actor: Actor) -> bool:
    return actor.is_dispatcher or is_member(session, search_id, actor.user_id)


def load_search(session: Session, search_id: int, actor: Actor, dispatcher_only: bool = False) -> Search:
    """The search, if it exists and the actor may see it (and, with ``dispatcher_only``, command it).

    An officer's search and membership come in one round trip (this is on the path of every batch of fixes)."""
    if dispatcher_only or actor.is_dispatcher:
        search = session.get(Search, search_id)
        member = True
    else:
        row = session.execute(
            select(Search, Membership.id)
            .outerjoin(Membership, (Membership.search_id == Search.id) & (Membership.user_id == actor.user_id))
            .where(Search.id == search_id)).first()
        search, member = (row[0], row[1] is not None) if row is not None else (None, False)
    if search is None:
        raise NotFound(f"search {search_id} not found")
    if dispatcher_only:
        require_dispatcher(actor)
    elif not member:
        raise Forbidden("you are not on this search")
    return search


def user_team_ids(session: Session, search_id: int, user_id: int) -> set[int]:
    rows = session.execute(
        select(Team.id).join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.search_id == search_id, TeamMember.user_id == user_id)
    ).scalars()
    led = session.execute(select(Team.id).where(Team.search_id == search_id, Team.leader_id == user_id)).scalars()
    return set(rows) | set(led)
