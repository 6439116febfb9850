"""Plain, JSON-ready views of stored rows; services return these, never ORM objects."""
from __future__ import annotations

from ..adapters.models import Assignment, Clue, Search, Team, User
from ..core import known_points
from .events import iso


def user_view(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "phone": u.phone, "unit": u.unit, "active": u.active}


def search_view(s: Search) -> dict:
    return {
        "id": s.id, "title": s.title, "status": s.status, "subject": s.subject, "lkp": s.lkp,
        "lkp_time": iso(s.lkp_time), "lkp_address": s.lkp_address, "terrain": s.terrain, "risk": s.risk,
        "risk_reasons": s.risk_reasons or [], "notes": s.notes, "found": s.found, "opened_at": iso(s.opened_at),
        "opened_by": s.opened_by, "closed_at": iso(s.closed_at), "last_seq": s.last_seq,
        "heading_deg": s.heading_deg, "lkp_history": s.lkp_history or [],
        # when the subject went missing: the first last known time (confirmed sightings move lkp_time on, not it)
        "missing_since": iso(known_points.missing_since(s.lkp_time, s.lkp_history)),
        "version": s.version,   # send it back with an edit (services/versions.py)
    }


def search_summary(s: Search) -> dict:
    subj = s.subject or {}
    return {"id": s.id, "title": s.title, "status": s.status, "risk": s.risk, "subject_name": subj.get("name"),
            "category": subj.get("category"), "age": subj.get("age"), "lkp": s.lkp, "lkp_time": iso(s.lkp_time),
            "opened_at": iso(s.opened_at), "last_seq": s.last_seq}


def team_view(t: Team, member_ids: list[int]) -> dict:
    return {"id": t.id, "search_id": t.search_id, "name": t.name, "callsign": t.callsign, "kind": t.kind,
            "leader_id": t.leader_id, "member_ids": sorted(member_ids), "disbanded": t.disbanded,
            "version": t.version}


def assignment_view(a: Assignment) -> dict:
    return {"id": a.id, "search_id": a.search_id, "team_id": a.team_id, "title": a.title, "kind": a.kind,
            "geometry": a.geometry, "places": a.places or [], "instructions": a.instructions, "status": a.status,
            "debrief": a.debrief, "segment_id": a.segment_id, "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
            "version": a.version}


def clue_view(c: Clue) -> dict:
    return {"id": c.id, "search_id": c.search_id, "kind": c.kind, "time": iso(c.time), "location": c.location,
            "text": c.text, "direction": c.direction, "photo_id": c.photo_id, "reported_by": c.reported_by,
            "reported_at": iso(c.reported_at)}
