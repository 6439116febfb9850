"""Tracks simplified for display (core/simplify.py): every dropped fix lies within the tolerance of the line drawn,
lines are simplified one by one (keys, silences), coarse fixes are dropped but the last fix is always kept."""
import math
import random

import numpy as np
import pytest
import shapely

from search_coord.core.simplify import TRACK_GAP_S, display_indices


def _walk(n, seed=3, step=6.0, turn=0.3):
    rnd = random.Random(seed)
    x = y = heading = 0.0
    xs, ys = [], []
    for _ in range(n):
        heading += rnd.gauss(0, turn)
        x, y = x + step * math.cos(heading), y + step * math.sin(heading)
        xs.append(x)
        ys.append(y)
    return xs, ys


def test_a_straight_walk_keeps_its_ends_only():
    xs = [float(i) for i in range(100)]
    keep = display_indices(xs, [0.0] * 100, [1.0 * i for i in range(100)], ["a"] * 100, 1.0)
    assert keep.tolist() == [0, 99]


@pytest.mark.parametrize("tol", [0.5, 2.0, 5.0])
def test_every_dropped_fix_lies_within_the_tolerance_of_the_drawn_line(tol):
    xs, ys = _walk(2000)
    keep = display_indices(xs, ys, [5.0 * i for i in range(2000)], ["a"] * 2000, tol)
    assert keep[0] == 0 and keep[-1] == 1999 and 2 < len(keep) < 2000
    assert np.all(np.diff(keep) > 0)
    drawn = shapely.LineString(np.column_stack((np.array(xs)[keep], np.array(ys)[keep])))
    dist = shapely.distance(drawn, shapely.points(np.column_stack((xs, ys))))
    assert dist.max() <= tol + 1e-6
    # a coarser tolerance keeps fewer fixes
    assert len(display_indices(xs, ys, [5.0 * i for i in range(2000)], ["a"] * 2000, tol * 4)) < len(keep)


def test_lines_are_simplified_apart_keys_and_silences_break_them():
    xs = [float(i) for i in range(30)]
    ys = [0.0] * 30
    t = [5.0 * i for i in range(30)]
    t[15:] = [x + TRACK_GAP_S + 1 for x in t[15:]]   # a silence after fix 14
    keys = ["a"] * 30
    keep = display_indices(xs, ys, t, keys, 1.0).tolist()
    assert keep == [0, 14, 15, 29]
    # two devices interleaved in time: each line keeps its own ends, not one zigzag between them
    keys2 = ["a" if i % 2 == 0 else "b" for i in range(30)]
    ys2 = [0.0 if i % 2 == 0 else 50.0 for i in range(30)]
    keep2 = display_indices(xs, ys2, [3.0 * i for i in range(30)], keys2, 1.0).tolist()
    assert keep2 == [0, 1, 28, 29]


def test_coarse_fixes_are_dropped_but_the_last_fix_is_kept_and_short_lines_whole():
    xs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    keys = ["a", None, "a", "b", "b", None]
    keep = display_indices(xs, [0.0] * 6, [0, 5, 10, 15, 20, 25], keys, 1.0).tolist()
    assert keep == [0, 2, 3, 4, 5]   # the coarse fix 1 dropped; 5 is the officer's last: kept
    assert display_indices([], [], [], [], 1.0).tolist() == []


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        display_indices([0.0], [0.0, 1.0], [0.0], ["a"])
    with pytest.raises(ValueError):
        display_indices([0.0], [0.0], [0.0], ["a"], -1.0)


def test_a_long_straight_walk_keeps_a_fix_every_gap_so_the_map_draws_one_line():
    # 100 fixes 30 s apart on a straight line: Douglas-Peucker alone keeps the two ends, 49.5 min apart, and a map
    # breaks a line after TRACK_GAP_S of silence; so a fix at most TRACK_GAP_S after the previous one is kept too
    n = 100
    t = [30.0 * i for i in range(n)]
    keep = display_indices([float(i) for i in range(n)], [0.0] * n, t, ["a"] * n, 2.0)
    times = [t[i] for i in keep]
    assert keep[0] == 0 and keep[-1] == n - 1
    assert max(b - a for a, b in zip(times, times[1:])) <= TRACK_GAP_S
    assert len(keep) <= n * 30 / TRACK_GAP_S + 2   # and no more than that
