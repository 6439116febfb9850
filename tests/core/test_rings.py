"""Ring model, reach clipping, segments, coverage from tracks and stated POD, suggestions."""
import math

import pytest
from shapely.geometry import LineString, Point, box

from search_coord.core import effort, rings, segments, tracks
from search_coord.core.errors import GeometryError, ProbabilityError

RINGS = (321.9, 1126.5, 3218.7, 12552.9)  # dementia, urban


def test_segments_tiling_the_95_ring_hold_95_percent():
    cells = segments.grid(rings.search_region(RINGS), 1000, "square")
    poa, row = rings.ring_poa({i: c.polygon for i, c in enumerate(cells)}, RINGS)
    assert sum(poa.values()) == pytest.approx(0.95, abs=2e-3)  # 256-gon discs: tiny polygonisation error
    assert row == pytest.approx(0.05, abs=2e-3)


def test_small_cell_near_the_lkp_gets_the_inner_ring_density():
    cell = box(-50, -50, 50, 50)  # 1 ha inside r25
    poa, _ = rings.ring_poa({1: cell}, RINGS)
    assert poa[1] == pytest.approx(0.25 * 1e4 / (math.pi * RINGS[0] ** 2), rel=1e-3)


def test_reach_clips_the_rings_and_renormalises():
    reach = 1000.0  # less than r50: all the probability lies within 1 km
    region = rings.search_region(RINGS, reach)
    assert region.area == pytest.approx(math.pi * reach**2, rel=1e-3)
    poa, row = rings.ring_poa({1: region}, RINGS, reach)
    assert poa[1] == pytest.approx(1.0, abs=1e-9) and row == pytest.approx(0, abs=1e-9)
    # inner ring density ratio is kept: 0.25 in [0, r25], and 0.25 * (share of the 2nd annulus within reach)
    a1 = math.pi * RINGS[0] ** 2
    a2 = math.pi * (RINGS[1] ** 2 - RINGS[0] ** 2)
    a2in = math.pi * (reach**2 - RINGS[0] ** 2)
    inner, _ = rings.ring_poa({1: Point(0, 0).buffer(RINGS[0], quad_segs=64)}, RINGS, reach)
    assert inner[1] == pytest.approx(0.25 / (0.25 + 0.25 * a2in / a2), rel=1e-3)
    assert a1 > 0


def test_minimum_reach():
    assert rings.effective_reach(0) == rings.MIN_REACH_M
    assert rings.effective_reach(None) == math.inf


def test_grid_names_and_slivers():
    square_area = box(0, 0, 300, 200)
    cells = segments.grid(square_area, 100)
    assert [c.name for c in cells] == ["A1", "A2", "A3", "B1", "B2", "B3"]
    assert all(c.polygon.area == pytest.approx(1e4) for c in cells)
    hexes = segments.grid(Point(0, 0).buffer(500), 100, "hex")
    assert sum(h.polygon.area for h in hexes) == pytest.approx(Point(0, 0).buffer(500).area, rel=0.02)
    assert segments.row_label(26) == "AA"
    with pytest.raises(GeometryError):
        segments.grid(square_area, 5)
    with pytest.raises(GeometryError):
        segments.grid(square_area, 100, "triangle")


def test_corridor_width():
    c = segments.corridor(LineString([(0, 0), (1000, 0)]), 40)
    assert c.area == pytest.approx(1000 * 40 + math.pi * 20**2, rel=1e-2)


def test_track_pieces_break_at_gaps():
    rules = tracks.TrackRules(sweep_width_m=20)
    fixes = [tracks.TrackFix(0, 0, 0, 3), tracks.TrackFix(30, 0, 10, 3), tracks.TrackFix(60, 0, 20, 3),
             tracks.TrackFix(90, 0, 500, 3),   # 480 s later: a gap
             tracks.TrackFix(120, 0, 510, 3), tracks.TrackFix(2000, 0, 520, 3)]  # 1880 m jump: a gap
    assert [p.length for p in tracks.follow(fixes, rules).lines] == [60, 30]


def test_lengths_inside_segments_and_coverage():
    idx = effort.SegmentIndex({1: box(0, 0, 100, 100), 2: box(100, 0, 200, 100), 3: box(0, 500, 100, 600)})
    lengths = idx.lengths_inside([LineString([(50, 50), (150, 50)]), LineString([(10, 10), (10, 30)])])
    assert lengths == pytest.approx({1: 70.0, 2: 50.0})
    cov = effort.coverage_from_lengths(lengths, {1: 1e4, 2: 1e4}, 20)
    assert cov == pytest.approx({1: 20 * 70 / 1e4, 2: 20 * 50 / 1e4})
    assert idx.overlap_shares(box(50, 0, 150, 100)) == pytest.approx({1: 0.5, 2: 0.5})


def test_stated_pod_to_coverage():
    assert effort.coverage_from_stated_pod(0.5, 1.0) == pytest.approx(math.log(2))
    assert effort.coverage_from_stated_pod(1.0, 1.0) == pytest.approx(-math.log(0.01))
    with pytest.raises(ProbabilityError):
        effort.coverage_from_stated_pod(1.5, 1.0)


def test_suggest_gives_each_team_a_different_best_segment():
    poa = {1: 0.4, 2: 0.3, 3: 0.01}
    areas = {1: 1e5, 2: 1e4, 3: 1e4}
    out = rings.suggest(poa, areas, [(10, 2e4), (11, 1e5)])
    assert {s.team_id for s in out} == {10, 11} and len({s.segment_id for s in out}) == 2
    big = next(s for s in out if s.team_id == 11)
    # the stronger team chooses first: 0.3*(1-e^-10) > 0.4*(1-e^-1)
    assert big.segment_id == 2 and big.gain_per_hour == pytest.approx(0.3 * (1 - math.exp(-10)))
    assert rings.suggest(poa, areas, [(10, 2e4)], exclude={1, 2})[0].segment_id == 3


def test_simplify_keeps_shape_ends_and_run_boundaries():
    straight = [(float(i), 0.0) for i in range(50)]
    assert effort.simplify_indices(straight, [0] * 50) == [0, 49]
    corner = [(float(i), 0.0) for i in range(20)] + [(19.0, float(j)) for j in range(1, 20)]
    assert effort.simplify_indices(corner, [0] * 39) == [0, 19, 38]
    runs = [0] * 25 + [1] * 25
    assert effort.simplify_indices(straight, runs) == [0, 24, 25, 49]
    wobble = [(float(i), 0.5 * (i % 2)) for i in range(30)]  # within 2 m: drawn as a line
    assert effort.simplify_indices(wobble, [0] * 30) == [0, 29]
