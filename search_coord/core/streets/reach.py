"""Where the subject can have got to along the walkable network: an isochrone from the last known point.

The subject walks from the last known point (LKP) straight to the nearest walkable way (that distance counts),
then along walkable ways; everything within ``budget_m`` metres of walking (speed × time, capped: the caller's
reach) is reached. The reached network is returned as line pieces (a way reached from both ends keeps both
stretches; the edge the LKP lies on is reached on both sides of it), and as an area: those lines buffered by a
small off-street distance (people step off the street: doorways, yards, verges). Shortest paths by Dijkstra
(scipy.sparse.csgraph), distances in metres in the layer's local projection.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from ..errors import ValidationError
from .network import Network

#: How far off the street the reached area extends (m): Koester's dementia profile finds 50 % within ≈30 m of a
#: road (docs/science.md §1.2); half of that is the default strip shown (doorways, front yards, verges).
OFF_STREET_BUFFER_M = 15.0
#: An LKP further than this from every walkable way is not on this network (the disc is used instead).
MAX_SNAP_M = 500.0


def lines_of(polylines) -> np.ndarray:
    """Shapely LineStrings of many polylines (each ≥ 2 points, metres) in one call."""
    if not polylines:
        return np.array([], dtype=object)
    counts = [len(p) for p in polylines]
    coords = np.array([c for p in polylines for c in p], dtype=float)
    return np.asarray(shapely.linestrings(coords, indices=np.repeat(np.arange(len(polylines)), counts)), dtype=object)


class WalkGraph:
    """The walkable edges of a network as a sparse graph, with a spatial index to snap points to it. Immutable
    once built; shared between threads (reads only)."""

    def __init__(self, net: Network):
        edges = [e for e in net.edges if e.walk]
        self.edges = tuple(edges)
        nodes = sorted({e.u for e in edges} | {e.v for e in edges})
        self.node_ids = np.array(nodes, dtype=np.int64)
        index = {n: i for i, n in enumerate(nodes)}
        self.node_index = index
        self.eu = np.array([index[e.u] for e in edges], dtype=np.int64)
        self.ev = np.array([index[e.v] for e in edges], dtype=np.int64)
        self.length = np.array([e.length for e in edges], dtype=float)
        self.lines = lines_of([e.xy for e in edges])
        n = len(nodes)
        # parallel edges between the same two nodes: the sparse matrix would add them up, so keep the shortest
        best: dict[tuple[int, int], float] = {}
        for a, b, w in zip(self.eu.tolist(), self.ev.tolist(), self.length.tolist()):
            k = (a, b) if a < b else (b, a)
            if a != b and (k not in best or w < best[k]):
                best[k] = w
        rows = np.array([k[0] for k in best], dtype=np.int64)
        cols = np.array([k[1] for k in best], dtype=np.int64)
        self.matrix = coo_matrix((np.array(list(best.values())), (rows, cols)), shape=(n, n)).tocsr()
        self.tree = STRtree(self.lines)

    def __len__(self) -> int:
        return len(self.edges)


@dataclass(frozen=True)
class Reach:
    """An isochrone: ``budget_m`` of walking from ``origin`` (m); ``snap_m`` the walk to the nearest way;
    ``node_m``: {node id: walking distance (m)} of every node reached; ``lines``: the reached stretches (m);
    ``area``: the lines buffered by ``buffer_m`` (m); ``length_m``: total reached length; ``edge_of``: for each
    line of ``lines`` (in order), the ``Edge.index`` of the network edge it lies on."""

    origin: tuple[float, float]
    budget_m: float
    snap_m: float
    node_m: dict
    lines: object
    area: object
    length_m: float
    buffer_m: float
    edge_of: tuple[int, ...] = ()


def snap(graph: WalkGraph, x: float, y: float) -> tuple[int, float, float]:
    """(edge position in ``graph.edges``, distance from (x, y) to it in m, distance along it from its u end in m)
    of the nearest walkable edge. ValidationError when the graph is empty or the point is beyond ``MAX_SNAP_M``."""
    if not len(graph):
        raise ValidationError({"streets": "the layer has no walkable ways"})
    p = Point(x, y)
    i = int(graph.tree.nearest(p))
    line = graph.lines[i]
    d = float(line.distance(p))
    if d > MAX_SNAP_M:
        raise ValidationError({"streets": f"the point is {d:.0f} m from the nearest walkable way of the layer"})
    return i, d, float(line.project(p))


def isochrone(graph: WalkGraph, origin: tuple[float, float], budget_m: float,
              buffer_m: float = OFF_STREET_BUFFER_M) -> Reach:
    """The reach along the walkable network from ``origin`` (x, y m) within ``budget_m`` metres of walking.

    Raises ValidationError when the origin is not near the network (``snap``) or the budget is negative."""
    if not budget_m >= 0:
        raise ValidationError({"budget_m": "must be a distance in metres, >= 0"})
    i, d0, s = snap(graph, *origin)
    r = budget_m - d0
    n = graph.matrix.shape[0]
    if r <= 0:
        empty = shapely.MultiLineString()
        return Reach(origin, budget_m, d0, {}, empty, Point(origin).buffer(max(budget_m, 0.0)), 0.0, buffer_m)
    L = graph.length[i]
    a, b = int(graph.eu[i]), int(graph.ev[i])
    dist = dijkstra(graph.matrix, directed=False, indices=[a, b], limit=r)
    node = np.minimum(dist[0] + s, dist[1] + (L - s))
    node[node > r] = np.inf
    ra = r - node[graph.eu]       # metres left at each edge's u end (negative or -inf: not reached)
    rb = r - node[graph.ev]
    full = (ra >= 0) & (rb >= 0) & (np.where(ra > 0, ra, 0) + np.where(rb > 0, rb, 0) >= graph.length)
    owners = np.flatnonzero(full).tolist()
    pieces = list(graph.lines[full])
    for k in np.flatnonzero(~full & ((ra > 0) | (rb > 0))).tolist():
        Lk = graph.length[k]
        if ra[k] > 0:
            pieces.append(substring(graph.lines[k], 0.0, min(ra[k], Lk)))
            owners.append(k)
        if rb[k] > 0:
            pieces.append(substring(graph.lines[k], max(Lk - rb[k], 0.0), Lk))
            owners.append(k)
    if not full[i]:   # the LKP's own edge, both ways from the snapped point
        pieces.append(substring(graph.lines[i], max(s - r, 0.0), min(s + r, L)))
        owners.append(i)
    kept = [(p, k) for p, k in zip(pieces, owners) if p.geom_type == "LineString" and p.length > 0]
    pieces = [p for p, _ in kept]
    edge_of = tuple(graph.edges[k].index for _, k in kept)
    lines = shapely.MultiLineString(pieces) if pieces else shapely.MultiLineString()
    # one buffer per piece, then one union: GEOS buffers a whole MultiLineString far more slowly (docs/streets.md)
    snap_line = shapely.LineString([origin, graph.lines[i].interpolate(s).coords[0]])
    area = shapely.union_all(shapely.buffer(np.array([*pieces, snap_line], dtype=object), buffer_m, quad_segs=2)) \
        if pieces else Point(origin).buffer(buffer_m)
    reached = {int(graph.node_ids[j]): float(d0 + node[j]) for j in np.flatnonzero(np.isfinite(node))}
    return Reach(origin, float(budget_m), d0, reached, lines, area, float(shapely.length(lines)), buffer_m, edge_of)


def network_path(graph: WalkGraph, a: tuple[float, float], b: tuple[float, float]) -> tuple[list, float]:
    """The shortest walk along the network between two points (x, y m): ``(points [(x, y), ...], length m)``,
    from ``a`` to its nearest way, along the ways, to ``b``. Raises ValidationError when a point is not near the
    network or the two are not connected. For route proposals that follow the streets (e.g. video review between
    two known points) instead of the straight line."""
    ia, da, sa = snap(graph, *a)
    ib, db, sb = snap(graph, *b)
    pa = graph.lines[ia].interpolate(sa).coords[0]
    pb = graph.lines[ib].interpolate(sb).coords[0]
    if ia == ib:   # both on one edge: along it
        piece = substring(graph.lines[ia], min(sa, sb), max(sa, sb))
        pts = list(piece.coords) if piece.geom_type == "LineString" else [pa]
        pts = pts if sa <= sb else pts[::-1]
        return [tuple(map(float, p)) for p in (a, *pts, b)], float(da + abs(sb - sa) + db)
    La, Lb = graph.length[ia], graph.length[ib]
    ends_a = ((int(graph.eu[ia]), sa), (int(graph.ev[ia]), La - sa))
    ends_b = ((int(graph.eu[ib]), sb), (int(graph.ev[ib]), Lb - sb))
    dist, pred = dijkstra(graph.matrix, directed=False, indices=[n for n, _ in ends_a], return_predecessors=True)
    best = min(((oa + dist[i, nb] + ob, i, nb) for i, (_, oa) in enumerate(ends_a) for nb, ob in ends_b),
               key=lambda x: x[0])
    total, i, nb = best
    if not np.isfinite(total):
        raise ValidationError({"path": "the two points are not connected by walkable ways"})
    nodes = [nb]
    while nodes[-1] != ends_a[i][0]:
        nodes.append(int(pred[i, nodes[-1]]))
    nodes.reverse()
    pts = [a, pa]
    pts += [_edge_points(graph, ia, ends_a[i][0] == graph.eu[ia], sa)]
    for u, v in zip(nodes, nodes[1:]):
        pts += _between(graph, u, v)
    pts.append(_edge_points(graph, ib, nb == graph.eu[ib], sb, reverse=True))
    pts += [pb, b]
    flat = []
    for p in _flatten(pts):
        p = (float(p[0]), float(p[1]))
        if not flat or p != flat[-1]:
            flat.append(p)
    return flat, float(da + total + db)


def _edge_points(graph: WalkGraph, k: int, toward_u: bool, s: float, reverse: bool = False) -> list:
    """Points of edge k from the snapped point at ``s`` to its u end (``toward_u``) or its v end; ``reverse``: from
    that end to the point."""
    line = graph.lines[k]
    piece = substring(line, 0.0, s) if toward_u else substring(line, s, graph.length[k])
    pts = list(piece.coords)
    if toward_u:
        pts = pts[::-1]
    return pts[::-1] if reverse else pts


def _between(graph: WalkGraph, u: int, v: int) -> list:
    """The points of the shortest edge from node index u to node index v, in that direction."""
    ks = np.flatnonzero(((graph.eu == u) & (graph.ev == v)) | ((graph.eu == v) & (graph.ev == u)))
    k = int(ks[np.argmin(graph.length[ks])])
    pts = list(graph.lines[k].coords)
    return pts if graph.eu[k] == u else pts[::-1]


def _flatten(items):
    for x in items:
        if isinstance(x, list):
            yield from x
        else:
            yield x
