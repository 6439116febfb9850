"""What a track counts as searched ground (core/tracks.py): accuracy, standing still, breaks, order."""
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from search_coord.core import effort, tracks

FOOT = tracks.TrackRules(sweep_width_m=20.0, max_speed_ms=7.0)


def walk(n=60, step=5.0, dt=5.0, acc=5.0, seed=1, x0=0.0, t0=0.0):
    rnd = random.Random(seed)
    x, y, heading, out = x0, 0.0, 0.0, []
    for i in range(n):
        out.append(tracks.TrackFix(x, y, t0 + i * dt, acc))
        heading += rnd.uniform(-0.3, 0.3)
        x, y = x + step * math.cos(heading), y + step * math.sin(heading)
    return out


def jitter(n=300, radius=12.0, acc=18.0, dt=2.0, seed=2, cx=0.0, cy=0.0, t0=0.0):
    """A person standing still: each fix 3-8 m from the one before, all within ``radius`` of (cx, cy)."""
    rnd = random.Random(seed)
    x, y, out = cx, cy, []
    while len(out) < n:
        a, d = rnd.uniform(0, 2 * math.pi), rnd.uniform(3, 8)
        nx, ny = x + d * math.cos(a), y + d * math.sin(a)
        if math.hypot(nx - cx, ny - cy) <= radius:
            x, y = nx, ny
            out.append(tracks.TrackFix(x, y, t0 + len(out) * dt, acc))
    return out


def test_standing_still_in_jitter_counts_nothing():
    fixes = jitter()
    assert max(math.hypot(f.x, f.y) for f in fixes) <= 12
    assert tracks.counted_length(fixes, FOOT) == 0.0
    # the README case: a 200 m x 200 m segment, foot W 20 m: POD added < 1 %
    cov = effort.coverage_from_lengths({1: tracks.counted_length(fixes, FOOT)}, {1: 200 * 200}, 20)
    assert 1 - math.exp(-cov.get(1, 0.0)) < 0.01


def test_a_walk_is_counted_close_to_its_length_and_never_more():
    fixes = walk(n=100, step=5.0, acc=5.0)
    true = sum(math.hypot(b.x - a.x, b.y - a.y) for a, b in zip(fixes, fixes[1:]))
    counted = tracks.counted_length(fixes, FOOT)
    assert 0.9 * true <= counted <= true


def test_a_fix_much_less_accurate_than_the_sweep_width_counts_for_nothing():
    street = [tracks.TrackFix(i * 10.0, 0.0, i * 5.0, 6.0) for i in range(12)]
    coarse = tracks.TrackFix(110.0, 250.0, 60.0, 1200.0)
    more = [tracks.TrackFix(120.0 + i * 10.0, 0.0, 65.0 + i * 5.0, 6.0) for i in range(12)]
    out = tracks.follow(street + [coarse] + more, FOOT)
    assert out.pieces[12] is None and not out.vertices[12]
    assert all(line.bounds[3] < 1.0 for line in out.lines)   # nothing drawn towards the coarse fix
    assert FOOT.max_accuracy_m == 40.0 and tracks.counts(tracks.TrackFix(0, 0, 0, 40.0), FOOT)
    assert not tracks.counts(tracks.TrackFix(0, 0, 0, 41.0), FOOT)
    assert tracks.TrackRules(sweep_width_m=10).max_accuracy_m == 20.0   # door to door is stricter


def test_a_jump_faster_than_the_mode_breaks_the_track():
    a = [tracks.TrackFix(0, 0, 0, 5), tracks.TrackFix(5, 0, 5, 5), tracks.TrackFix(10, 0, 10, 5)]
    spike = tracks.TrackFix(250, 0, 15, 5)        # 240 m in 5 s on foot
    b = [tracks.TrackFix(15, 0, 20, 5), tracks.TrackFix(20, 0, 25, 5)]
    lines = tracks.follow(a + [spike] + b, FOOT).lines
    assert all(line.bounds[2] <= 20 for line in lines)
    car = tracks.TrackRules(sweep_width_m=30, max_speed_ms=tracks.MAX_SPEED_MS["vehicle"])
    assert tracks.follow([tracks.TrackFix(0, 0, 0, 5), tracks.TrackFix(100, 0, 5, 5)], car).lines   # 20 m/s driving


def test_following_in_two_parts_from_the_state_equals_following_at_once():
    fixes = walk(n=80) + jitter(n=40, cx=400, t0=400) + walk(n=40, x0=400, t0=600, seed=3)
    fixes.sort(key=tracks.order_key)
    whole = sum(line.length for line in tracks.follow(fixes, FOOT).lines)
    for k in (1, 17, 80, 100, 119):
        first = tracks.follow(fixes[:k], FOOT)
        rest = tracks.follow(fixes[k:], FOOT, first.state)
        assert sum(line.length for line in first.lines + rest.lines) == pytest.approx(whole)


coords = st.floats(-300, 300, allow_nan=False)
fix_strategy = st.builds(tracks.TrackFix, coords, coords, st.floats(0, 3600, allow_nan=False),
                         st.one_of(st.none(), st.floats(1, 100, allow_nan=False)), st.integers(0, 2))


@settings(max_examples=150, deadline=None)
@given(st.lists(fix_strategy, max_size=40), st.randoms(use_true_random=False))
def test_counted_length_does_not_depend_on_arrival_order(fixes, rnd):
    shuffled = list(fixes)
    rnd.shuffle(shuffled)
    assert tracks.counted_length(shuffled, FOOT) == tracks.counted_length(fixes, FOOT)


@settings(max_examples=150, deadline=None)
@given(st.lists(fix_strategy, max_size=40))
def test_a_track_filtered_twice_equals_a_track_filtered_once(fixes):
    once = tracks.filtered(fixes, FOOT)
    assert tracks.filtered(once, FOOT) == once
    assert sum(x.length for x in tracks.follow(once, FOOT).lines) == \
        pytest.approx(tracks.counted_length(fixes, FOOT))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 200), st.floats(5, 30), st.floats(0, 1))
def test_pure_jitter_adds_no_length_and_a_stop_after_a_walk_adds_at_most_one_step(seed, n, acc, share):
    """The bound: fixes that all lie within their own accuracy of the point where the person stands add nothing;
    such a stop after a walk adds at most one step of 2 x accuracy (at least the 12 m floor) + the jitter radius
    (the walk's unfinished last step), i.e. under 1 % POD for a 4 ha segment on foot at the README's 18 m."""
    radius = acc * share
    stop = jitter(n=n, radius=max(radius, 8.5), acc=max(acc, radius, 8.5), seed=seed)
    assert tracks.counted_length(stop, FOOT) == 0.0
    moving = walk(n=30, acc=acc, seed=seed, t0=-200.0, x0=-150.0)
    end = moving[-1]
    after = [tracks.TrackFix(f.x + end.x, f.y + end.y, end.t + 2 + f.t, f.acc) for f in stop]
    extra = tracks.counted_length(moving + after, FOOT) - tracks.counted_length(moving, FOOT)
    assert extra <= 2 * max(acc, radius, 8.5, tracks.STILL_ERROR_FLOOR_M) + max(radius, 8.5) + 1e-6


def test_standing_still_counts_nothing_even_when_the_phone_claims_5_m():
    """Phones claim 3-5 m in built-up areas while a person standing still drifts 10-20 m: the 12 m floor."""
    assert tracks.counted_length(jitter(acc=5.0), FOOT) == 0.0
    assert tracks.counted_length(jitter(acc=None), FOOT) == 0.0
