"""Named blocks: a street between two crossings ("Mannerheimintie: Kaivokatu – Simonkatu, 420 m").

A block is a maximal chain of graph edges of one street (ways of the same name; an unnamed way is a street of its
own) between two nodes where the street meets another street. What counts as a crossing for a block:
- any node where a *named or drivable* way of another street meets it (a footpath without a name that crosses a
  named street does not cut it into pieces: radio names would become meaningless);
- for an unnamed way (a footpath, a service road), any node where another way meets it;
- a dead end, a fork of the street itself (three or more of its own edges), and a change between walkable and
  drivable (so that a block is walked, or driven, all along).
Every edge belongs to exactly one block; every block is split at every crossing (tests/core/test_streets_blocks.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .network import Edge, Network, Way

#: Ranking of highway kinds for naming a crossing after the most important street that meets there.
_RANK = {h: i for i, h in enumerate((
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
    "pedestrian", "service", "road", "track", "cycleway", "footway", "path", "steps", "bridleway"))}


@dataclass(frozen=True)
class Names:
    """A street's names: ``local`` (OSM ``name``), ``zh`` and ``en`` when the data has them (None otherwise)."""

    local: str | None
    zh: str | None = None
    en: str | None = None

    def pick(self, lang: str = "") -> str | None:
        """The name in ``lang`` ("zh"/"zh-CN", "en") when there is one, else the local name."""
        if lang.startswith("zh") and self.zh:
            return self.zh
        if lang.startswith("en") and self.en:
            return self.en
        return self.local or self.zh or self.en


@dataclass(frozen=True)
class Block:
    """One block: ``index`` in the layer, the street's names and highway kind, the crossings' names at each end
    (None: a dead end or an unnamed crossing), its points in metres, length (m), edge indices, walk/drive."""

    index: int
    street: Names
    highway: str
    way: int
    start: Names | None
    end: Names | None
    u: int
    v: int
    xy: tuple[tuple[float, float], ...]
    length: float
    edges: tuple[int, ...]
    walk: bool
    drive: bool


def _key(way: Way) -> str:
    return f"name:{way.name}" if way.name else f"way:{way.id}"


def _major(way: Way) -> bool:
    return bool(way.name) or way.drive


def _names(way: Way) -> Names:
    return Names(way.name, way.name_zh, way.name_en)


def split_blocks(net: Network) -> list[Block]:
    """The network's blocks (see the module docstring), in a stable order (by the first edge's index)."""
    ways = net.ways
    edges = net.edges
    key_of: dict[str, int] = {}
    way_key = {i: key_of.setdefault(_key(w), len(key_of)) for i, w in ways.items()}
    way_major = {i: _major(w) for i, w in ways.items()}
    # per edge (by position): its street's key, walk/drive, and whether its way is major
    ekey = [way_key[e.way] for e in edges]
    ewd = [e.walk * 2 + e.drive for e in edges]
    emajor = [way_major[e.way] for e in edges]
    at: dict[int, list[int]] = {}
    for k, e in enumerate(edges):
        at.setdefault(e.u, []).append(k)
        if e.v != e.u:
            at.setdefault(e.v, []).append(k)

    def boundary(node: int, k: int) -> bool:
        key, wd = ekey[k], ewd[k]
        own, other, other_major = 0, False, False
        for j in at[node]:
            if ekey[j] == key:
                own += 1
                if ewd[j] != wd:
                    return True
            else:
                other = True
                other_major = other_major or emajor[j]
        if own != 2:
            return True
        return other_major if emajor[k] else other

    crossings: dict[tuple[int, str | None], Names | None] = {}

    def crossing(node: int, way: Way) -> Names | None:
        ck = (node, way.name)
        if ck in crossings:
            return crossings[ck]
        # way ids, not Way values: hashing a Way hashes all its points
        ids = {edges[j].way for j in at[node] if ways[edges[j].way].name and ways[edges[j].way].name != way.name}
        best = min(ids, key=lambda i: (_RANK.get(ways[i].highway, 99), ways[i].name, i)) if ids else None
        crossings[ck] = value = _names(ways[best]) if best is not None else None
        return value

    used = [False] * len(edges)
    blocks: list[Block] = []
    for k0, first in enumerate(edges):
        if used[k0]:
            continue
        used[k0] = True
        ahead: list[tuple[Edge, bool]] = []
        behind: list[tuple[Edge, bool]] = []
        # walk forward from first.v, then backward from first.u, through nodes that are no crossing
        for forward in (True, False):
            node, k = (first.v, k0) if forward else (first.u, k0)
            while not boundary(node, k):
                key = ekey[k]
                nxt = next((j for j in at[node] if j != k and ekey[j] == key), None)
                if nxt is None or used[nxt]:
                    break
                used[nxt] = True
                e = edges[nxt]
                rev = e.v == node if forward else e.u == node
                (ahead if forward else behind).append((e, rev))
                node = (e.u if rev else e.v) if forward else (e.v if rev else e.u)
                k = nxt
        behind.reverse()
        blocks.append(_block(len(blocks), behind + [(first, False)] + ahead, ways, crossing))
    return blocks


def _block(index: int, chain: Sequence[tuple[Edge, bool]], ways, crossing) -> Block:
    if len(chain) == 1:   # most blocks are one edge
        pts = chain[0][0].xy[::-1] if chain[0][1] else chain[0][0].xy
    else:
        pts = []
        for e, rev in chain:
            seg = e.xy[::-1] if rev else e.xy
            pts.extend(seg if not pts else seg[1:])
    e0, r0 = chain[0]
    e1, r1 = chain[-1]
    u = e0.v if r0 else e0.u
    v = e1.u if r1 else e1.v
    way = ways[e0.way]
    return Block(index=index, street=_names(way), highway=way.highway, way=way.id,
                 start=crossing(u, way), end=crossing(v, way), u=u, v=v, xy=tuple(pts),
                 length=sum(e.length for e, _ in chain), edges=tuple(e.index for e, _ in chain), walk=e0.walk,
                 drive=e0.drive)


def label(block: Block, lang: str = "") -> str:
    """A radio-friendly name: "Street: A – B, 420 m" (names in ``lang`` where the data has them; an unnamed way
    is called by its kind, e.g. "footway"; an end with no named crossing is "…")."""
    street = block.street.pick(lang) or block.highway
    a = block.start.pick(lang) if block.start else None
    b = block.end.pick(lang) if block.end else None
    return f"{street}: {a or '…'} – {b or '…'}, {round(block.length):d} m"
