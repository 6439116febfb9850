"""All cameras' view cones at once (``core.cameras.cone_array``, ``cones``) are the cones built one at a time: discs
for an unknown direction, a missing, zero or full field of view; sectors with their arc vertices; the default range."""
import random

import numpy as np
import shapely

from search_coord.core.cameras import DEFAULT_RANGE_M, CameraSite, cone, cone_array, cones


def test_cone_array_matches_one_cone_at_a_time():
    rnd = random.Random(7)
    n = 600
    xs = [rnd.uniform(-5000, 5000) for _ in range(n)]
    ys = [rnd.uniform(-5000, 5000) for _ in range(n)]
    dirs = [rnd.choice([None, 0.0, 359.5, rnd.uniform(0, 360)]) for _ in range(n)]
    fovs = [rnd.choice([None, 0, 1, 33.3, 70, 90, 180, 359, 360, 400]) for _ in range(n)]
    ranges = [rnd.choice([None, 0, 12.5, 40, 300]) for _ in range(n)]
    one = np.array([cone(*v) for v in zip(xs, ys, dirs, fovs, ranges)], dtype=object)
    many = cone_array(xs, ys, dirs, fovs, ranges)
    assert len(many) == n
    assert shapely.equals_exact(one, many, tolerance=1e-6).all()
    assert set(shapely.get_num_coordinates(many)) > {65}   # discs and sectors of several widths


def test_cones_by_camera_id_and_empty_input():
    cams = [CameraSite(5, "A", "a", 0, 0, 90.0, 60.0, 40.0), CameraSite(9, "B", "b", 0, 0)]
    out = cones(cams, [0.0, 100.0], [0.0, 0.0])
    assert set(out) == {5, 9}
    assert shapely.equals_exact(out[5], cone(0.0, 0.0, 90.0, 60.0, 40.0), tolerance=1e-9)
    assert abs(out[9].area - np.pi * DEFAULT_RANGE_M ** 2) < 0.01 * out[9].area
    assert out[9].centroid.distance(shapely.Point(100, 0)) < 1e-6
    assert cones([], [], []) == {} and len(cone_array([], [], [], [], [])) == 0
