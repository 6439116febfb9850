"""Teams of a kind with a leader, and their assignments (area, route or places) through their status changes."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Assignment, Membership, Segment, Team, TeamMember
from ..core import schemas
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.fields import split_version
from ..core.geometry import repair_answer
from . import events, versions
from .access import load_search, require_dispatcher, user_team_ids
from .context import Actor, Services, is_duplicate_client_id
from .events import naive_utc
from .views import assignment_view, team_view


def _check_members(s, search_id: int, ids: list[int], field: str) -> None:
    if not ids:
        return
    on_search = set(s.execute(select(Membership.user_id).where(Membership.search_id == search_id,
                                                               Membership.user_id.in_(ids))).scalars())
    missing = [i for i in ids if i not in on_search]
    if missing:
        raise ValidationError({field: f"not on this search: {', '.join(map(str, missing))}; add them first"})


def _set_members(s, team: Team, ids: list[int]) -> None:
    s.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    for uid in ids:
        s.add(TeamMember(team_id=team.id, user_id=uid))


def _team_member_ids(s, team_id: int) -> list[int]:
    return list(s.execute(select(TeamMember.user_id).where(TeamMember.team_id == team_id)).scalars())


def create_team(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    require_dispatcher(actor)
    clean = schemas.clean_team(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        members = sorted(set(clean.get("member_ids") or []) | ({clean["leader_id"]} if clean.get("leader_id") else set()))
        _check_members(s, search_id, members, "member_ids")
        team = Team(search_id=search_id, name=clean["name"], callsign=clean.get("callsign"), kind=clean["kind"],
                    leader_id=clean.get("leader_id"))
        s.add(team)
        s.flush()
        _set_members(s, team, members)
        view = team_view(team, members)
        events.record(s, search_id, "team.created", actor, {"team": view}, now)
    return view


def update_team(svc: Services, actor: Actor, search_id: int, team_id: int, data: dict) -> dict:
    """A dispatcher edits a team (``schemas.clean_team`` fields; ``member_ids`` replaces the members, the leader is
    always one) and ``"version"``, the team's version the edit started from (``services/versions.py``; optional).
    Only fields whose value changes are stored; the ``team.updated`` event carries ``changes`` and ``previous``
    (field -> value). Returns the team's view (its ``version`` taken on only when something changed).
    Raises ``ValidationError`` (400), ``NotFound`` (404), ``Conflict`` (409: stale version, ``extra["current"]``)."""
    require_dispatcher(actor)
    expected, data = split_version(data)
    disband = data.pop("disbanded", None) if isinstance(data, dict) else None
    if disband is not None and disband is not True:
        raise ValidationError({"disbanded": "must be true (a disbanded team is not formed again; form a new one)"})
    clean = schemas.clean_team(data, partial=True) if data or not disband else {}
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        team = s.get(Team, team_id)
        if team is None or team.search_id != search_id:
            raise NotFound(f"team {team_id} not found on search {search_id}")
        before = team_view(team, _team_member_ids(s, team_id))
        what = f"team {team.callsign or team.name}"
        versions.check(team.version, expected, lambda: before, what)
        if disband:
            return _disband(s, search_id, team, before, expected, what, actor, now)
        members = clean.pop("member_ids", None)
        wanted = dict(clean)
        leader = wanted.get("leader_id", team.leader_id)
        if members is not None or (leader and leader not in before["member_ids"]):
            members = sorted(set(before["member_ids"] if members is None else members) | ({leader} if leader else set()))
            wanted["member_ids"] = members
        changed = {k: v for k, v in wanted.items() if before.get(k) != v}
        if not changed:   # nothing differs from what is stored: nothing to store or log
            return before
        if "member_ids" in changed:
            _check_members(s, search_id, members, "member_ids")
        versions.bump(s, team, expected, lambda: team_view(team, _team_member_ids(s, team.id)), what, actor.name)
        for key, value in changed.items():
            if key != "member_ids":
                setattr(team, key, value)
        if "member_ids" in changed:
            _set_members(s, team, members)
        s.flush()
        view = team_view(team, members if members is not None else before["member_ids"])
        events.record(s, search_id, "team.updated", actor,
                      {"team": view, "changes": changed, "previous": {k: before.get(k) for k in changed},
                       "version_checked": expected is not None}, now)
    return view


def _disband(s, search_id: int, team: Team, before: dict, expected, what: str, actor: Actor, now) -> dict:
    """Disband a team (``update_team`` with ``"disbanded": true``): its assignments still to do or under way go back
    to planned with no team (each logged), the team keeps its history; logged as ``team.updated``."""
    if team.disbanded:
        return before
    versions.bump(s, team, expected, lambda: before, what, actor.name)
    team.disbanded = True
    for a in s.execute(select(Assignment).where(Assignment.team_id == team.id,
                                                Assignment.status.in_(("assigned", "in_progress")))).scalars():
        previous, a.status, a.team_id = a.status, "planned", None
        a.updated_at, a.version = naive_utc(now), (a.version or 0) + 1   # an edit started before sees the change
        s.flush()
        events.record(s, search_id, "assignment.status_changed", actor,
                      {"assignment": assignment_view(a), "from": previous, "to": "planned"}, now)
    s.flush()
    view = team_view(team, before["member_ids"])
    events.record(s, search_id, "team.updated", actor, {"team": view, "changes": {"disbanded": True},
                                                        "previous": {"disbanded": False},
                                                        "version_checked": expected is not None}, now)
    return view


def _load_team(s, search_id: int, team_id: int | None, field: str = "team_id") -> Team | None:
    if team_id is None:
        return None
    team = s.get(Team, team_id)
    if team is None or team.search_id != search_id:
        raise ValidationError({field: f"team {team_id} is not on this search"})
    return team


def _check_segment(s, search_id: int, segment_id: int | None) -> None:
    if segment_id is None:
        return
    seg = s.get(Segment, segment_id)
    if seg is None or seg.search_id != search_id:
        raise ValidationError({"segment_id": f"segment {segment_id} is not on this search"})


def create_assignment(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A planned assignment; given a team it starts as assigned.

    Returns the assignment's view; when its drawn outline had to be repaired (``geometry.validate_geojson``: a
    bow-tie split in two, repeated corners removed...) the view also has "repaired" (a sentence) and "repairs"
    (codes for the page), kept in the log's assignment.created event."""
    require_dispatcher(actor)
    clean = schemas.clean_assignment(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        _load_team(s, search_id, clean.get("team_id"))
        _check_segment(s, search_id, clean.get("segment_id"))
        a = Assignment(search_id=search_id, team_id=clean.get("team_id"), title=clean["title"], kind=clean["kind"],
                       segment_id=clean.get("segment_id"),
                       geometry=clean["geometry"], places=clean.get("places") or [],
                       instructions=clean.get("instructions"), status="assigned" if clean.get("team_id") else "planned",
                       created_at=naive_utc(now), updated_at=naive_utc(now))
        s.add(a)
        s.flush()
        view = {**assignment_view(a), **repair_answer(clean.repairs.get("geometry"))}
        events.record(s, search_id, "assignment.created", actor, {"assignment": view}, now)
    return view


def _load_assignment(s, search_id: int, assignment_id: int) -> Assignment:
    a = s.get(Assignment, assignment_id)
    if a is None or a.search_id != search_id:
        raise NotFound(f"assignment {assignment_id} not found on search {search_id}")
    return a


def update_assignment(svc: Services, actor: Actor, search_id: int, assignment_id: int, data: dict) -> dict:
    """Edit an assignment's title, area, team or instructions (not once it is done or aborted), with ``"version"``,
    the assignment's version the edit started from (``services/versions.py``; optional). Only fields whose value
    changes are stored; the ``assignment.updated`` event carries ``changes`` and ``previous`` (field -> value). A new
    outline that had to be repaired says so in "repaired" / "repairs", as in ``create_assignment``.
    Raises ``ValidationError`` (400), ``NotFound`` (404), ``Conflict`` (409: done, aborted, or a stale version with
    ``extra["current"]``)."""
    require_dispatcher(actor)
    expected, data = split_version(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        a = _load_assignment(s, search_id, assignment_id)
        before = assignment_view(a)
        what = f"assignment {a.title}"
        versions.check(a.version, expected, lambda: before, what)
        if a.status in ("done", "aborted"):
            raise Conflict(f"the assignment is {a.status} and can no longer be edited")
        # The kind decides which geometry is allowed; an edit that does not change it is checked against the stored one.
        merged = {"kind": a.kind, **data} if isinstance(data, dict) and "kind" not in data else data
        clean = schemas.clean_assignment(merged, partial=True)
        if "kind" in clean and "geometry" not in clean and clean["kind"] != a.kind:
            raise ValidationError({"geometry": "a new kind needs a new geometry"})
        wanted = {k: [] if k == "places" and v is None else v for k, v in clean.items()}
        changed = {k: v for k, v in wanted.items() if before.get(k) != v}
        if not changed:   # nothing differs from what is stored: nothing to store or log
            return {**before, **repair_answer(clean.repairs.get("geometry"))}
        if "segment_id" in changed:
            _check_segment(s, search_id, changed["segment_id"])
        if "team_id" in changed:
            _load_team(s, search_id, changed["team_id"])
            if changed["team_id"] is None and a.status == "assigned":
                a.status = "planned"
            elif changed["team_id"] is not None and a.status == "planned":
                a.status = "assigned"
        versions.bump(s, a, expected, lambda: assignment_view(a), what, actor.name)
        for key, value in changed.items():
            setattr(a, key, value)
        a.updated_at = naive_utc(now)
        s.flush()
        view = {**assignment_view(a), **repair_answer(clean.repairs.get("geometry"))}
        events.record(s, search_id, "assignment.updated", actor,
                      {"assignment": view, "changes": changed, "previous": {k: before.get(k) for k in changed},
                       "version_checked": expected is not None}, now)
    return view


def change_assignment_status(svc: Services, actor: Actor, search_id: int, assignment_id: int, data: dict) -> dict:
    """planned -> assigned -> in_progress -> done (with a debrief) or aborted.

    Dispatchers may make any allowed change; an officer only for their own team's assignment, from assigned on.
    """
    clean = schemas.clean_assignment_status(data)
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            a = _load_assignment(s, search_id, assignment_id)
            ev = events.begin(s, search_id, "assignment.status_changed", actor, now, client_id=clean.get("client_id"))
            schemas.check_search_writable(search.status)
            if not actor.is_dispatcher:
                if a.team_id is None or a.team_id not in user_team_ids(s, search_id, actor.user_id):
                    raise Forbidden("only the assigned team or a dispatcher may change this assignment")
                if clean["status"] in ("planned", "assigned"):
                    raise Forbidden("only a dispatcher may plan or assign")
            if clean["status"] == "assigned" and a.team_id is None:
                raise ValidationError({"status": "give the assignment a team before assigning it"})
            schemas.check_assignment_transition(a.status, clean["status"])
            previous, a.status = a.status, clean["status"]
            if clean.get("debrief"):
                a.debrief = clean["debrief"]
            a.updated_at = naive_utc(now)
            s.flush()
            view = assignment_view(a)
            events.finish(s, ev, {"assignment": view, "from": previous, "to": a.status})
        return view
    except IntegrityError as exc:
        if not clean.get("client_id") or not is_duplicate_client_id(exc):
            raise
        with svc.reading() as s:
            return assignment_view(_load_assignment(s, search_id, assignment_id))
