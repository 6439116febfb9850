"""What a search's maps and lists show of the streets: the layer covering it (or how to load one), the network
reach, the reachable blocks with POA, coverage by mode, status and POD, and the street assignments."""
from __future__ import annotations

from sqlalchemy import select

from ...adapters.models import Assignment
from ...adapters.street_models import StreetAssignment
from ...core.streets import coverage as core_cov
from ..access import load_search
from ..basis import reach_now, settings_of
from ..context import Actor, Services
from .coverage import catch_up, coverage_of
from .layers import LayerNet, cached_net, layer_of_search, layer_view
from .network_reach import network_reach

ACTIVE = ("planned", "assigned", "in_progress")


def names_view(names) -> dict | None:
    return None if names is None else {"local": names.local, "zh": names.zh, "en": names.en}


def block_view(net: LayerNet, index: int, poa: float = 0.0, cov: dict | None = None) -> dict:
    """One block for the pages: names (street, from, to), kind, length, walk/drive, LineString, POA, coverage."""
    b = net.blocks[index]
    cov = cov or {}
    share = max(cov.values(), default=0.0)
    pods = {m: round(core_cov.pod(v, m), 3) for m, v in cov.items()}
    return {"index": index, "street": names_view(b.street), "from": names_view(b.start), "to": names_view(b.end),
            "highway": b.highway, "length_m": round(b.length, 1), "walk": b.walk, "drive": b.drive,
            "geometry": {"type": "LineString", "coordinates": net.block_lonlat[index]},
            "poa": round(poa, 6), "coverage": {m: round(v, 3) for m, v in cov.items()}, "pod_by_mode": pods,
            "pod": round(core_cov.combined_pod(pods.values()), 3), "status": core_cov.status(share)}


def street_state(svc: Services, actor: Actor, search_id: int) -> dict:
    """The search's streets: ``layer`` (view or None; ``hint`` "no_layer" then), ``reach`` (the network isochrone:
    GeoJSON area, budget, walk to the street, reached length; None off the network), ``poa`` (on-street share,
    unplaced, off-street), ``blocks`` (reachable, covered or assigned ones, by POA), ``assignments``,
    ``search_speed_ms`` ({foot, vehicle}: the model settings' search speeds, m/s)."""
    catch_up(svc, actor, search_id)   # batches stored while the network was being built, once it is ready
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        layer = layer_of_search(s, search)
        if layer is None:
            return {"search_id": search_id, "layer": None, "hint": "no_layer", "reach": None, "blocks": [],
                    "assignments": [], "poa": None}
        net = cached_net(s, layer)
        if net is None:   # being built in the background (after a restart): the page asks again
            return {"search_id": search_id, "layer": layer_view(layer), "hint": "building", "reach": None,
                    "blocks": [], "assignments": [], "poa": None}
        budget = reach_now(search, now)
        speeds = settings_of(search)["search_speed_ms"]   # a street assignment's duration turns into a length at these
        nr = network_reach(net, search, budget)
        cov = coverage_of(s, search_id, net.layer_id)
        rows = s.execute(select(StreetAssignment, Assignment.status, Assignment.title, Assignment.team_id)
                         .join(Assignment, Assignment.id == StreetAssignment.assignment_id)
                         .where(StreetAssignment.search_id == search_id, StreetAssignment.layer_id == net.layer_id)
                         .order_by(StreetAssignment.id)).all()
    poa = dict(nr.poa.poa) if nr else {}
    assigned = {}
    for sa, status, _title, _team in rows:
        if status in ACTIVE:
            for b in sa.blocks:
                assigned[b] = sa.assignment_id
    shown = sorted(set(poa) | set(cov) | set(assigned), key=lambda i: (-poa.get(i, 0.0), i))
    blocks = []
    for i in shown:
        v = block_view(net, i, poa.get(i, 0.0), cov.get(i))
        v["assignment_id"] = assigned.get(i)
        blocks.append(v)
    return {
        "search_id": search_id, "layer": layer_view(layer), "hint": None if nr else "not_on_network",
        "reach": None if nr is None else {
            "geometry": nr.area_geojson, "budget_m": nr.budget_m, "snap_m": round(nr.reach.snap_m, 1),
            "length_m": round(nr.reach.length_m, 1), "buffer_m": nr.reach.buffer_m},
        "poa": None if nr is None else {"on_street": round(nr.poa.on_street, 4), "unplaced": round(nr.poa.unplaced, 4),
                                        "off_street": round(nr.poa.off_street, 4)},
        "blocks": blocks, "search_speed_ms": {m: speeds[m] for m in ("foot", "vehicle")},
        "assignments": [{"assignment_id": sa.assignment_id, "title": title, "team_id": team, "status": status,
                         "mode": sa.mode, "blocks": sa.blocks, "length_m": round(sa.length_m, 1),
                         "transit_m": round(sa.transit_m, 1)} for sa, status, title, team in rows],
    }


def reach_fields(session, search, reach_m: float) -> dict:
    """For the model's ``reach``: the network isochrone's area as ``geometry`` with ``network``: true and its
    numbers, when a street layer covers the search and its LKP is near a walkable way; {} otherwise (the disc)."""
    layer = layer_of_search(session, search)
    if layer is None:
        return {}
    net = cached_net(session, layer)   # the model is read often: never wait for a build (the disc until it is done)
    if net is None:
        return {"network_pending": True}
    nr = network_reach(net, search, reach_m)
    if nr is None:
        return {}
    return {"geometry": nr.area_geojson, "network": True, "layer_id": layer.id,
            "network_length_m": round(nr.reach.length_m, 1), "snap_m": round(nr.reach.snap_m, 1)}
