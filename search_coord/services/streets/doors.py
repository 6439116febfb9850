"""Door-to-door lists: the addresses along an assignment (OSM ``addr:*`` nodes and buildings stored with the street
layer) as a checklist, each answer (spoken to, no answer, searched with consent, refused) recorded once per client
id as ``door.checked`` in the search's log, live to the desk and the phones."""
from __future__ import annotations

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...adapters.models import Assignment, User
from ...adapters.street_models import DoorCheck, StreetAddress
from ...core import schemas
from ...core.errors import Forbidden, NotFound, ValidationError
from ...core.fields import MAX_ID
from .. import events
from ..access import load_search, user_team_ids
from ..context import Actor, Services
from ..events import iso, naive_utc
from .layers import layer_at, layer_net

OUTCOMES = ("spoken", "no_answer", "searched_consent", "refused")
#: Addresses within this distance (m) of a route assignment's line are on its list (an address point is the
#: entrance or the building's centre, set back from the street's centreline).
DOOR_RADIUS_M = 40.0
MAX_DOORS = 500


def _assignment(s, search_id: int, assignment_id: int) -> Assignment:
    a = s.get(Assignment, assignment_id)
    if a is None or a.search_id != search_id:
        raise NotFound(f"assignment {assignment_id} not found on search {search_id}")
    return a


def _addresses(s, a: Assignment) -> list[StreetAddress]:
    """The address rows of the street layer along (a route) or inside (an area) the assignment, in route order."""
    geom = shape(a.geometry)
    c = geom.centroid
    layer = layer_at(s, c.x, c.y)
    if layer is None:
        return []
    proj = layer_net(s, layer).proj
    g = proj.project(geom)
    area = g if g.geom_type in ("Polygon", "MultiPolygon") else g.buffer(DOOR_RADIUS_M)
    minx, miny, maxx, maxy = proj.unproject(area).bounds
    rows = s.execute(select(StreetAddress).where(
        StreetAddress.layer_id == layer.id, StreetAddress.lon.between(minx, maxx),
        StreetAddress.lat.between(miny, maxy)).order_by(StreetAddress.id)).scalars().all()
    if not rows:
        return []
    xs, ys = proj.to_xy([r.lon for r in rows], [r.lat for r in rows])
    pts = shapely.points(xs, ys)
    inside = shapely.contains(area, pts)
    line = g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g
    parts = list(getattr(line, "geoms", [line]))
    # route order: which part of the route (in order), then how far along it
    order = []
    for p in pts:
        k = min(range(len(parts)), key=lambda i: parts[i].distance(p))
        order.append((k, parts[k].project(p)))
    kept = sorted((o, r.id, r) for o, r, ok in zip(order, rows, inside) if ok)
    return [r for _, _, r in kept][:MAX_DOORS]


def address_label(r: StreetAddress) -> str:
    return " ".join(x for x in (r.street, r.housenumber) if x) or f"{r.lat:.5f}, {r.lon:.5f}"


def _check_view(d: DoorCheck | None, name: str | None = None) -> dict | None:
    return None if d is None else {"outcome": d.outcome, "notes": d.notes, "checked_by": d.checked_by,
                                   "checked_by_name": name, "checked_at": iso(d.checked_at)}


def door_list(svc: Services, actor: Actor, search_id: int, assignment_id: int) -> dict:
    """``{"assignment_id", "doors": [{id, label, unit, building, lon, lat, check: {outcome, ...} or None}],
    "counts": {outcome: n, "open": n}}`` for anyone on the search. NotFound / Forbidden."""
    with svc.reading() as s:
        load_search(s, search_id, actor)
        a = _assignment(s, search_id, assignment_id)
        rows = _addresses(s, a)
        checks = {d.address_id: (d, name) for d, name in s.execute(
            select(DoorCheck, User.display_name).join(User, User.id == DoorCheck.checked_by)
            .where(DoorCheck.assignment_id == assignment_id))}
    doors = [{"id": r.id, "label": address_label(r), "unit": r.unit, "building": r.building, "lon": r.lon,
              "lat": r.lat, "check": _check_view(*checks[r.id]) if r.id in checks else None} for r in rows]
    counts = {o: 0 for o in OUTCOMES}
    for d in doors:
        if d["check"]:
            counts[d["check"]["outcome"]] += 1
    counts["open"] = sum(1 for d in doors if not d["check"])
    return {"assignment_id": assignment_id, "doors": doors, "counts": counts}


def _clean(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"body": "a JSON object is needed"})
    errors = {k: "unknown field" for k in data if k not in ("address_id", "outcome", "notes", "client_id")}
    aid = data.get("address_id")
    if isinstance(aid, bool) or not isinstance(aid, int) or not 1 <= aid <= MAX_ID:
        errors["address_id"] = "must be an address id"
    if data.get("outcome") not in OUTCOMES:
        errors["outcome"] = f"must be one of {', '.join(OUTCOMES)}"
    notes = data.get("notes")
    if notes is not None and (not isinstance(notes, str) or len(notes) > 2000):
        errors["notes"] = "up to 2000 characters"
    cid = data.get("client_id")
    if cid is not None and (not isinstance(cid, str) or not 8 <= len(cid) <= 64):
        errors["client_id"] = "8 to 64 characters"
    if errors:
        raise ValidationError(errors)
    return {**data, "notes": notes.strip() if isinstance(notes, str) and notes.strip() else None}


def check_door(svc: Services, actor: Actor, search_id: int, assignment_id: int, data: dict) -> dict:
    """Record the answer at one door of the assignment: ``address_id``, ``outcome`` (spoken, no_answer,
    searched_consent, refused), ``notes``, ``client_id`` (a retry with the same id is applied once). The assigned
    team or a dispatcher. Returns the ``door.checked`` payload. ValidationError, NotFound, Forbidden, Conflict."""
    clean = _clean(data)
    now = svc.now()
    try:
        with svc.transaction() as s:
            search = load_search(s, search_id, actor)
            a = _assignment(s, search_id, assignment_id)
            ev = events.begin(s, search_id, "door.checked", actor, now, client_id=clean.get("client_id"))
            schemas.check_search_writable(search.status)
            if not actor.is_dispatcher and (a.team_id is None
                                            or a.team_id not in user_team_ids(s, search_id, actor.user_id)):
                raise Forbidden("only the assigned team or a dispatcher may tick its doors")
            row = next((r for r in _addresses(s, a) if r.id == clean["address_id"]), None)
            if row is None:
                raise ValidationError({"address_id": "not an address of this assignment"})
            d = s.execute(select(DoorCheck).where(DoorCheck.assignment_id == assignment_id,
                                                  DoorCheck.address_id == row.id)).scalar()
            if d is None:
                d = DoorCheck(search_id=search_id, assignment_id=assignment_id, address_id=row.id)
                s.add(d)
            d.outcome, d.notes, d.checked_by, d.checked_at = clean["outcome"], clean["notes"], actor.user_id, \
                naive_utc(now)
            s.flush()
            payload = {"assignment_id": assignment_id, "address_id": row.id, "address": address_label(row),
                       "outcome": d.outcome, "notes": d.notes}
            events.finish(s, ev, payload)
        return payload
    except IntegrityError as exc:
        return events.replayed(svc, search_id, clean.get("client_id"), exc, actor=actor,
                               type_="door.checked")["payload"]
