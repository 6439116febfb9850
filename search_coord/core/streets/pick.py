"""A route picked along the streets: the dispatcher taps points (a start, waypoints, an end) and the route is the
shortest path on the street network from each point to the next, for one mode (a foot team walks walkable ways, a
vehicle drives drivable ones). Each tap is snapped to the nearest point of a way the mode can use, at most
``MAX_TAP_M`` away; the path between two snapped points runs along the ways (Dijkstra, scipy.sparse.csgraph, from
both ends of the first point's edge, as ``reach.network_path``). The route's blocks are the named blocks the path
runs along, in the order it first enters them; its length is the path's length along the streets (from the first
snapped point to the last; the taps' distances to the street are not counted). Metres, the layer's projection.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import numpy as np
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, Point
from shapely.ops import substring

from ..errors import ValidationError
from .blocks import Block
from .network import Network
from .reach import WalkGraph
from .routes import MAX_ROUTE_M, MODES

#: A tap further than this (m) from every way the mode can use is not on the network (about a city block's half
#: width: a tap on a house beside the street snaps, a tap in a park 300 m away does not).
MAX_TAP_M = 100.0
MIN_TAPS, MAX_TAPS = 2, 100
#: A path's piece shorter than this (m) on a block does not put the block in the route (a corner clipped).
MIN_PIECE_M = 1.0


def mode_graph(net: Network, mode: str) -> WalkGraph:
    """The graph of the ways a team in ``mode`` can use: walkable ways for "foot", drivable ones for "vehicle".
    (A ``WalkGraph`` holds the edges whose ``walk`` flag is set: for a vehicle it is built over the drivable edges
    with that flag set; edge indices are the network's.) Raises ValidationError for an unknown mode."""
    if mode not in MODES:
        raise ValidationError({"mode": f"must be one of {', '.join(MODES)}"})
    if mode == "foot":
        return WalkGraph(net)
    return WalkGraph(Network(net.ways, tuple(replace(e, walk=True) for e in net.edges if e.drive), net.junctions))


@dataclass(frozen=True)
class Snapped:
    """A tap on the network: ``edge`` (position in the graph's edges), ``s`` (m along it from its u end), the
    snapped point (x, y) and the tap's distance to it (m)."""

    edge: int
    s: float
    xy: tuple[float, float]
    off_m: float


@dataclass(frozen=True)
class PickedRoute:
    """``points``: the path (x, y m) from the first snapped point to the last; ``length_m`` its length; ``legs_m``:
    the length of each leg (tap to next tap); ``blocks`` / ``reverse``: the blocks run along, in order (reverse:
    run from the block's end to its start); ``snapped``: each tap on the network."""

    points: tuple[tuple[float, float], ...]
    length_m: float
    legs_m: tuple[float, ...]
    blocks: tuple[int, ...]
    reverse: tuple[bool, ...]
    snapped: tuple[Snapped, ...]


def _what(mode: str) -> str:
    return "drivable" if mode == "vehicle" else "walkable"


def snap_tap(graph: WalkGraph, xy: tuple[float, float], number: int, mode: str,
             max_m: float = MAX_TAP_M) -> Snapped:
    """Tap ``number`` (1-based, for the message) snapped to the nearest way of ``graph``. Raises ValidationError
    {"points": "point N is D m from the nearest walkable|drivable street (at most M m)"} beyond ``max_m``."""
    if not len(graph):
        raise ValidationError({"points": f"the layer has no {_what(mode)} streets"})
    p = Point(xy)
    i = int(graph.tree.nearest(p))
    line = graph.lines[i]
    d = float(line.distance(p))
    if d > max_m:
        raise ValidationError({"points": f"point {number} is {d:.0f} m from the nearest {_what(mode)} street "
                                         f"(at most {max_m:.0f} m)"})
    s = float(line.project(p))
    q = line.interpolate(s)
    return Snapped(i, s, (float(q.x), float(q.y)), d)


def _leg(graph: WalkGraph, a: Snapped, b: Snapped, number: int, mode: str) -> tuple[list, float]:
    """The shortest path from a to b: ``([(edge, s_from, s_to), ...], length m)``; each piece runs along one edge
    from ``s_from`` to ``s_to`` (m from its u end)."""
    L = graph.length
    if a.edge == b.edge:
        direct = abs(b.s - a.s)
    else:
        direct = np.inf
    ua, va, ub, vb = int(graph.eu[a.edge]), int(graph.ev[a.edge]), int(graph.eu[b.edge]), int(graph.ev[b.edge])
    starts = ((ua, a.s, 0.0), (va, L[a.edge] - a.s, float(L[a.edge])))     # (node, metres to it, s at it)
    ends = ((ub, b.s, 0.0), (vb, L[b.edge] - b.s, float(L[b.edge])))
    dist, pred = dijkstra(graph.matrix, directed=False, indices=[ua, va], return_predecessors=True)
    total, i, j = min(((oa + dist[i, nb] + ob, i, j) for i, (_, oa, _) in enumerate(starts)
                       for j, (nb, ob, _) in enumerate(ends)), key=lambda x: x[0])
    if np.isfinite(direct) and direct <= total:
        return [(a.edge, a.s, b.s)], float(direct)
    if not np.isfinite(total):
        raise ValidationError({"points": f"points {number} and {number + 1} are not connected by "
                                         f"{_what(mode)} streets"})
    nodes = [ends[j][0]]
    while nodes[-1] != starts[i][0]:
        nodes.append(int(pred[i, nodes[-1]]))
    nodes.reverse()
    pieces = [(a.edge, a.s, starts[i][2])]
    for u, v in zip(nodes, nodes[1:]):
        ks = np.flatnonzero(((graph.eu == u) & (graph.ev == v)) | ((graph.eu == v) & (graph.ev == u)))
        k = int(ks[np.argmin(L[ks])])
        pieces.append((k, 0.0, float(L[k])) if graph.eu[k] == u else (k, float(L[k]), 0.0))
    pieces.append((b.edge, ends[j][2], b.s))
    return pieces, float(total)


def pick_route(graph: WalkGraph, blocks: Sequence[Block], edge_block: Mapping[int, int],
               taps: Sequence[tuple[float, float]], mode: str, max_tap_m: float = MAX_TAP_M) -> PickedRoute:
    """The route along the streets through ``taps`` (x, y m, in order) for a team in ``mode``; ``graph``:
    ``mode_graph`` of the layer; ``blocks``: the layer's blocks (by index); ``edge_block``: {Edge.index: block}.

    Raises ValidationError {"points": ...} for fewer than 2 or more than 100 taps, a tap too far from the mode's
    streets, two consecutive taps not connected, a route of no length, or one longer than ``MAX_ROUTE_M``."""
    if not isinstance(taps, (list, tuple)) or not MIN_TAPS <= len(taps) <= MAX_TAPS:
        raise ValidationError({"points": f"between {MIN_TAPS} and {MAX_TAPS} points along the streets"})
    snapped = [snap_tap(graph, t, n + 1, mode, max_tap_m) for n, t in enumerate(taps)]
    pieces, legs = [], []
    for n, (a, b) in enumerate(zip(snapped, snapped[1:])):
        leg, length = _leg(graph, a, b, n + 1, mode)
        pieces += leg
        legs.append(length)
    total = float(sum(legs))
    if total < MIN_PIECE_M:
        raise ValidationError({"points": "the points make no route: they all lie on the same spot of the streets"})
    if total > MAX_ROUTE_M:
        raise ValidationError({"points": f"the route is {total / 1000:.1f} km; at most {MAX_ROUTE_M / 1000:.0f} km"})
    points: list[tuple[float, float]] = []
    order: dict[int, list[float]] = {}   # block -> [position along it where the path entered, where it left]
    for k, s0, s1 in pieces:
        if abs(s1 - s0) <= 0:
            continue
        piece = substring(graph.lines[k], min(s0, s1), max(s0, s1))
        coords = [(float(x), float(y)) for x, y in (piece.coords if piece.geom_type == "LineString" else [])]
        if s1 < s0:
            coords.reverse()
        for c in coords:
            if not points or c != points[-1]:
                points.append(c)
        if abs(s1 - s0) < MIN_PIECE_M or not coords:
            continue
        block = edge_block[graph.edges[k].index]
        line = LineString(blocks[block].xy)
        ends = [line.project(Point(coords[0])), line.project(Point(coords[-1]))]
        if block in order:
            order[block][1] = ends[1]
        else:
            order[block] = ends
    if len(points) < 2:
        points = [snapped[0].xy, snapped[-1].xy]
    ids = tuple(order)
    return PickedRoute(tuple(points), total, tuple(legs), ids, tuple(order[b][1] < order[b][0] for b in ids),
                       tuple(snapped))
