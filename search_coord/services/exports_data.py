"""What the files, sheets and the report read: a search's scope (the whole search, a team, an officer), the names
the record uses, and its tracks one officer's device at a time (so a large search streams with flat memory)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

import numpy as np
from sqlalchemy import func, select

from ..adapters.models import (Event, Search, Segment, Team, TeamMember, TrackImport, TrackPoint, User)
from ..adapters.video_models import Camera
from ..core import record
from ..core.errors import Forbidden, NotFound, ValidationError
from .access import load_search
from .context import Actor, Services

#: Fixes read from the database at a time while a track is streamed.
TRACK_PAGE = 20_000


@dataclass(frozen=True)
class Scope:
    """What an export covers: the whole search (``team_id`` and ``user_id`` None), one team, or one officer;
    ``user_ids`` the people whose tracks it holds (None: everyone's), ``label`` the file name's part."""

    search_id: int
    title: str
    team_id: int | None
    user_id: int | None
    user_ids: frozenset | None
    label: str


def team_people(s, search_id: int, team_id: int) -> set[int]:
    """A team's members and leader, and the account-less units whose imported tracks were filed under it."""
    members = set(s.execute(select(TeamMember.user_id).where(TeamMember.team_id == team_id)).scalars())
    leader = s.execute(select(Team.leader_id).where(Team.id == team_id)).scalar()
    units = set(s.execute(select(TrackImport.unit_user_id).where(TrackImport.search_id == search_id,
                                                                  TrackImport.team_id == team_id)).scalars())
    return members | units | ({leader} if leader else set())


def search_name(search: Search) -> str:
    """The name files and sheets carry: the search's title, else "search-<id>" and the subject's name."""
    subject = (search.subject or {}).get("name") or ""
    return search.title or f"search-{search.id} {subject}".strip()


def resolve_scope(svc: Services, actor: Actor, search_id: int, team_id: int | None = None,
                  user_id: int | None = None) -> Scope:
    """The scope of an export, checked: dispatchers export anything of a search; an officer on it only their own
    tracks (``user_id`` their own). ``team_id`` and ``user_id`` together are a ValidationError; a team or user not
    of the search is a NotFound; Forbidden otherwise."""
    if team_id is not None and user_id is not None:
        raise ValidationError({"team_id": "give a team or an officer, not both"})
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        if not actor.is_dispatcher and user_id != actor.user_id:
            raise Forbidden("an officer may export only their own tracks (officer=<your id>)")
        name = search_name(search)
        if team_id is not None:
            team = s.get(Team, team_id)
            if team is None or team.search_id != search_id:
                raise NotFound(f"team {team_id} is not on search {search_id}")
            return Scope(search_id, name, team_id, None, frozenset(team_people(s, search_id, team_id)),
                         f"team-{team.callsign or team.name}")
        if user_id is not None:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            return Scope(search_id, name, None, user_id, frozenset({user_id}), f"officer-{user.display_name}")
        return Scope(search_id, name, None, None, None, "")


def names_of(s, search_id: int) -> record.Names:
    """Every name the search's record may need (users of the whole database are few; segments and cameras only
    those of this search and those its log names)."""
    users = dict(s.execute(select(User.id, User.display_name)).all())
    teams = {tid: (f"{name} ({cs})" if cs else name) for tid, name, cs in
             s.execute(select(Team.id, Team.name, Team.callsign).where(Team.search_id == search_id)).all()}
    segments = dict(s.execute(select(Segment.id, Segment.name).where(Segment.search_id == search_id)).all())
    # segments replaced since keep the names the log gave them
    for (payload,) in s.execute(select(Event.payload).where(Event.search_id == search_id,
                                                            Event.type.in_(("segments.replaced", "segment.added")))):
        for seg in payload.get("segments") or ([payload["segment"]] if payload.get("segment") else []):
            if isinstance(seg, dict) and "id" in seg and "name" in seg:
                segments.setdefault(seg["id"], seg["name"])
    cameras = dict(s.execute(select(Camera.id, Camera.code)).all())
    return record.Names(users=users, teams=teams, segments=segments, cameras=cameras)


def track_owners(svc: Services, scope: Scope) -> list[tuple[int, str, str]]:
    """``(user id, device, display name)`` of every device track in the scope, by name then device."""
    with svc.reading() as s:
        q = (select(TrackPoint.user_id, TrackPoint.device, User.display_name).join(User, User.id == TrackPoint.user_id)
             .where(TrackPoint.search_id == scope.search_id, TrackPoint.retracted_at.is_(None))
             .group_by(TrackPoint.user_id, TrackPoint.device, User.display_name))
        if scope.user_ids is not None:
            q = q.where(TrackPoint.user_id.in_(scope.user_ids or {-1}))
        rows = s.execute(q).all()
    return sorted(((u, d, n) for u, d, n in rows), key=lambda r: (r[2], r[0], r[1]))


def track_fixes(svc: Services, search_id: int, user_id: int, device: str,
                until: datetime | None = None) -> Iterator[tuple[datetime, float, float, float | None, int]]:
    """One device's stored fixes (not retracted) in time order: ``(t naive UTC, lon, lat, accuracy m, run)``, read
    ``TRACK_PAGE`` at a time in short transactions; only those at or before ``until`` when it is given."""
    after = None
    while True:
        q = (select(TrackPoint.t, TrackPoint.lon, TrackPoint.lat, TrackPoint.acc, TrackPoint.run, TrackPoint.id,
                    TrackPoint.piece)
             .where(TrackPoint.search_id == search_id, TrackPoint.user_id == user_id, TrackPoint.device == device,
                    TrackPoint.retracted_at.is_(None))
             .order_by(TrackPoint.t, TrackPoint.id).limit(TRACK_PAGE))
        if after is not None:
            q = q.where((TrackPoint.t > after[0]) | ((TrackPoint.t == after[0]) & (TrackPoint.id > after[1])))
        if until is not None:
            q = q.where(TrackPoint.t <= until)
        with svc.reading() as s:
            rows = s.execute(q).all()
        for t, lon, lat, acc, run, _, piece in rows:
            yield t, lon, lat, acc, (run, piece)
        if len(rows) < TRACK_PAGE:
            return
        after = (rows[-1][0], rows[-1][5])


def runs(fixes) -> Iterator[list[tuple]]:
    """A device's fixes cut where the track breaks: a new run of its phone, or a new piece of the counted track
    (a gap in time or an impossible jump, ``core.tracks.breaks``); a coarse fix (no piece) stays in its run."""
    current: list = []
    last_run = last_piece = None
    for fix in fixes:
        run, piece = fix[4]
        if current and (run != last_run or (piece is not None and last_piece is not None and piece != last_piece)):
            yield current
            current = []
            last_piece = None
        current.append(fix)
        last_run = run
        last_piece = piece if piece is not None else last_piece
    if current:
        yield current


def device_table(s, search_id: int) -> dict[tuple, dict]:
    """Every (user id, device) of the search's log named for people (``record.device_names``), numbered in the
    order each first appears."""
    rows = s.execute(select(Event.actor_id, Event.device, func.min(Event.seq).label("first"))
                     .where(Event.search_id == search_id, Event.device.is_not(None))
                     .group_by(Event.actor_id, Event.device).order_by("first")).all()
    return record.device_names((uid, dev) for uid, dev, _ in rows)


@dataclass(frozen=True)
class DeviceTrack:
    """One officer's device track in metres, cut where it breaks (as ``runs``): ``pieces`` is a list of
    ``(t seconds since the epoch, x m, y m)`` numpy arrays, one triple per unbroken stretch."""

    user_id: int
    device: str
    name: str
    fixes: int
    pieces: tuple


def device_tracks(svc: Services, search_id: int, proj, scope: Scope | None = None) -> list[DeviceTrack]:
    """Every device track of the search (or ``scope``), read once per device in one query and projected with numpy
    (the report's effort and its map share it)."""
    out = []
    whole = scope or Scope(search_id, "", None, None, None, "")
    for uid, device, name in track_owners(svc, whole):
        with svc.reading() as s:
            rows = s.execute(select(TrackPoint.t, TrackPoint.lon, TrackPoint.lat, TrackPoint.run, TrackPoint.piece)
                             .where(TrackPoint.search_id == search_id, TrackPoint.user_id == uid,
                                    TrackPoint.device == device, TrackPoint.retracted_at.is_(None))
                             .order_by(TrackPoint.t, TrackPoint.id)).all()
        if not rows:
            continue
        ts, lons, lats, runs_, pieces_ = zip(*rows)
        t = np.array(ts, dtype="datetime64[us]").astype(np.int64) / 1e6   # stored naive UTC -> s since the epoch
        x, y = proj.to_xy(np.array(lons), np.array(lats))
        run = np.array(runs_)
        piece = np.array([-1 if p is None else p for p in pieces_], dtype=np.int64)
        # a coarse fix (no piece) takes the last piece before it in its run, as ``runs`` does
        starts = np.r_[True, run[1:] != run[:-1]]
        known = np.where((piece >= 0) | starts, np.arange(len(piece)), -1)
        np.maximum.accumulate(known, out=known)
        filled = piece[known]
        cut = np.flatnonzero((run[1:] != run[:-1]) | ((filled[1:] != filled[:-1]) & (filled[:-1] >= 0)
                                                         & (piece[1:] >= 0))) + 1
        bounds = [0, *cut.tolist(), len(rows)]
        pieces = tuple((t[a:b], np.asarray(x)[a:b], np.asarray(y)[a:b]) for a, b in zip(bounds, bounds[1:]))
        out.append(DeviceTrack(uid, device, name, len(rows), pieces))
    return out
