"""Search-theory formulas against worked examples (docs/science.md §2) and their invariants (hypothesis)."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_coord.core import behaviour
from search_coord.core.errors import ProbabilityError, UnknownCategoryError
from search_coord.core.probability import (coverage, cumulative_pod, mattson, optimal_allocation, overall_pos,
                                           pod_from_coverage, posterior)


def _c(pod: float) -> float:
    """The coverage that gives ``pod`` (POD = 1 - e^-C)."""
    return math.inf if pod == 1 else -math.log1p(-pod)


def test_coverage_worked_example():
    # 10 m sweep width, 5 km of track in a 250 m x 200 m block: C = 10*5000/50000 = 1.
    assert coverage(10, 5000, 50_000) == pytest.approx(1.0)
    assert pod_from_coverage(1.0) == pytest.approx(1 - math.exp(-1))  # 0.632
    assert pod_from_coverage(0) == 0


@pytest.mark.parametrize("args", [(-1, 1, 1), (1, -1, 1), (1, 1, 0), (float("nan"), 1, 1), (True, 1, 1)])
def test_coverage_rejects_bad_arguments(args):
    with pytest.raises(ProbabilityError):
        coverage(*args)


def test_cumulative_pod_equals_summed_coverage():
    # Two efforts of C=0.5 and C=1.0: 1-(e^-0.5)(e^-1) = 1-e^-1.5.
    pods = [pod_from_coverage(0.5), pod_from_coverage(1.0)]
    assert cumulative_pod(pods) == pytest.approx(pod_from_coverage(1.5))
    assert cumulative_pod([0.5, 0.5]) == pytest.approx(0.75)
    with pytest.raises(ProbabilityError):
        cumulative_pod([1.2])


def test_posterior_sarbc_worked_example():
    # A=0.5, B=0.3, ROW=0.2; A searched with POD 0.6: OPOS = 0.3; A' = 0.2/0.7, B' = 0.3/0.7, ROW' = 0.2/0.7.
    post, row = posterior({"A": 0.5, "B": 0.3}, 0.2, {"A": _c(0.6)})
    assert post == pytest.approx({"A": 0.2 / 0.7, "B": 0.3 / 0.7}) and row == pytest.approx(0.2 / 0.7)
    assert overall_pos({"A": 0.5, "B": 0.3}, {"A": 0.6}) == pytest.approx(0.3)


def test_posterior_matches_coopers_single_segment_formula():
    poa_a, p = 0.4, 0.7
    post, _ = posterior({"A": poa_a, "B": 0.35}, 0.25, {"A": _c(p)})
    assert post["A"] == pytest.approx(poa_a * (1 - p) / (poa_a * (1 - p) + 1 - poa_a))
    assert post["B"] == pytest.approx(0.35 * (1 - post["A"]) / (1 - poa_a))


def test_posterior_keys_are_the_segments_ids_and_row_stands_apart():
    post, row = posterior({1: 0.5, 2: 0.3}, 0.2, {1: 1.0})
    assert set(post) == {1, 2}
    assert math.fsum(post.values()) + row == pytest.approx(1.0)
    assert post[1] == pytest.approx(0.5 * math.exp(-1) / (0.5 * math.exp(-1) + 0.5))


@pytest.mark.parametrize("poa, row, cov, message", [
    ({"A": 0.8}, 0.2, {"Z": 0.5}, "no POA"),
    ({"A": 0.8}, 1.5, {}, "between 0 and 1"),
    ({"A": 1.5}, 0.2, {}, "between 0 and 1"),
    ({"A": 0.8}, 0.2, {"A": -1}, ">= 0"),
    ({"A": 1.0}, 0.0, {"A": math.inf}, "exhausted"),
])
def test_posterior_refuses_bad_input(poa, row, cov, message):
    with pytest.raises(ProbabilityError, match=message):
        posterior(poa, row, cov)


def test_mattson_average():
    out = mattson([{"A": 60, "B": 30, "ROW": 10}, {"A": 40, "B": 40, "ROW": 20}])
    assert out == pytest.approx({"A": 0.5, "B": 0.35, "ROW": 0.15})
    with pytest.raises(ProbabilityError, match="exactly 100"):
        mattson([{"A": 60, "ROW": 30}])
    with pytest.raises(ProbabilityError, match="ROW"):
        mattson([{"A": 100}])


def test_optimal_allocation_worked_example():
    # Two 1 ha cells, densities 0.6/1e4 and 0.2/1e4, effort 2e4 m²: z_A - z_B = ln 3, z_A + z_B = 2
    # -> z_A = 1 + ln3/2 = 1.549, z_B = 0.451; posterior densities equal.
    z = optimal_allocation({"A": 0.6, "B": 0.2, "ROW": 0.2}, {"A": 1e4, "B": 1e4}, 2e4)
    assert z["A"] == pytest.approx(1 + math.log(3) / 2) and z["B"] == pytest.approx(1 - math.log(3) / 2)
    assert 0.6 * math.exp(-z["A"]) == pytest.approx(0.2 * math.exp(-z["B"]))
    # Little effort goes only to the densest cell.
    z = optimal_allocation({"A": 0.6, "B": 0.2, "ROW": 0.2}, {"A": 1e4, "B": 1e4}, 1e3)
    assert z["B"] == 0 and z["A"] == pytest.approx(0.1)
    assert optimal_allocation({"A": 0.5, "ROW": 0.5}, {"A": 1e4}, 0) == {"A": 0.0}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0.01, 1), min_size=2, max_size=8), st.lists(st.floats(0, 1), min_size=8, max_size=8))
def test_poa_plus_row_sums_to_one_after_any_update(weights, pods):
    total = sum(weights)
    poa = {f"S{i}": w / total for i, w in enumerate(weights[:-1])}
    row0 = weights[-1] / total
    cov = {f"S{i}": _c(pods[i]) for i in range(len(weights) - 1)}
    post, row = posterior(poa, row0, cov)
    assert math.fsum(post.values()) + row == pytest.approx(1.0, abs=1e-9)
    assert row >= row0 - 1e-12  # unsuccessful search never lowers the rest of the world


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 50), st.floats(0, 50))
def test_pod_in_unit_interval_and_monotone_in_effort(c1, c2):
    lo, hi = sorted((c1, c2))
    assert 0 <= pod_from_coverage(lo) <= pod_from_coverage(hi) <= 1
    if hi < 36:  # beyond that 1 - e^-C rounds to 1.0 in floating point
        assert pod_from_coverage(hi) < 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 1), max_size=10), st.floats(0, 1))
def test_cumulative_pod_never_decreases(pods, extra):
    assert cumulative_pod(pods + [extra]) >= cumulative_pod(pods) - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1), min_size=1, max_size=6), st.floats(0, 1e5))
def test_allocation_spends_exactly_the_effort(weights, effort):
    poa = {f"S{i}": w / sum(weights) for i, w in enumerate(weights)}
    area = {k: 1e4 * (i + 1) for i, k in enumerate(poa)}
    z = optimal_allocation(poa, area, effort)
    assert math.fsum(z[k] * area[k] for k in z) == pytest.approx(effort, rel=1e-9, abs=1e-6)


def test_distance_rings_from_the_table_in_metres():
    assert behaviour.distance_rings("dementia", "urban") == pytest.approx((321.9, 1126.5, 3218.7, 12552.9), abs=0.1)
    assert behaviour.distance_rings("child_1_3", "urban")[3] == pytest.approx(0.7 * 1609.344, abs=0.1)
    r = behaviour.distance_rings("hiker", "temperate_mountainous")
    assert r == pytest.approx(tuple(x * 1609.344 for x in (0.7, 1.9, 3.6, 11.3)), abs=0.1)


def test_every_category_and_terrain_has_increasing_rings_and_a_named_source():
    for c in behaviour.categories():
        for t in behaviour.terrains():
            r = behaviour.distance_rings(c, t)
            assert len(r) == 4 and all(a < b for a, b in zip(r, r[1:])), (c, t)
            assert behaviour.ring_source(c, t)


def test_fallbacks_are_documented():
    assert "temperate_flat" in behaviour.ring_source("despondent", "dry_flat")
    assert "fallback" in behaviour.ring_source("hiker", "urban")
    assert "child_10_12" in behaviour.ring_source("child_13_15", "urban")
    with pytest.raises(UnknownCategoryError):
        behaviour.distance_rings("dementia", "moon")
    with pytest.raises(UnknownCategoryError):
        behaviour.distance_rings("unicorn", "urban")


def test_reach():
    assert behaviour.reach_m(3600, 0.95) == pytest.approx(3420)
    assert behaviour.reach_m(-5, 1.0) == 0
    assert behaviour.walking_speed("dementia")[0] == pytest.approx(0.95)
