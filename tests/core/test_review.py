"""Review windows from the chain of known points, cameras on the route between two of them, and which reviewed
cameras clear the ground for the blind spot."""
from datetime import datetime, timedelta, timezone

from search_coord.core import blind_spot, review
from search_coord.core.cameras import CameraSite, cones
from search_coord.core.known_points import KnownPoint

T0 = datetime(2026, 11, 29, 17, 30, tzinfo=timezone.utc)
M_PER_DEG_LON = 85_390.0


def east(m):
    return 116.3 + m / M_PER_DEG_LON


def cam(cid, east_m, **kw):
    return CameraSite(cid, f"C{cid}", f"cam {cid}", east(east_m), 39.9, **kw)


def test_window_from_the_latest_point_the_camera_can_be_reached_from():
    points = [KnownPoint(east(0), 39.9, T0), KnownPoint(east(1000), 39.9, T0 + timedelta(minutes=20), "sighting", 5)]
    now = T0 + timedelta(minutes=30)
    w, d = review.window_for(points, cam(1, 1390), 1.3, now)      # 390 m past the sighting: 5 min at 1.3 m/s
    assert abs(d - 390) < 2 and abs((w.start - points[1].t).total_seconds() - 300) < 2 and w.end == now
    assert review.window_for(points, cam(2, 5000), 1.3, now) is None


def test_route_finds_cameras_between_two_points_straightest_first():
    points = [KnownPoint(east(0), 39.9, T0), KnownPoint(east(1000), 39.9, T0 + timedelta(minutes=20), "sighting", 5)]
    on_way = cam(1, 500)
    at_sighting = cam(2, 1000)
    beyond = cam(3, 3000)
    hits = review.route(points, [beyond, at_sighting, on_way], 1.3, {})
    assert [h.camera.id for h in hits] == [1] and hits[0].leg == 0 and hits[0].detour_m < 1
    done = {1: [(T0, T0 + timedelta(hours=1))]}
    assert review.route(points, [on_way], 1.3, done)[0].reviewed
    assert review.camera_at(points[1], [on_way, at_sighting]) == at_sighting


def test_clipped_keeps_the_reviewed_parts_inside_a_window():
    h = lambda m: T0 + timedelta(minutes=m)  # noqa: E731
    assert review.clipped((h(0), h(30)), [(h(-10), h(5)), (h(3), h(8)), (h(40), h(50))]) == [(h(0), h(8))]


def test_a_camera_is_clear_when_its_passing_window_was_reviewed():
    # 300 m away; fastest 1.5 m/s, sustained 1.0: passes between +200 s and +600 s.
    now = T0 + timedelta(hours=1)
    passing = (T0 + timedelta(seconds=200), T0 + timedelta(seconds=600))
    assert blind_spot.passing_window(300, T0, now, 1.0, 1.5) == passing
    assert blind_spot.is_clear(300, T0, now, 1.0, 1.5, [(T0, T0 + timedelta(seconds=550))])
    assert not blind_spot.is_clear(300, T0, now, 1.0, 1.5, [(T0, T0 + timedelta(seconds=400))])
    assert not blind_spot.is_clear(300, T0, T0 + timedelta(seconds=100), 1.0, 1.5, [(T0, now)])


def test_cones_by_camera():
    cs = cones([cam(1, 0, direction_deg=90, fov_deg=60, range_m=40), cam(2, 0)], [0, 100], [0, 0])
    assert cs[1].bounds[0] >= -1e-6 and abs(cs[2].centroid.x - 100) < 1e-6


def test_region_radius_and_the_box_around_the_known_points():
    assert review.region_radius(1000, 600, 1.5) == 1500          # the 95 % ring's outer edge
    assert review.region_radius(1000, 3600, 1.5) == 5400         # an hour at the fastest pace
    assert review.region_radius(10, -5, 1.5) == 100              # never under the least reach
    points = [KnownPoint(east(0), 39.9, T0), KnownPoint(east(2000), 39.9, T0, "sighting", 5)]
    w, s, e, n = review.near(points, 1110)
    assert abs((n - s) - 0.02) < 1e-9 and w < east(0) - 0.01 and e > east(2000) + 0.01
    assert abs(review.nearest_m(points, east(1900), 39.9) - 100) < 2
