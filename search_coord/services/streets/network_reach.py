"""Reach on the street network for a search: the isochrone from its last known point over the layer that covers
it, with the ring POA placed on the reachable blocks. Cached per process by (layer, LKP, budget, heading)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from shapely.geometry import mapping

from ...adapters.models import Search
from ...core.errors import ValidationError
from ...core.streets import poa as street_poa
from ...core.streets import reach as core_reach
from ..basis import heading_of, rings_of
from .layers import LayerNet, layer_at, layer_net

#: The reach is recomputed when it has grown by this much (m): a minute of walking.
BUDGET_STEP_M = 50.0


@dataclass(frozen=True)
class NetworkReach:
    """The isochrone (metres, the layer's projection), its area as GeoJSON, the POA of each reachable block."""

    layer_id: int
    budget_m: float
    reach: core_reach.Reach
    area_geojson: dict
    poa: street_poa.StreetPoa


_CACHE: "OrderedDict[tuple, NetworkReach | None]" = OrderedDict()
_LOCK = threading.Lock()


def network_reach(net: LayerNet, search: Search, reach_m: float) -> NetworkReach | None:
    """The network reach of ``search`` within ``reach_m`` metres of walking (the search's capped speed × time), or
    None when its last known point is not near a walkable way of the layer."""
    budget = max(BUDGET_STEP_M, round(reach_m / BUDGET_STEP_M) * BUDGET_STEP_M) if reach_m < 1e9 else reach_m
    lon, lat = search.lkp["coordinates"][:2]
    heading, kappa = heading_of(search)
    rings = rings_of(search)
    key = (net.layer_id, id(net), round(lon, 7), round(lat, 7), budget, heading, rings)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    x, y = net.proj.to_xy(lon, lat)
    try:
        reach = core_reach.isochrone(net.graph, (float(x), float(y)), budget)
    except ValidationError:
        value = None
    else:
        edge_block = net.edge_block
        pieces = [(edge_block[e], line) for e, line in zip(reach.edge_of, reach.lines.geoms)]
        poa = street_poa.street_poa(pieces, (float(x), float(y)), rings, budget, heading, kappa)
        value = NetworkReach(net.layer_id, budget, reach, mapping(net.proj.unproject(reach.area)), poa)
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    return value


def route_between(session, a: tuple[float, float], b: tuple[float, float]) -> dict | None:
    """The walk along the streets between two known points (lon, lat), for route proposals that follow the network
    (video review between two sightings; issue 14, part 7): ``{"geometry": GeoJSON LineString, "length_m"}``, or
    None when no street layer holds both points, or they are off its network or not connected (the caller keeps the
    straight line then). Inside the caller's session; the layer's network is cached per process."""
    layer = layer_at(session, *a)
    if layer is None or layer_at(session, *b) is None or layer_at(session, *b).id != layer.id:
        return None
    net = layer_net(session, layer)
    xa, ya = net.proj.to_xy(*a)
    xb, yb = net.proj.to_xy(*b)
    try:
        pts, length = core_reach.network_path(net.graph, (float(xa), float(ya)), (float(xb), float(yb)))
    except ValidationError:
        return None
    lon, lat = net.proj.to_lonlat([p[0] for p in pts], [p[1] for p in pts])
    return {"geometry": {"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in zip(lon, lat)]},
            "length_m": round(length, 1)}
