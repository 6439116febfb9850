"""Paper for the night: the assignment briefing sheets (one A4 page per assignment) and what the missing-person
flyer says. Read-only use cases; the pages (``web/print_pages.py``) render them, the browser prints them."""
from __future__ import annotations

import re

import segno
from sqlalchemy import select

from ..adapters.models import Assignment, Photo, Segment, Team, TeamMember, User
from ..core import known_points, probability, record
from ..core.errors import NotFound, ValidationError
from .access import load_search, require_dispatcher
from .context import Actor, Services
from .exports_data import search_name
from .report_maps import assignment_map

#: The briefing sheet's map (mm): the width of A4 less its margins, and a height that leaves room for the text.
SHEET_MAP_MM = (180.0, 112.0)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{1,30}$")


def subject_view(search) -> dict:
    """The person as paper gives them: name, age, sex, category, description, clothing, medical needs, photo."""
    subj = search.subject or {}
    return {k: subj.get(k) for k in ("name", "age", "sex", "category", "description", "clothing", "medical",
                                      "photo_id")}


def _head(search, tz) -> dict:
    return {"id": search.id, "name": search_name(search), "subject": subject_view(search),
            "lkp": search.lkp["coordinates"], "lkp_time": record.stamp(search.lkp_time, tz, seconds=False),
            "missing_since": record.stamp(known_points.missing_since(search.lkp_time, search.lkp_history), tz,
                                          seconds=False),
            "lkp_address": search.lkp_address, "status": search.status, "risk": search.risk}


def briefing(svc: Services, actor: Actor, search_id: int, tz, assignment_id: int | None = None) -> dict:
    """The briefing sheets of a search's assignments (all not aborted, or the one named): the search and the
    person; for each, the team with its call sign, members and their phone numbers, the instructions, the
    segment with its POA and POD so far, the time it was given (station time) and a map (SVG, metres on the
    search's projection). Dispatchers, and officers for their own team's assignments. NotFound for an assignment
    not of the search."""
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        q = select(Assignment).where(Assignment.search_id == search_id).order_by(Assignment.id)
        if assignment_id is not None:
            q = q.where(Assignment.id == assignment_id)
        else:
            q = q.where(Assignment.status != "aborted")
        rows = s.execute(q).scalars().all()
        if assignment_id is not None and not rows:
            raise NotFound(f"assignment {assignment_id} is not on search {search_id}")
        if not actor.is_dispatcher:
            mine = set(s.execute(select(TeamMember.team_id).where(TeamMember.user_id == actor.user_id)).scalars())
            mine |= set(s.execute(select(Team.id).where(Team.leader_id == actor.user_id)).scalars())
            rows = [a for a in rows if a.team_id in mine]
        segs = {g.id: g for g in s.execute(select(Segment).where(Segment.search_id == search_id)).scalars()}
        post, _row = probability.posterior({g.id: g.poa0 for g in segs.values()}, search.row0,
                                           {g.id: g.coverage for g in segs.values()}) if segs else ({}, 1.0)
        sheets = [_sheet(s, search, a, segs, post, tz) for a in rows]
        return {"search": _head(search, tz), "sheets": sheets}


def _sheet(s, search, a: Assignment, segs: dict, post: dict, tz) -> dict:
    team = s.get(Team, a.team_id) if a.team_id else None
    members = []
    if team is not None:
        ids = set(s.execute(select(TeamMember.user_id).where(TeamMember.team_id == team.id)).scalars())
        ids |= {team.leader_id} if team.leader_id else set()
        for u in s.execute(select(User).where(User.id.in_(ids)).order_by(User.display_name)).scalars():
            members.append({"name": u.display_name, "phone": u.phone, "unit": u.unit,
                            "leader": u.id == team.leader_id})
    seg = segs.get(a.segment_id)
    return {"id": a.id, "title": a.title, "kind": a.kind, "status": a.status, "instructions": a.instructions,
            "places": a.places or [], "given_at": record.stamp(a.created_at, tz, seconds=False),
            "team": {"name": team.name, "callsign": team.callsign, "kind": team.kind} if team else None,
            "members": members,
            "segment": {"name": seg.name, "poa": post.get(seg.id, 0.0),
                        "pod": probability.pod_from_coverage(seg.coverage)} if seg else None,
            "map_svg": assignment_map(s, search, a, *SHEET_MAP_MM)}


def qr_target(contact: str | None, link: str | None) -> str | None:
    """What the flyer's QR code holds: the station's link (http or https) when given, else ``tel:`` the contact
    number; ValidationError naming ``contact`` or ``link`` when either is not what it should be."""
    errors = {}
    if contact and not _PHONE.match(contact.strip()):
        errors["contact"] = "must be a telephone number (digits, spaces, '-', a leading '+')"
    if link and not re.match(r"^https?://[^\s<>\"']{1,500}$", link.strip()):
        errors["link"] = "must be an http:// or https:// address"
    if errors:
        raise ValidationError(errors)
    if link:
        return link.strip()
    return "tel:" + re.sub(r"[ \-]", "", contact.strip()) if contact else None


def qr_svg(target: str | None) -> str | None:
    """The QR code of ``target`` as inline SVG markup (``segno``: error correction M, a quiet zone of 2)."""
    if not target:
        return None
    return segno.make(target, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def flyer(svc: Services, actor: Actor, search_id: int, tz, contact: str | None, link: str | None) -> dict:
    """What the missing-person flyer says: the person (photo, name, age, description, clothing), when and where
    last seen (station time), the contact number and the QR code (``qr_target``). Dispatchers only."""
    require_dispatcher(actor)
    target = qr_target(contact, link)
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        head = _head(search, tz)
    return {"search": head, "contact": (contact or "").strip(), "link": (link or "").strip(), "qr_target": target,
            "qr_svg": qr_svg(target)}


def photo_bytes(svc: Services, search_id: int, photo_id: int | None) -> bytes | None:
    """The subject's photo (stored JPEG/PNG bytes) when it belongs to the search or to no search yet."""
    if not photo_id:
        return None
    with svc.reading() as s:
        photo = s.get(Photo, photo_id)
        if photo is None or photo.search_id not in (None, search_id):
            return None
        return photo.data
