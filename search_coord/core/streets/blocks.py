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
    keys = {i: _key(w) for i, w in ways.items()}
    at: dict[int, list[Edge]] = {}
    for e in net.edges:
        at.setdefault(e.u, []).append(e)
        if e.v != e.u:
            at.setdefault(e.v, []).append(e)

    major = {i: _major(w) for i, w in ways.items()}

    def boundary(node: int, edge: Edge) -> bool:
        key = keys[edge.way]
        own = [e for e in at[node] if keys[e.way] == key]
        if len(own) != 2 or any((e.walk, e.drive) != (edge.walk, edge.drive) for e in own):
            return True
        others = [e.way for e in at[node] if keys[e.way] != key]
        return any(major[o] for o in others) if major[edge.way] else bool(others)

    def crossing(node: int, way: Way) -> Names | None:
        # way ids, not Way values: hashing a Way hashes all its points
        ids = {e.way for e in at[node] if ways[e.way].name and ways[e.way].name != way.name}
        if not ids:
            return None
        best = min(ids, key=lambda i: (_RANK.get(ways[i].highway, 99), ways[i].name, i))
        return _names(ways[best])

    used: set[int] = set()
    blocks: list[Block] = []
    for first in net.edges:
        if first.index in used:
            continue
        used.add(first.index)
        chain = [(first, False)]
        # walk forward from first.v, then backward from first.u, through nodes that are no crossing
        for forward in (True, False):
            node, edge = (first.v, first) if forward else (first.u, first)
            while not boundary(node, edge):
                nxt = next((e for e in at[node] if e.index != edge.index and keys[e.way] == keys[edge.way]), None)
                if nxt is None or nxt.index in used:
                    break
                used.add(nxt.index)
                rev = nxt.v == node if forward else nxt.u == node
                chain.append((nxt, rev)) if forward else chain.insert(0, (nxt, rev))
                node = (nxt.u if rev else nxt.v) if forward else (nxt.v if rev else nxt.u)
                edge = nxt
        blocks.append(_block(len(blocks), chain, ways, crossing))
    return blocks


def _block(index: int, chain: Sequence[tuple[Edge, bool]], ways, crossing) -> Block:
    pts: list[tuple[float, float]] = []
    for e, rev in chain:
        seg = list(reversed(e.xy)) if rev else list(e.xy)
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
