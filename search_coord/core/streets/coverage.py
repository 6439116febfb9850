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
from .reach import OFF_STREET_BUFFER_M

BIN_M = 10.0
SEARCHED_SHARE = 0.8
CORRIDOR_M = 2 * OFF_STREET_BUFFER_M
#: Estimated effective detection width (m) of one pass along a street, per mode (see the module docstring).
STREET_DETECTION_WIDTH_M = {"foot": 20.0, "door_to_door": 26.0, "vehicle": 8.0}
STATUSES = ("not", "partly", "searched")


def bin_count(length_m: float) -> int:
    return max(1, int(math.ceil(length_m / BIN_M)))


class BlockIndex:
    """Blocks (metres) behind an STR-tree with the midpoints of their bins, for matching tracks. Read-only.

    The bins' midpoints are computed for every block at once with numpy (interpolated along each block's points)
    and kept as one (n, 2) array; ``match`` makes shapely points only of the candidate blocks' bins."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = tuple(blocks)
        sizes = np.array([len(b.xy) for b in self.blocks], dtype=np.int64)
        xy = np.array([c for b in self.blocks for c in b.xy], dtype=float).reshape(-1, 2)
        self.lines = np.asarray(shapely.linestrings(xy, indices=np.repeat(np.arange(len(sizes)), sizes)),
                                dtype=object) if len(sizes) else np.array([], dtype=object)
        self.tree = STRtree(self.lines)
        lengths = np.array([b.length for b in self.blocks], dtype=float)
        counts = np.maximum(1, np.ceil(lengths / BIN_M)).astype(np.int64) if len(sizes) else sizes
        self.bin_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(sizes) else sizes
        self.bin_count = counts
        self.bin_xy = _bin_points(xy, sizes, lengths, counts)

    def bins(self, position: int) -> np.ndarray:
        """The (n, 2) midpoints (m) of the bins of the block at ``position``."""
        a = int(self.bin_start[position])
        return self.bin_xy[a:a + int(self.bin_count[position])]

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
        near_a = np.array(near, dtype=np.int64)
        n = self.bin_count[near_a]
        owner = np.repeat(near_a, n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        points = shapely.points(self.bin_xy[self.bin_start[owner] + k])
        shapely.prepare(track)
        hit = np.flatnonzero(shapely.dwithin(points, track, width_m))
        for pos, b in zip(owner[hit].tolist(), k[hit].tolist()):
            out.setdefault(self.blocks[pos].index, set()).add(b)
        return out


def _bin_points(xy: np.ndarray, sizes: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Midpoints (m) of every block's bins: bin k of a block of length L cut in n bins lies (k + ½)·L/n along it.
    ``xy``: all blocks' points one after the other (``sizes`` each)."""
    if not len(sizes):
        return np.zeros((0, 2))
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    step = np.hypot(*np.diff(xy, axis=0).T) if len(xy) > 1 else np.zeros(0)
    step[first[1:] - 1] = 0.0                    # no step from one block's last point to the next one's first
    cum = np.concatenate([[0.0], np.cumsum(step)])
    owner = np.repeat(np.arange(len(sizes)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    target = cum[first[owner]] + (k + 0.5) * (lengths / counts)[owner]
    seg = np.searchsorted(cum, target, side="right") - 1
    seg = np.clip(seg, first[owner], first[owner] + sizes[owner] - 2)   # a segment of the block itself
    seg_len = cum[seg + 1] - cum[seg]
    frac = np.clip(np.divide(target - cum[seg], seg_len, out=np.zeros_like(target), where=seg_len > 0), 0.0, 1.0)
    return xy[seg] + frac[:, None] * (xy[seg + 1] - xy[seg])


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
