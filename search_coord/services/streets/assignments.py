"""Street assignments: the dispatcher selects blocks (drawn polygon, picked blocks, or the top suggestions by POA)
and the tool makes an assignment of named blocks grouped into a route of a chosen length for a foot or vehicle
team. It is an ordinary assignment (kind "route": the blocks' lines in order, their radio names as ``places``),
so every page that shows assignments shows it; the blocks themselves are kept in ``street_assignments``."""
from __future__ import annotations

from shapely.geometry import shape
from sqlalchemy import select

from ...adapters.models import Assignment, Team
from ...adapters.street_models import StreetAssignment
from ...core import schemas
from ...core.errors import GeometryError, ValidationError
from ...core.geometry import validate_geojson
from ...core.streets import blocks as core_blocks
from ...core.streets import routes
from .. import events
from ..access import load_search
from ..basis import reach_now
from ..context import Actor, Services
from ..events import naive_utc
from ..views import assignment_view
from .coverage import coverage_of
from .layers import layer_net, layer_of_search
from .network_reach import network_reach
from .search_view import ACTIVE

_FIELDS = ("mode", "length_m", "team_id", "title", "polygon", "blocks", "instructions", "lang")
MAX_PLACES = 200


def _clean(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"body": "a JSON object is needed"})
    errors = {k: "unknown field" for k in data if k not in _FIELDS}
    mode = data.get("mode")
    if mode not in routes.MODES:
        errors["mode"] = f"must be one of {', '.join(routes.MODES)}"
    length = data.get("length_m")
    if isinstance(length, bool) or not isinstance(length, (int, float)):
        errors["length_m"] = "the route's length in metres"
    team = data.get("team_id")
    if team is not None and (isinstance(team, bool) or not isinstance(team, int) or team < 1):
        errors["team_id"] = "must be a team id"
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > 120):
        errors["title"] = "up to 120 characters"
    picked = data.get("blocks")
    if picked is not None and (not isinstance(picked, list) or len(picked) > 5000 or
                               any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in picked)):
        errors["blocks"] = "a list of block numbers"
    instr = data.get("instructions")
    if instr is not None and (not isinstance(instr, str) or len(instr) > 4000):
        errors["instructions"] = "up to 4000 characters"
    polygon = None
    if data.get("polygon") is not None:
        try:
            polygon = validate_geojson(data["polygon"], ("Polygon", "MultiPolygon")).geojson
        except GeometryError as exc:
            errors["polygon"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return {**data, "polygon": polygon}


def create_street_assignment(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Make a route assignment of named blocks. ``data``: ``mode`` foot|vehicle, ``length_m`` (the route's length),
    one way to select: ``blocks`` (block numbers), ``polygon`` (GeoJSON: blocks that cross it), or neither (the
    most probable reachable blocks not yet searched nor in an active assignment); optional ``team_id``, ``title``,
    ``instructions``, ``lang`` (names in "zh" or "en" where the data has them).

    Returns ``{"assignment": view, "street": {mode, blocks, length_m, transit_m}}``; records assignment.created.
    Raises ValidationError (no layer covers the search, nothing selectable, bad fields), NotFound/Forbidden."""
    clean = _clean(data)
    mode = clean["mode"]
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        layer = layer_of_search(s, search)
        if layer is None:
            raise ValidationError({"streets": "no street layer covers this search; load one first"})
        net = layer_net(s, layer)
        if clean.get("team_id") is not None:
            team = s.get(Team, clean["team_id"])
            if team is None or team.search_id != search_id:
                raise ValidationError({"team_id": f"team {clean['team_id']} is not on this search"})
        nr = network_reach(net, search, reach_now(search, now))
        poa = dict(nr.poa.poa) if nr else {}
        candidates = _select(s, search_id, net, clean, poa, mode)
        route = routes.plan_route([net.blocks[i] for i in candidates], poa, float(clean["length_m"]), mode)
        lang = clean.get("lang") or ""
        labels = [core_blocks.label(net.blocks[i], lang) for i in route.blocks]
        lines = [list(reversed(net.block_lonlat[i])) if rev else net.block_lonlat[i]
                 for i, rev in zip(route.blocks, route.reverse)]
        first = net.blocks[route.blocks[0]].street.pick(lang) or net.blocks[route.blocks[0]].highway
        more = f" +{len(route.blocks) - 1}" if len(route.blocks) > 1 else ""
        title = (clean.get("title") or "").strip() or f"{first}{more} ({route.length_m / 1000:.1f} km)"[:120]
        a = Assignment(search_id=search_id, team_id=clean.get("team_id"), title=title, kind="route",
                       geometry={"type": "MultiLineString", "coordinates": lines}, places=labels[:MAX_PLACES],
                       instructions=clean.get("instructions"),
                       status="assigned" if clean.get("team_id") else "planned",
                       created_at=naive_utc(now), updated_at=naive_utc(now))
        s.add(a)
        s.flush()
        s.add(StreetAssignment(assignment_id=a.id, search_id=search_id, layer_id=net.layer_id, mode=mode,
                               blocks=list(route.blocks), reverse=list(route.reverse), length_m=route.length_m,
                               transit_m=route.transit_m))
        view = assignment_view(a)
        events.record(s, search_id, "assignment.created", actor, {"assignment": view}, now)
    return {"assignment": view, "street": {"mode": mode, "blocks": list(route.blocks), "labels": labels,
                                           "length_m": round(route.length_m, 1), "transit_m": round(route.transit_m, 1)}}


def _select(s, search_id: int, net, clean: dict, poa: dict, mode: str) -> list[int]:
    n = len(net.blocks)
    if clean.get("blocks"):
        bad = [i for i in clean["blocks"] if i >= n]
        if bad:
            raise ValidationError({"blocks": f"no such block: {', '.join(map(str, bad[:5]))}"})
        return list(dict.fromkeys(clean["blocks"]))
    if clean.get("polygon"):
        area = net.proj.project(shape(clean["polygon"]))
        hits = net.index.tree.query(area, predicate="intersects").tolist()
        if not hits:
            raise ValidationError({"polygon": "no street of the layer crosses the drawn area"})
        return [net.blocks[p].index for p in hits]
    # the top suggestions: reachable blocks by POA, leaving out those searched by this mode or already assigned
    taken = set()
    for blocks, in s.execute(select(StreetAssignment.blocks).join(Assignment, Assignment.id == StreetAssignment.assignment_id)
                             .where(StreetAssignment.search_id == search_id, Assignment.status.in_(ACTIVE))):
        taken.update(blocks)
    cov = coverage_of(s, search_id, net.layer_id)
    free = [i for i in poa if i not in taken and cov.get(i, {}).get(mode, 0.0) < 0.8]
    if not free:
        raise ValidationError({"blocks": "no reachable block is left unsearched and unassigned"})
    return free
