"""Coverage per street block: which stretches of which blocks a team's counted track passed, and what that is worth.

Each block is cut into bins of ``BIN_M`` metres; a bin is passed when its midpoint lies within the mode's sweep
width W of a counted line of the track (``core/tracks.py`` already decides which fixes count: a fix only counts
when its 95 % accuracy is ≤ 2 × W, and the counted line lies within about one W of the line walked; matching
within W therefore neither misses the street walked nor takes the parallel street one block away, ≥ 2 W off).
A block's share passed is its passed bins over all bins; its status is ``not`` (nothing), ``partly`` or
``searched`` (≥ ``SEARCHED_SHARE``).

POD by mode (docs/streets.md): a pass along a street searches the street corridor (the reach's off-street strip,
2 × ``OFF_STREET_BUFFER_M`` wide) with a detection width that depends on how it is searched: on foot one sees the
street, doorways and front yards; from a car at 30-50 km/h, at night, the roadway and pavement in the headlights
only. Coverage C = share · W_d / corridor and POD = 1 − e^(−C) (docs/science.md §2, exponential detection). No
published urban W exists (SCIENCE.md §2, §6): ``STREET_DETECTION_WIDTH_M`` are estimates to be replaced by
measured ones.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString

from .blocks import Block
from .reach import OFF_STREET_BUFFER_M, lines_of

BIN_M = 10.0
SEARCHED_SHARE = 0.8
CORRIDOR_M = 2 * OFF_STREET_BUFFER_M
#: Estimated effective detection width (m) of one pass along a street, per mode (see the module docstring).
STREET_DETECTION_WIDTH_M = {"foot": 20.0, "door_to_door": 26.0, "vehicle": 8.0}
STATUSES = ("not", "partly", "searched")


def bin_count(length_m: float) -> int:
    return max(1, int(math.ceil(length_m / BIN_M)))


class BlockIndex:
    """Blocks (metres) behind an STR-tree with the midpoints of their bins, for matching tracks. Read-only."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = tuple(blocks)
        self.lines = lines_of([b.xy for b in self.blocks])
        self.tree = STRtree(self.lines)
        counts = np.array([bin_count(b.length) for b in self.blocks], dtype=np.int64)
        lengths = np.array([b.length for b in self.blocks])
        owner = np.repeat(np.arange(len(self.blocks)), counts)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
        k = np.arange(int(counts.sum())) - np.repeat(start, counts)
        points = shapely.line_interpolate_point(self.lines[owner], (k + 0.5) * (lengths / counts)[owner]) \
            if len(owner) else np.array([], dtype=object)
        self.bins = np.split(points, np.cumsum(counts)[:-1]) if len(counts) else []

    def match(self, lines: Iterable[LineString], width_m: float,
              keep: Callable[[Block], bool] | None = None) -> dict[int, set[int]]:
        """{block index: {bin numbers passed}} by the counted ``lines`` (m) within ``width_m`` (the mode's W).
        ``keep``: only blocks it accepts (e.g. drivable ones for a vehicle), None: all."""
        out: dict[int, set[int]] = {}
        lines = [ln for ln in lines if ln is not None and not ln.is_empty]
        if not lines:
            return out
        track = shapely.MultiLineString(lines) if len(lines) > 1 else lines[0]
        near = [p for p in self.tree.query(track, predicate="dwithin", distance=width_m).tolist()
                if keep is None or keep(self.blocks[p])]
        if not near:
            return out
        # every candidate's bin midpoints tested in one call
        points = np.concatenate([self.bins[p] for p in near])
        owner = np.repeat(np.array(near), [len(self.bins[p]) for p in near])
        first = np.concatenate([[0], np.cumsum([len(self.bins[p]) for p in near])[:-1]])
        start = np.repeat(first, [len(self.bins[p]) for p in near])
        shapely.prepare(track)
        hit = np.flatnonzero(shapely.dwithin(points, track, width_m))
        for pos, k in zip(owner[hit].tolist(), (hit - start[hit]).tolist()):
            out.setdefault(self.blocks[pos].index, set()).add(k)
        return out


def merge_bins(stored: str | None, n: int, passed: Iterable[int]) -> str:
    """A block's passed bins as a string of '0'/'1' (one per bin) with ``passed`` added."""
    bits = list(stored if stored and len(stored) == n else "0" * n)
    for i in passed:
        if 0 <= i < n:
            bits[i] = "1"
    return "".join(bits)


def share(bits: str) -> float:
    return bits.count("1") / len(bits) if bits else 0.0


def status(share_passed: float) -> str:
    if share_passed <= 0:
        return "not"
    return "searched" if share_passed >= SEARCHED_SHARE else "partly"


def pod(share_passed: float, mode: str) -> float:
    """POD of a block from the share of it passed in ``mode`` (C = share·W_d/corridor, POD = 1 − e^(−C))."""
    width = STREET_DETECTION_WIDTH_M.get(mode, STREET_DETECTION_WIDTH_M["foot"])
    return 1.0 - math.exp(-max(0.0, min(1.0, share_passed)) * width / CORRIDOR_M)


def combined_pod(pods: Iterable[float]) -> float:
    """Cumulative POD of independent passes by several modes: 1 − Π(1 − PODᵢ) (docs/science.md §2)."""
    rest = 1.0
    for p in pods:
        rest *= 1.0 - p
    return 1.0 - rest
