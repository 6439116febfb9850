"""Opening, editing, following and closing a search; its members; FOUND."""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..adapters.models import (Assignment, Clue, DeviceClock, Event, Membership, Search, SearchedArea, Team, TeamMember,
                              TrackPoint, User)
from ..core import alerts, known_points, schemas
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.fields import split_version
from . import events, join, recompute, segment_edits, track_display, versions, video
from .access import load_search, require_dispatcher
from .broadcasts import record_alert
from .context import Actor, Services
from .events import iso, naive_utc
from .photos import attach_photo
from .tracks import track_key
from .views import assignment_view, clue_view, search_summary, search_view, team_view, user_view


def open_search(svc: Services, actor: Actor, data: dict, propose: bool = False) -> dict:
    """A dispatcher opens a search; they become its first member. With ``propose`` (what the API and so the New
    search page do) it gets its proposed segments with their ring POA at once (``segment_edits.propose_grid``;
    ``"segments_proposed"``: how many, 0 if none could be made); without, none (scripts and tests that draw their
    own). Returns the search. The ``search.opened`` event's ``segments_proposed`` says how many, of what cell size."""
    require_dispatcher(actor)
    now = svc.now()
    clean = schemas.clean_search(data, now)
    with svc.transaction() as s:
        search = Search(
            title=clean.get("title") or clean["subject"]["name"], status="open", subject=clean["subject"],
            lkp=clean["lkp"], lkp_time=naive_utc(clean["lkp_time"]), lkp_address=clean.get("lkp_address"),
            terrain=clean.get("terrain") or "urban", risk=clean["risk"], risk_reasons=clean.get("risk_reasons") or [],
            notes=clean.get("notes"), opened_at=naive_utc(now), opened_by=actor.user_id, last_seq=0)
        s.add(search)
        s.flush()
        attach_photo(s, search.subject.get("photo_id"), search.id, actor=actor, field="subject.photo_id")
        s.add(Membership(search_id=search.id, user_id=actor.user_id, added_at=naive_utc(now)))
        s.flush()
        proposed = None
        if propose:
            try:   # where to look from the first minute: a grid over the rings, without anyone finding a button
                proposed = segment_edits.propose_grid(s, search, now)
            except ValidationError:   # none: the console's "where to look" says what to do first
                proposed = {"segments": 0, "cell_m": None, "reach_m": None}
        view = search_view(search)
        events.record(s, search.id, "search.opened", actor,
                      {"search": view, **({"segments_proposed": proposed} if proposed else {})}, now)
        view["last_seq"] = search.last_seq
        view["segments_proposed"] = proposed["segments"] if proposed else 0
    return view


def update_search(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A dispatcher edits a search's details; only the fields whose value really changes are stored and logged.

    ``data``: any fields of ``schemas.clean_search`` (``subject`` is merged into the stored one field by field) and
    ``"version"``, the search's version the edit started from (``services/versions.py``; optional for older clients,
    the event then says ``"version_checked": false``). Returns the search's view with its new ``version``; values equal
    to the stored ones change nothing, log nothing and keep the version. The ``search.updated`` event carries
    ``changes`` (field -> new value), ``previous`` (field -> old value) and the search.
    Raises ``ValidationError`` (400), ``Conflict`` (409: not writable, or a stale version: ``extra["current"]``)."""
    expected, data = split_version(data)
    now = svc.now()
    what = f"search {search_id}"
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        versions.check(search.version, expected, lambda: search_view(search), what)
        clean = schemas.clean_search(data, now, partial=True)
        wanted = {}
        category = (search.subject or {}).get("category")
        if "subject" in clean:
            subject = {**search.subject, **clean.pop("subject")}
            try:
                subject = schemas.clean_subject(subject)
            except ValidationError as exc:
                raise ValidationError({f"subject.{k}": v for k, v in exc.errors.items()}) from None
            attach_photo(s, subject.get("photo_id"), search_id, actor=actor, field="subject.photo_id")
            wanted["subject"] = subject
        for key, value in clean.items():
            wanted[key] = naive_utc(value) if key == "lkp_time" and value is not None else value
        if not wanted:
            raise ValidationError({"_body": "nothing to change"})
        previous = {k: getattr(search, k) for k in wanted}
        changed = {k: v for k, v in wanted.items() if previous[k] != v}
        if not changed:   # the values sent are the stored ones: nothing to store or log
            return search_view(search)
        versions.bump(s, search, expected, lambda: search_view(search), what, actor.name)
        for key, value in changed.items():
            setattr(search, key, value)
        moved = bool({"lkp", "lkp_time", "terrain"} & set(changed)) or category != search.subject.get("category")
        if moved:  # the rings, reach and projection hang on these: caches key on the model version
            segment_edits.bump_model_version(search, s)
        s.flush()
        view = search_view(search)
        shown = {k: iso(v) if k == "lkp_time" else v for k, v in changed.items()}
        events.record(s, search.id, "search.updated", actor,
                      {"changes": shown, "previous": {k: iso(previous[k]) if k == "lkp_time" else previous[k]
                                                       for k in changed},
                       "version_checked": expected is not None, "search": view}, now)
        view["last_seq"] = search.last_seq
    if moved:
        recompute.schedule_recompute(svc, search_id, "last known point or subject changed")
    return view


def change_status(svc: Services, actor: Actor, search_id: int, status: str, reason: str | None = None) -> dict:
    """Suspend, reopen or close a search (FOUND is ``mark_found``)."""
    if status not in schemas.SEARCH_STATUSES or status == "found":
        raise ValidationError({"status": "must be one of: open, suspended, closed (use FOUND to report a find)"})
    if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
        raise ValidationError({"reason": "must be text of at most 1000 characters"})
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_transition(search.status, status)
        previous, search.status = search.status, status
        if status == "closed":
            search.closed_at = naive_utc(now)
        events.record(s, search.id, "search.status_changed", actor,
                      {"from": previous, "to": status, "reason": reason}, now)
        ended = []
        if status == "closed":
            stand_down(s, search.id, actor, now)
            ended = join.end_search_guests(s, search.id, now)   # accounts made by its join links end with it
        view = search_view(search)
    join.cut_sessions(svc, ended)
    return view


#: Assignments still to do or under way: FOUND and closing stand them down.
ACTIVE_ASSIGNMENTS = ("planned", "assigned", "in_progress")


def stand_down(s, search_id: int, actor: Actor, now) -> int:
    """Every assignment of the search still planned, assigned or in progress becomes ``aborted`` (stood down), each
    logged as ``assignment.status_changed``; inside the caller's transaction. Returns how many."""
    rows = s.execute(select(Assignment).where(Assignment.search_id == search_id,
                                              Assignment.status.in_(ACTIVE_ASSIGNMENTS))
                     .order_by(Assignment.id)).scalars().all()
    for a in rows:
        previous, a.status = a.status, "aborted"
        a.updated_at = naive_utc(now)
        s.flush()
        events.record(s, search_id, "assignment.status_changed", actor,
                      {"assignment": assignment_view(a), "from": previous, "to": "aborted"}, now)
    return len(rows)


def mark_found(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Anyone on the search reports the subject FOUND (where, when, condition). Applied once per client id."""
    now = svc.now()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            clean = schemas.clean_found(data, now, known_points.missing_since(search.lkp_time, search.lkp_history))
            ev = events.begin(s, search.id, "search.found", actor, now, client_id=clean.get("client_id"))
            if search.status in ("found", "closed"):
                raise Conflict(f"the search is already {search.status}")
            found = {"time": iso(clean["time"]), "location": clean["location"], "condition": clean["condition"],
                     "notes": clean.get("notes"), "reported_by": actor.user_id}
            previous = search.status
            search.status, search.found = "found", found
            data = events.finish(s, ev, {"found": found, "from": previous})
            # Everyone is told at once, and each unit must acknowledge the stand-down.
            record_alert(s, search.id, actor, alerts.found(clean["condition"]), now)
            stand_down(s, search.id, actor, now)   # the teams stand down: nothing stays "in progress"
            return {"search": search_view(search), "event": data, "duplicate": False}
    except IntegrityError as exc:
        return _replay(svc, actor, search_id, client_id, exc)


def _replay(svc: Services, actor: Actor, search_id: int, client_id: str | None, exc: IntegrityError) -> dict:
    """The change was already applied under this client id: answer as the first time did."""
    ev = events.replayed(svc, search_id, client_id, exc, actor=actor, type_="search.found")
    with svc.reading() as s:
        search = s.get(Search, search_id)
        return {"search": search_view(search), "event": ev, "duplicate": True}


def list_searches(svc: Services, actor: Actor, status: str | None = None) -> list[dict]:
    """Searches the actor may see, newest first: all for dispatchers, their own for officers."""
    if status is not None and status not in schemas.SEARCH_STATUSES:
        raise ValidationError({"status": f"must be one of: {', '.join(schemas.SEARCH_STATUSES)}"})
    with svc.reading() as s:
        q = select(Search).order_by(Search.opened_at.desc(), Search.id.desc())
        if not actor.is_dispatcher:
            q = q.join(Membership, Membership.search_id == Search.id).where(Membership.user_id == actor.user_id)
        if status:
            q = q.where(Search.status == status)
        return [search_summary(x) for x in s.execute(q).scalars()]


def get_search(svc: Services, actor: Actor, search_id: int) -> dict:
    with svc.reading() as s:
        return search_view(load_search(s, search_id, actor))


def get_state(svc: Services, actor: Actor, search_id: int, tracks: str = "full") -> dict:
    """Everything a map needs at once: the search, members, teams, assignments, clues, tracks, and ``last_seq``.

    Read in one transaction, so the snapshot matches ``last_seq`` exactly and a client can follow on with events.
    ``tracks="display"`` (what the maps load): each track simplified for display (services/track_display.py), with
    ``tracks_detail`` saying per officer how many fixes are stored and sent; "full" (the default): every fix.
    """
    if tracks not in ("full", "display"):
        raise ValidationError({"tracks": "must be 'full' or 'display'"})
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        members = s.execute(select(User).join(Membership, Membership.user_id == User.id)
                            .where(Membership.search_id == search_id).order_by(User.display_name)).scalars().all()
        teams = s.execute(select(Team).where(Team.search_id == search_id).order_by(Team.id)).scalars().all()
        tm = s.execute(select(TeamMember).join(Team, Team.id == TeamMember.team_id)
                       .where(Team.search_id == search_id)).scalars().all()
        by_team: dict[int, list[int]] = {}
        for row in tm:
            by_team.setdefault(row.team_id, []).append(row.user_id)
        assignments = s.execute(select(Assignment).where(Assignment.search_id == search_id)
                                .order_by(Assignment.id)).scalars().all()
        clues = s.execute(select(Clue).where(Clue.search_id == search_id, Clue.retracted_at.is_(None))
                          .order_by(Clue.time)).scalars().all()
        clocks = s.execute(select(DeviceClock).where(DeviceClock.search_id == search_id, DeviceClock.offset_s != 0)
                           .order_by(DeviceClock.user_id, DeviceClock.device)).scalars().all()
        areas = s.execute(select(SearchedArea).where(SearchedArea.search_id == search_id,
                                                     SearchedArea.retracted_at.is_(None))
                          .order_by(SearchedArea.id)).scalars().all()
        full = tracks == "full"
        if full:
            points = s.execute(select(TrackPoint.user_id, TrackPoint.t, TrackPoint.lon, TrackPoint.lat,
                                      TrackPoint.device, TrackPoint.piece, TrackPoint.acc)
                               .where(TrackPoint.search_id == search_id, TrackPoint.retracted_at.is_(None))
                               .order_by(TrackPoint.user_id, TrackPoint.t)).all()
            by_user: dict[int, list] = {}
            for uid, t, lon, lat, device, piece, acc in points:   # a fix: [lon, lat, time, track key, accuracy]
                by_user.setdefault(uid, []).append([lon, lat, iso(t), track_key(device, piece), acc])
            drawn = {str(uid): pts for uid, pts in by_user.items()}
        else:
            drawn, detail = track_display.display_tracks(s, search)
        state = {
            "search": search_view(search),
            "members": [user_view(u) for u in members],
            "teams": [team_view(t, by_team.get(t.id, [])) for t in teams],
            "assignments": [assignment_view(a) for a in assignments],
            "clues": [clue_view(c) for c in clues],
            "tracks": drawn,
            "searched_areas": [{"id": a.id, "team_id": a.team_id, "geometry": a.geometry, "pod": a.pod,
                                "notes": a.notes, "marked_by": a.marked_by, "marked_at": iso(a.marked_at)}
                               for a in areas],
            "trail": video.trail_of(s, search),
            "clocks": [{"user_id": c.user_id, "device": c.device, "offset_s": c.offset_s,
                        "measured_at": iso(c.measured_at)} for c in clocks],
            "last_seq": search.last_seq,
        }
        if not full:
            state["tracks_detail"] = detail
        return state


def list_events(svc: Services, actor: Actor, search_id: int, after: int | None = None, limit: int = 1000,
                before: int | None = None, newest: bool = False) -> dict:
    """The event log a page at a time, always in ascending ``seq`` order.

    Catch-up (``after``, the default 0): the first ``limit`` events after ``after``; ``has_more`` when later ones
    exist. Paging back (``before``, exclusive, or ``newest`` for the newest page): the last ``limit`` events before
    ``before`` (or of the whole log); ``has_more`` when older ones exist and ``next_before`` is then the ``before`` of
    the next older page (the oldest ``seq`` returned), else None."""
    if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
        raise ValidationError({"after": "must be a sequence number (0 or more)"})
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 5000:
        raise ValidationError({"limit": "must be between 1 and 5000"})
    if before is not None and (isinstance(before, bool) or not isinstance(before, int) or before < 1):
        raise ValidationError({"before": "must be a sequence number (1 or more)"})
    backward = before is not None or bool(newest)
    if backward and after is not None:
        raise ValidationError({"after": "give after (catch up) or before/newest (page back), not both"})
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        if not backward:
            evs = events.events_after(s, search_id, after or 0, limit)
            has_more = bool(evs) and evs[-1]["seq"] < search.last_seq
            return {"events": evs, "last_seq": search.last_seq, "has_more": has_more}
        query = (select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id)
                 .where(Event.search_id == search_id))
        if before is not None:
            query = query.where(Event.seq < before)
        rows = s.execute(query.order_by(Event.seq.desc()).limit(limit + 1)).all()
        has_more = len(rows) > limit
        evs = [events.dump_event(ev, name) for ev, name in reversed(rows[:limit])]
        return {"events": evs, "last_seq": search.last_seq, "has_more": has_more,
                "next_before": evs[0]["seq"] if has_more else None}


def add_member(svc: Services, actor: Actor, search_id: int, user_id) -> dict:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ValidationError({"user_id": "must be a user id"})
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        user = s.get(User, user_id)
        if user is None or not user.active:
            raise ValidationError({"user_id": f"no active user {user_id}"})
        exists = s.execute(select(Membership).where(Membership.search_id == search_id,
                                                    Membership.user_id == user_id)).scalar_one_or_none()
        if exists:
            raise Conflict(f"{user.display_name} is already on this search")
        s.add(Membership(search_id=search_id, user_id=user_id, added_at=naive_utc(now)))
        view = user_view(user)
        events.record(s, search_id, "member.added", actor, {"user": view}, now)
    return view


def remove_member(svc: Services, actor: Actor, search_id: int, user_id: int) -> None:
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        gone = s.execute(delete(Membership).where(Membership.search_id == search_id,
                                                  Membership.user_id == user_id)).rowcount
        if not gone:
            raise NotFound(f"user {user_id} is not on search {search_id}")
        team_ids = select(Team.id).where(Team.search_id == search_id)
        their_teams = select(TeamMember.team_id).where(TeamMember.user_id == user_id, TeamMember.team_id.in_(team_ids))
        s.execute(update(Team).where(Team.id.in_(their_teams)).values(version=Team.version + 1))  # members changed
        s.execute(delete(TeamMember).where(TeamMember.user_id == user_id, TeamMember.team_id.in_(team_ids)))
        events.record(s, search_id, "member.removed", actor, {"user_id": user_id}, now)
