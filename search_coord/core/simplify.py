"""Tracks simplified for display: which of an officer's fixes a map needs to draw the line within a tolerance.

A long night is 50 officers x a fix every 5 s x 4 h = 144,000 fixes. A map at zoom 16 (1.8 m a pixel at 40 deg N)
cannot show a wiggle smaller than a pixel, so the snapshot a map opens with carries, per line the map would draw,
only the Douglas-Peucker vertices (Ramer 1972, "An iterative procedure for the polygonal approximation of plane
curves"; Douglas & Peucker 1973, Cartographica 10(2)) at ``DISPLAY_TOLERANCE_M`` in metres on the local projection,
computed by GEOS (shapely.simplify, ``preserve_topology=False`` is exactly that algorithm). The kept fixes are a
subset of the stored ones (same times, same places), so full detail fetched later replaces them one for one.

The lines are the ones the maps draw (static/js/map/base.js ``trackPieces``): fixes of one key (one device's piece
of counted track) in time order, broken after a silence of more than ``TRACK_GAP_S``; a fix without a key (too coarse
to count) is never part of a line and is dropped, except the officer's last fix, always kept (it is where the
officer is shown).
"""
from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np
import shapely

#: Two fixes further apart in time than this are not joined by a line (the maps' rule: map/base.js TRACK_GAP_S).
TRACK_GAP_S = 120.0
#: The snapshot's tolerance: about a pixel at zoom 16 (1.8 m) and half one at zoom 15; maps load full detail nearer in.
DISPLAY_TOLERANCE_M = 2.0


def display_indices(x: Sequence[float], y: Sequence[float], t_s: Sequence[float], keys: Sequence[Hashable | None],
                    tolerance_m: float = DISPLAY_TOLERANCE_M) -> np.ndarray:
    """The indices (ascending) of one officer's fixes a map needs to draw every line within ``tolerance_m``.

    ``x``, ``y``: the fixes in metres (a local projection); ``t_s``: their times in seconds; ``keys``: the key each
    is joined by (None: too coarse, never joined); all of one length, in time order. Kept: the first and last fix of
    every line and its Douglas-Peucker vertices at ``tolerance_m``, a line of one or two fixes whole, the last fix
    overall, and enough fixes between that no two kept ones of a line are more than ``TRACK_GAP_S`` apart.
    Raises ValueError on arrays of different lengths or a negative tolerance.
    """
    n = len(t_s)
    if not (len(x) == len(y) == len(keys) == n):
        raise ValueError("x, y, t_s and keys must be of one length")
    if tolerance_m < 0:
        raise ValueError("tolerance_m must be 0 or more")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    codes_of: dict = {}
    codes = np.fromiter((-1 if k is None else codes_of.setdefault(k, len(codes_of)) for k in keys), dtype=np.int64,
                        count=n)
    return np.union1d(line_indices(x, y, t_s, codes, tolerance_m), [n - 1])


def line_indices(x: Sequence[float], y: Sequence[float], t_s: Sequence[float], codes: np.ndarray,
                 tolerance_m: float = DISPLAY_TOLERANCE_M) -> np.ndarray:
    """``display_indices`` with the keys given as integer codes (``codes``: int array, -1 for a fix too coarse to be
    joined) and without the last fix added: the indices (ascending) of the fixes the lines need, for many
    officers' tracks at once when their codes never meet (services/track_display.py codes by officer, device and
    piece). Raises ValueError on arrays of different lengths or a negative tolerance."""
    n = len(t_s)
    if not (len(x) == len(y) == len(codes) == n):
        raise ValueError("x, y, t_s and codes must be of one length")
    if tolerance_m < 0:
        raise ValueError("tolerance_m must be 0 or more")
    codes = np.asarray(codes, dtype=np.int64)
    t = np.asarray(t_s, dtype=float)
    joined = np.flatnonzero(codes >= 0)
    keep = [np.zeros(0, dtype=np.int64)]
    if joined.size:
        order = joined[np.lexsort((t[joined], codes[joined]))]  # by key, then time (stable)
        c, tt = codes[order], t[order]
        starts = np.ones(order.size, dtype=bool)
        starts[1:] = (c[1:] != c[:-1]) | ((tt[1:] - tt[:-1]) > TRACK_GAP_S)
        line = np.cumsum(starts) - 1
        sizes = np.bincount(line)
        small = sizes[line] < 3  # lines of one or two fixes are kept whole
        keep.append(order[small])
        big = order[~small]
        if big.size:
            # one linestring per line, z carrying each fix's index through the simplification
            ids = np.unique(line[~small], return_inverse=True)[1]
            coords = np.column_stack((np.asarray(x, dtype=float)[big], np.asarray(y, dtype=float)[big],
                                      big.astype(float)))
            lines = shapely.linestrings(coords, indices=ids)
            kept = shapely.get_coordinates(shapely.simplify(lines, tolerance_m, preserve_topology=False),
                                           include_z=True)
            kept_idx = kept[:, 2].astype(np.int64)
            keep.append(kept_idx)
            is_kept = np.zeros(n, dtype=bool)
            is_kept[kept_idx] = True
            keep.append(_no_long_gaps(order, line, tt, np.flatnonzero(is_kept[order])))
    return np.unique(np.concatenate(keep))


def _no_long_gaps(order: np.ndarray, line: np.ndarray, tt: np.ndarray, kept_pos: np.ndarray) -> np.ndarray:
    """The fixes to add so that no two kept fixes next to each other on a line are more than TRACK_GAP_S apart (a
    map would break the line there: a straight walk simplifies to its two ends, minutes apart). ``order``: fix
    indices by line and time; ``line``, ``tt``: each position's line and time; ``kept_pos``: kept positions, sorted.
    Greedy: from each kept fix, the furthest fix within TRACK_GAP_S, until the next kept one is in reach."""
    a, b = kept_pos[:-1], kept_pos[1:]
    long = np.flatnonzero((line[a] == line[b]) & ((tt[b] - tt[a]) > TRACK_GAP_S))
    added = []
    for i in long.tolist():
        start, end = int(a[i]), int(b[i])
        cur = start
        while tt[end] - tt[cur] > TRACK_GAP_S:
            cur = start + int(np.searchsorted(tt[start:end + 1], tt[cur] + TRACK_GAP_S, side="right")) - 1
            added.append(order[cur])
    return np.array(added, dtype=np.int64)
