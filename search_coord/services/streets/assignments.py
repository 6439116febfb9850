"""Street assignments: the dispatcher selects blocks (drawn polygon, picked blocks, points picked along a route, or
the top suggestions by POA) and the tool makes an assignment of named blocks grouped into a route of a chosen length
or duration (minutes at the mode's search speed, the search's model settings) for a foot or vehicle team. It is an ordinary assignment (kind "route": the blocks' lines in order, their radio names as ``places``),
so every page that shows assignments shows it; the blocks themselves are kept in ``street_assignments``."""
from __future__ import annotations

import math
import threading
from collections import OrderedDict

from shapely.geometry import shape
from sqlalchemy import select

from ...adapters.models import Assignment, Team
from ...adapters.street_models import StreetAssignment
from ...core import schemas
from ...core.errors import GeometryError, ValidationError
from ...core.geometry import validate_geojson
from ...core.streets import blocks as core_blocks
from ...core.streets import pick as core_pick
from ...core.streets import routes
from .. import events
from ..access import load_search
from ..basis import reach_now, settings_of
from ..context import Actor, Services
from ..events import naive_utc
from ..views import assignment_view
from .coverage import coverage_of
from .layers import layer_net, layer_of_search
from .network_reach import network_reach
from .search_view import ACTIVE

_FIELDS = ("mode", "length_m", "duration_min", "points", "team_id", "title", "polygon", "blocks", "instructions",
           "lang")
MAX_PLACES = 200
#: A route's duration (minutes) must lie in (0, MAX_DURATION_MIN]: a night's shift at most.
MAX_DURATION_MIN = 720.0
_PATH_FIELDS = ("mode", "points", "lang")


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _points(value, errors: dict) -> list | None:
    """The taps as [[lon, lat], ...] (2 to 100 of them), or None with errors["points"] set."""
    if (not isinstance(value, list) or not core_pick.MIN_TAPS <= len(value) <= core_pick.MAX_TAPS
            or any(not isinstance(p, list) or len(p) != 2 or not all(map(_number, p)) for p in value)):
        errors["points"] = (f"between {core_pick.MIN_TAPS} and {core_pick.MAX_TAPS} points along the streets, "
                            "each [lon, lat]")
        return None
    if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in value):
        errors["points"] = "each point is [lon, lat] in degrees"
        return None
    return [[float(p[0]), float(p[1])] for p in value]


def _clean(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"body": "a JSON object is needed"})
    errors = {k: "unknown field" for k in data if k not in _FIELDS}
    mode = data.get("mode")
    if mode not in routes.MODES:
        errors["mode"] = f"must be one of {', '.join(routes.MODES)}"
    length, duration = data.get("length_m"), data.get("duration_min")
    if data.get("points") is not None:   # picked along a route: its length is the path's
        _points(data["points"], errors)
        for k in ("length_m", "duration_min", "blocks", "polygon"):
            if data.get(k) is not None:
                errors[k] = "not with points picked along a route (its length is the path's)"
    elif length is not None and duration is not None:
        errors["duration_min"] = "give the route's length or its duration, not both"
    elif duration is not None:
        if not _number(duration) or not 0 < duration <= MAX_DURATION_MIN:
            errors["duration_min"] = f"the route's duration in minutes, more than 0 and at most {MAX_DURATION_MIN:.0f}"
    elif not _number(length):
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
    """Make a route assignment of named blocks. ``data``: ``mode`` foot|vehicle; the route's ``length_m`` or its
    ``duration_min`` (minutes, turned into metres at the mode's search speed of the search's model settings); one
    way to select: ``points`` ([[lon, lat], ...], 2-100 taps: the blocks along the shortest path through them, in
    order, the route's length the path's; no length or duration then), ``blocks`` (block numbers), ``polygon``
    (GeoJSON: blocks that cross it), or none (the most probable reachable blocks not yet searched nor in an active
    assignment); optional ``team_id``, ``title``, ``instructions``, ``lang`` (names in "zh" or "en").

    Returns ``{"assignment": view, "street": {mode, blocks, labels, length_m, transit_m, speed_ms, duration_min,
    target_m (the length asked for or made from the duration; None for points)}}``; records assignment.created.
    Raises ValidationError (no layer covers the search, nothing selectable, bad fields, a tap off the streets,
    taps not connected), NotFound/Forbidden; nothing is stored then."""
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
        speed = float(settings_of(search)["search_speed_ms"][mode])
        target = _target(clean, speed)
        if clean.get("points") is not None:
            picked = _picked(net, clean["points"], mode)
            route = routes.Route(picked.blocks, picked.reverse, picked.length_m, 0.0)
            lines = [_lonlat(net, picked.points)]
        else:
            nr = network_reach(net, search, reach_now(search, now))
            poa = dict(nr.poa.poa) if nr else {}
            candidates = _select(s, search_id, net, clean, poa, mode)
            route = routes.plan_route([net.blocks[i] for i in candidates], poa, target, mode)
            lines = [list(reversed(net.block_lonlat[i])) if rev else net.block_lonlat[i]
                     for i, rev in zip(route.blocks, route.reverse)]
        lang = clean.get("lang") or ""
        labels = [core_blocks.label(net.blocks[i], lang) for i in route.blocks]
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
    return {"assignment": view, "street": {
        "mode": mode, "blocks": list(route.blocks), "labels": labels, "length_m": round(route.length_m, 1),
        "transit_m": round(route.transit_m, 1), "target_m": None if target is None else round(target, 1),
        "speed_ms": speed, "duration_min": round(route.length_m / speed / 60, 1)}}


def _target(clean: dict, speed: float) -> float | None:
    """The route's length to aim for (m): ``length_m``, or ``duration_min`` × the mode's search speed; None for
    points picked along a route."""
    if clean.get("points") is not None:
        return None
    if clean.get("duration_min") is None:
        return float(clean["length_m"])
    metres = speed * 60 * float(clean["duration_min"])
    if not routes.MIN_ROUTE_M <= metres <= routes.MAX_ROUTE_M:
        raise ValidationError({"duration_min": f"{clean['duration_min']:g} min at {speed:g} m/s is {metres:.0f} m; "
                                               f"a route is {routes.MIN_ROUTE_M:.0f} to {routes.MAX_ROUTE_M:.0f} m"})
    return metres


_GRAPHS: "OrderedDict[tuple, object]" = OrderedDict()
_GRAPHS_LOCK = threading.Lock()


def _graph(net, mode: str):
    """The layer's graph for ``mode`` (the walkable one is the layer's own; the drivable one is built once per
    process and layer, the last four kept)."""
    if mode == "foot":
        return net.graph
    key = (net.layer_id, id(net))
    with _GRAPHS_LOCK:
        if key in _GRAPHS:
            _GRAPHS.move_to_end(key)
            return _GRAPHS[key]
    graph = core_pick.mode_graph(net.network, mode)
    with _GRAPHS_LOCK:
        _GRAPHS[key] = graph
        while len(_GRAPHS) > 4:
            _GRAPHS.popitem(last=False)
    return graph


def _picked(net, points: list, mode: str) -> core_pick.PickedRoute:
    xs, ys = net.proj.to_xy([p[0] for p in points], [p[1] for p in points])
    taps = [(float(x), float(y)) for x, y in zip(xs, ys)]
    picked = core_pick.pick_route(_graph(net, mode), net.blocks, net.edge_block, taps, mode)
    if not picked.blocks:
        raise ValidationError({"points": "the points make no route: they all lie on the same spot of the streets"})
    return picked


def _lonlat(net, xy) -> list:
    lon, lat = net.proj.to_lonlat([p[0] for p in xy], [p[1] for p in xy])
    return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat)]


def preview_path(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """The route along the streets through the dispatcher's taps, before an assignment is made (nothing stored).
    ``data``: ``mode`` foot|vehicle, ``points`` [[lon, lat], ...] (2-100), optional ``lang``.

    Returns ``{"mode", "geometry": GeoJSON LineString, "length_m", "legs_m", "snapped": [[lon, lat], ...],
    "snap_m": [m per tap], "blocks", "labels", "speed_ms", "duration_min"}``. Raises ValidationError (no layer, a tap
    further than 100 m from the mode's streets, taps not connected, bad fields), NotFound/Forbidden."""
    if not isinstance(data, dict):
        raise ValidationError({"body": "a JSON object is needed"})
    errors = {k: "unknown field" for k in data if k not in _PATH_FIELDS}
    if data.get("mode") not in routes.MODES:
        errors["mode"] = f"must be one of {', '.join(routes.MODES)}"
    points = _points(data.get("points"), errors)
    if data.get("lang") is not None and not isinstance(data["lang"], str):
        errors["lang"] = "zh or en"
    if errors:
        raise ValidationError(errors)
    mode, lang = data["mode"], data.get("lang") or ""
    with svc.reading() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        layer = layer_of_search(s, search)
        if layer is None:
            raise ValidationError({"streets": "no street layer covers this search; load one first"})
        net = layer_net(s, layer)
        speed = float(settings_of(search)["search_speed_ms"][mode])
    picked = _picked(net, points, mode)
    return {"mode": mode, "geometry": {"type": "LineString", "coordinates": _lonlat(net, picked.points)},
            "length_m": round(picked.length_m, 1), "legs_m": [round(x, 1) for x in picked.legs_m],
            "snapped": _lonlat(net, [p.xy for p in picked.snapped]), "snap_m": [round(p.off_m, 1) for p in picked.snapped],
            "blocks": list(picked.blocks), "labels": [core_blocks.label(net.blocks[i], lang) for i in picked.blocks],
            "speed_ms": speed, "duration_min": round(picked.length_m / speed / 60, 1)}


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
