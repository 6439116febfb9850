"""Import a track file (GPX, KML, KMZ) from a handheld GPS, a vehicle tracker or another app as a unit's track.

Who owns an imported track: a unit that has no account of its own (a vehicle, a team with a handheld) is a user row
of role ``unit`` that can never log in (no password, inactive), named by the dispatcher, one per search and name
(the same name on the same search is the same unit). It is put on the search (``member.added``, so every map can
name it) and, when a team is given, in that team, so its coverage uses the team's sweep mode. Its fixes go through
``tracks.record_fixes`` like a phone's (same quality rules, same coverage) as the unit's one device track
``import``, so a file re-exported or grown (the same fixes again, other bytes) stores and counts each fix once, and
arrive on every map as the same live ``track.points`` event; a ``track.imported`` event names the file, the
unit and the counts. The same file (sha256) is imported once per search: a second time is answered as a duplicate.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters.models import Membership, Team, TeamMember, TrackImport, User
from ..core import known_points, schemas, track_files
from ..core.errors import ValidationError
from . import events, tracks
from .access import load_search, require_dispatcher
from .context import Actor, Services
from .events import iso, naive_utc
from .views import user_view

UNIT_ROLE = "unit"


def _clean_form(data, unit_name, team_id, filename) -> tuple[str, int | None, str | None]:
    errors = {}
    if data is None:
        errors["file"] = "send the track file (GPX, KML or KMZ) as multipart form field 'file'"
    name = unit_name.strip() if isinstance(unit_name, str) else ""
    if not name:
        errors["unit"] = "name the unit whose track this is (e.g. 'Vehicle 3 tracker' or a call sign)"
    elif len(name) > 80:
        errors["unit"] = "at most 80 characters"
    if team_id is not None and (isinstance(team_id, bool) or not isinstance(team_id, int)):
        errors["team_id"] = "must be a team id"
    if errors:
        raise ValidationError(errors)
    return name, team_id, (filename or "")[-200:] or None


def _unit_user(s, search_id: int, name: str, now) -> tuple[User, bool]:
    """The search's account-less user for this unit name (created on first use); True when created."""
    key = hashlib.sha1(name.casefold().encode()).hexdigest()[:12]
    username = f"unit-{search_id}-{key}"
    user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is not None:
        return user, False
    user = User(username=username, display_name=name, password_hash="!", role=UNIT_ROLE, unit=name, active=False,
                created_at=naive_utc(now))
    s.add(user)
    s.flush()
    return user, True


def _note_view(n: track_files.PointNote) -> dict:
    return {"index": n.index, "lon": n.lon, "lat": n.lat, "t": iso(n.t), "status": n.status, "reason": n.reason}


def import_track(svc: Services, actor: Actor, search_id: int, data: bytes | None, filename: str | None, unit_name,
                 team_id=None) -> dict:
    """Import ``data`` (a GPX, KML or KMZ file's bytes) as the track of the unit ``unit_name`` (optionally in team
    ``team_id`` of this search), dispatcher only, in one transaction.

    Returns ``{"id", "unit": {"id", "name"}, "team_id", "format", "filename", "name_in_file", "sha256",
    "points_in_file", "stored", "counts": {status: n}, "notes": [{"index", "lon", "lat", "t", "status",
    "reason"}] (every point not stored as read, at most ``track_files.MAX_NOTES``), "notes_more", "rejected":
    [{"index", "reason"}] (refused by the track rules), "coverage": {segment id: cumulative coverage}, "seq",
    "duplicate"}``; a file already imported on this search answers its first import with ``duplicate: true``.
    Raises ``ValidationError`` (400: ``file``, ``unit``, ``team_id``), ``track_files.FileTooLarge`` (413),
    ``Forbidden`` for a non-dispatcher, ``NotFound``, ``Conflict`` on a closed search.
    """
    require_dispatcher(actor)
    name, team_id, filename = _clean_form(data, unit_name, team_id, filename)
    parsed = track_files.parse_track_file(data, filename)
    sha = hashlib.sha256(data).hexdigest()
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor, dispatcher_only=True)
            schemas.check_search_writable(search.status)
            first = s.execute(select(TrackImport).where(TrackImport.search_id == search_id,
                                                        TrackImport.sha256 == sha)).scalar_one_or_none()
            if first is not None:
                return {**first.report, "duplicate": True}
            if team_id is not None:
                team = s.get(Team, team_id)
                if team is None or team.search_id != search_id or team.disbanded:
                    raise ValidationError({"team_id": f"no team {team_id} on this search"})
            plan = track_files.plan_fixes(parsed, known_points.missing_since(search.lkp_time, search.lkp_history),
                                          now)
            unit, _ = _unit_user(s, search_id, name, now)
            if s.execute(select(Membership.id).where(Membership.search_id == search_id,
                                                     Membership.user_id == unit.id)).first() is None:
                s.add(Membership(search_id=search_id, user_id=unit.id, added_at=naive_utc(now)))
                events.record(s, search_id, "member.added", actor, {"user": user_view(unit)}, now)
            if team_id is not None and s.execute(select(TeamMember.id).where(
                    TeamMember.team_id == team_id, TeamMember.user_id == unit.id)).first() is None:
                s.add(TeamMember(team_id=team_id, user_id=unit.id))
                s.flush()
            device = "import"   # one track per unit: fixes it already has (same time) are stored and counted once
            ev = events.begin(s, search_id, "track.points", actor, now)
            done = tracks.record_fixes(s, search, unit.id, device, [dict(f) for f in plan.fixes], ev.seq)
            coverage = {str(k): v for k, v in done["coverage"].items()}
            events.finish(s, ev, {"user_id": unit.id, "device": device, "count": done["stored"],
                                  "rejected": len(done["rejected"]), "clock_offset_s": None,
                                  "points": done["shown"], "coverage": coverage,
                                  **({"rekeyed": done["rekeyed"]} if done["rekeyed"] else {})})
            notes = [_note_view(n) for n in plan.notes]
            report = {"unit": {"id": unit.id, "name": unit.display_name}, "team_id": team_id,
                      "format": parsed.format, "filename": filename, "name_in_file": parsed.name, "sha256": sha,
                      "points_in_file": len(parsed.points), "stored": done["stored"], "counts": plan.counts,
                      "notes": notes[:track_files.MAX_NOTES],
                      "notes_more": max(0, len(notes) - track_files.MAX_NOTES),
                      "rejected": done["rejected"][:track_files.MAX_NOTES], "coverage": coverage, "seq": ev.seq}
            summary = {k: report[k] for k in ("unit", "team_id", "format", "filename", "sha256", "points_in_file",
                                              "stored", "counts")}
            events.record(s, search_id, "track.imported", actor, {**summary, "track_seq": ev.seq}, now)
            row = TrackImport(search_id=search_id, sha256=sha, filename=filename, format=parsed.format,
                              unit_user_id=unit.id, team_id=team_id, points_in_file=len(parsed.points),
                              stored=done["stored"], report={}, event_seq=ev.seq, imported_by=actor.user_id,
                              imported_at=naive_utc(now))
            s.add(row)
            s.flush()
            report = {"id": row.id, **report}
            row.report = report
        return {**report, "duplicate": False}
    except IntegrityError:
        # the same file imported at the same moment by another dispatcher: answer the import that won
        with svc.reading() as s:
            first = s.execute(select(TrackImport).where(TrackImport.search_id == search_id,
                                                        TrackImport.sha256 == sha)).scalar_one_or_none()
            if first is None:
                raise
            return {**first.report, "duplicate": True}
