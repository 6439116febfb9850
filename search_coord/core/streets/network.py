"""Street ways as values and the graph they make, in metres.

A ``Way`` is one street centreline (an OSM way, or a line of a station's GeoJSON) with the ids of its vertices'
nodes: two ways that share a node id meet there (OSM node ids; for GeoJSON, ``node_key`` of the rounded
coordinates). ``classify`` decides from OSM tags whether a way may be walked and driven; ``Network`` splits the ways
at every node shared by two ways (or visited twice by one) into graph edges.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

#: Highway values that are streets or paths people move along (OSM wiki "Key:highway"); others (construction,
#: proposed, platform, bus_stop, corridor inside buildings...) are not part of the layer.
DRIVABLE_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service", "road", "track"})
FOOT_ONLY_HIGHWAYS = frozenset({"footway", "pedestrian", "path", "steps", "cycleway", "bridleway"})
#: Ways nobody walks along (OSM: foot=no is implied on motorways and, in most countries, trunk links).
NO_FOOT_HIGHWAYS = frozenset({"motorway", "motorway_link"})
_NO = frozenset({"no", "private"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official", "destination"})


def classify(tags: Mapping[str, str]) -> tuple[bool, bool] | None:
    """(walkable, drivable) for a way's OSM tags, or None when it is not a street or path.

    Walkable: a path kind, or a road where pedestrians are not excluded (``foot=no``, ``access=no|private`` without
    a ``foot=yes``, motorways). Drivable: a road kind (not a footway, path or steps) without ``access`` or
    ``motor_vehicle``/``vehicle`` = no|private, and not ``area=yes`` squares. Source: OSM wiki Key:highway,
    Key:access, Key:foot (the default access restrictions for the "default" country table)."""
    highway = tags.get("highway")
    if highway is None or highway not in DRIVABLE_HIGHWAYS | FOOT_ONLY_HIGHWAYS:
        return None
    if tags.get("area") == "yes" and highway != "pedestrian":
        return None
    access = tags.get("access")
    foot = tags.get("foot")
    if foot in _FOOT_YES:
        walkable = True
    elif foot in _NO or highway in NO_FOOT_HIGHWAYS:
        walkable = False
    else:
        walkable = access not in _NO
    motor = tags.get("motor_vehicle", tags.get("vehicle"))
    drivable = highway in DRIVABLE_HIGHWAYS and access not in _NO and motor not in _NO
    if not walkable and not drivable:
        return None
    return walkable, drivable


def node_key(lon: float, lat: float) -> int:
    """A node id for a GeoJSON vertex: its coordinates rounded to 1e-7° (about 1 cm), negative so that it never
    equals an OSM node id; two lines that share a vertex share its key."""
    a = int(round((lon + 180.0) * 1e7))
    b = int(round((lat + 90.0) * 1e7))
    return -(a * 2_000_000_000 + b) - 1


@dataclass(frozen=True)
class Way:
    """One street centreline: ``nodes`` its vertices' node ids, ``xy`` their positions in metres (same length,
    ≥ 2), names (``name``: the local name; ``name_zh``, ``name_en`` when the data has them), ``highway`` kind."""

    id: int
    nodes: tuple[int, ...]
    xy: tuple[tuple[float, float], ...]
    highway: str
    walk: bool
    drive: bool
    name: str | None = None
    name_zh: str | None = None
    name_en: str | None = None

    def __post_init__(self):
        if len(self.nodes) != len(self.xy) or len(self.nodes) < 2:
            raise ValueError(f"way {self.id}: needs as many node ids as points, at least two")


@dataclass(frozen=True)
class Edge:
    """A piece of one way between two graph nodes (``u``, ``v``: node ids) with its points (m) and length (m)."""

    index: int
    way: int
    u: int
    v: int
    xy: tuple[tuple[float, float], ...]
    length: float
    walk: bool
    drive: bool


def polyline_length(xy: Sequence[tuple[float, float]]) -> float:
    """Length (m) of a polyline in metres (plain Python: these are a few points each, numpy costs more here)."""
    return math.fsum(math.dist(a, b) for a, b in zip(xy, xy[1:]))


def junction_nodes(ways: Iterable[Way]) -> set[int]:
    """Nodes where the graph branches: shared by two ways, visited twice by one way, or a way's end."""
    seen: dict[int, int] = {}
    ends: set[int] = set()
    for w in ways:
        ends.update((w.nodes[0], w.nodes[-1]))
        for n in w.nodes:
            seen[n] = seen.get(n, 0) + 1
    return ends | {n for n, c in seen.items() if c > 1}


@dataclass(frozen=True)
class Network:
    """The ways and the graph edges they make (split at every junction node)."""

    ways: Mapping[int, Way]
    edges: tuple[Edge, ...]
    junctions: frozenset[int] = field(default_factory=frozenset)


def build_network(ways: Iterable[Way]) -> Network:
    """Split every way at its junction nodes into edges (zero-length pieces dropped)."""
    ways = list(ways)
    junctions = junction_nodes(ways)
    pieces: list[tuple[Way, int, int]] = []
    for w in ways:
        start = 0
        for i in range(1, len(w.nodes)):
            if w.nodes[i] in junctions or i == len(w.nodes) - 1:
                pieces.append((w, start, i))
                start = i
    lengths = _lengths([w.xy[a:b + 1] for w, a, b in pieces])
    edges: list[Edge] = []
    for (w, a, b), length in zip(pieces, lengths):
        if length > 0 and (w.nodes[a] != w.nodes[b] or b - a > 1):
            edges.append(Edge(len(edges), w.id, w.nodes[a], w.nodes[b], tuple(w.xy[a:b + 1]), length, w.walk, w.drive))
    return Network({w.id: w for w in ways}, tuple(edges), frozenset(junctions))


def _lengths(polylines: list) -> list[float]:
    """Lengths (m) of many polylines at once (numpy over all their points)."""
    if not polylines:
        return []
    counts = np.array([len(p) for p in polylines])
    xy = np.array([c for p in polylines for c in p], dtype=float)
    step = np.hypot(*np.diff(xy, axis=0).T)
    ends = np.cumsum(counts)
    step = np.append(step, 0.0)
    step[ends - 1] = 0.0     # no step from one polyline's last point to the next one's first
    return np.add.reduceat(step, ends - counts).tolist()


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
