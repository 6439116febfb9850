"""Video review, pure part: clocks, cones, windows, retention, ranking, intervals, trail legs, blind spot, and the
ring model tilted by a direction of travel."""
import math
from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import Point, box

from search_coord.core import blind_spot, cameras, known_points, review, rings, video
from search_coord.core.errors import ValidationError

T0 = datetime(2026, 11, 29, 17, 30, tzinfo=timezone.utc)


def test_recorder_clock_offset_round_trip():
    # The recorder runs 3 min 20 s fast: 18:45:20 on its screen is 18:42:00 true time.
    shown = datetime(2026, 11, 29, 18, 45, 20, tzinfo=timezone.utc)
    assert video.true_time(shown, 200) == datetime(2026, 11, 29, 18, 42, tzinfo=timezone.utc)
    assert video.recorder_time(video.true_time(shown, -75.5), -75.5) == shown


@pytest.mark.parametrize("value,expected", [("N", 0), ("e", 90), ("SW", 225), (359.5, 359.5), (360, 0), (None, None)])
def test_parse_direction(value, expected):
    assert cameras.parse_direction(value) == expected


@pytest.mark.parametrize("value", ["east-ish", -1, 361, True, float("nan")])
def test_parse_direction_refuses_nonsense(value):
    with pytest.raises(ValidationError):
        cameras.parse_direction(value)


def test_compass_label_rounds_to_nearest_point():
    assert [cameras.compass_label(b) for b in (0, 22, 23, 90, 200, 330, 359)] == ["N", "N", "NE", "E", "S", "NW", "N"]


def test_cone_points_along_its_bearing_with_its_field_of_view():
    c = cameras.cone(0, 0, 90, 60, 40)  # looking east
    assert c.contains(Point(30, 0)) and not c.contains(Point(-30, 0)) and not c.contains(Point(0, 30))
    assert c.area == pytest.approx(math.pi * 40 ** 2 * 60 / 360, rel=0.01)
    disc = cameras.cone(0, 0, None, None, None)
    assert disc.area == pytest.approx(math.pi * cameras.DEFAULT_RANGE_M ** 2, rel=0.01)


def test_review_window_from_fastest_arrival_to_latest():
    w = review.review_window(780, T0, 1.3, T0 + timedelta(hours=2))
    assert w.start == T0 + timedelta(seconds=600) and w.end == T0 + timedelta(hours=2)
    assert w.seconds == 6600
    # Too far to have got there by the latest moment: nothing to review.
    assert review.review_window(10_000, T0, 1.3, T0 + timedelta(minutes=30)) is None


def test_retention_flags():
    now = T0 + timedelta(days=6, hours=12)
    assert review.retention(T0, 7, now) == (T0 + timedelta(days=7), "expiring")
    assert review.retention(T0, 30, now)[1] == "ok"
    assert review.retention(T0, 5, now)[1] == "expired"
    assert review.retention(T0, None, now) == (None, "unknown")


def test_probability_seen_takes_each_piece_share():
    pieces = [(box(0, 0, 100, 100), 0.5), (box(100, 0, 200, 100), 0.2)]
    view = box(50, 0, 150, 10)  # 500 m² of each 10,000 m² piece
    assert cameras.probability_seen(view, pieces) == pytest.approx(0.5 * 0.05 + 0.2 * 0.05)
    assert cameras.probability_seen(box(500, 500, 510, 510), pieces) == 0


def test_rank_by_probability_then_distance():
    c = [review.Candidate(1, 300, 0.01), review.Candidate(2, 100, 0.01), review.Candidate(3, 900, 0.05)]
    assert [x.camera_id for x in review.rank(c)] == [3, 2, 1]


def test_merge_covered_and_overlap():
    h = lambda m: T0 + timedelta(minutes=m)  # noqa: E731
    assert review.merge([(h(10), h(20)), (h(0), h(5)), (h(5), h(8)), (h(15), h(30))]) == [(h(0), h(8)), (h(10), h(30))]
    assert review.covered_seconds((h(0), h(60)), [(h(-10), h(10)), (h(5), h(15)), (h(50), h(90))]) == 25 * 60
    assert review.overlap((h(0), h(10)), (h(10), h(20))) is None
    assert review.overlap((h(0), h(12)), (h(10), h(20))) == (h(10), h(12))
    with pytest.raises(ValidationError):
        review.check_interval(h(10), h(10))


def _pt(sid, minutes, east_m=0.0):
    # A point east_m metres east of (116.3, 39.9) (1e-5 degree of longitude there is about 0.854 m).
    return known_points.KnownPoint(116.3 + east_m / 85_390.0, 39.9, T0 + timedelta(minutes=minutes), "sighting", sid)


def test_legs_flag_fast_and_implausible_speeds():
    pts = [_pt(1, 0), _pt(2, 10, 600), _pt(3, 11, 690), _pt(4, 12, 1090)]
    legs = known_points.legs(pts, fastest_ms=1.3)
    assert [round(x.speed_ms, 1) for x in legs] == [1.0, 1.5, 6.7]
    assert [x.flag for x in legs] == [None, "fast", "implausible"]
    assert [(x.from_id, x.to_id) for x in legs] == [(1, 2), (2, 3), (3, 4)]
    same_moment = known_points.legs([_pt(1, 0), _pt(2, 0, 50)], 1.3)[0]
    assert same_moment.speed_ms is None and same_moment.flag == "implausible"


def test_blind_spot_lies_between_the_last_camera_and_the_clear_ones():
    # Last seen at the origin heading east; cameras 400 m east and 400 m north were reviewed and did not see them.
    clear = [(400, 0), (0, 400)]
    views = [cameras.cone(400, 0, None, None, 30), cameras.cone(0, 400, None, None, 30)]
    spot = blind_spot.blind_spot((0, 0), 90, clear, views, 600)
    assert spot.contains(Point(150, 0))         # ahead, before the east camera
    assert not spot.contains(Point(500, 0))     # beyond the east camera: they would have been seen
    assert not spot.contains(Point(0, 300))     # beyond the bisector towards the north camera
    assert not spot.contains(Point(-200, -50))  # behind the direction of travel
    no_heading = blind_spot.blind_spot((0, 0), None, clear, views, 600)
    assert no_heading.contains(Point(-200, -50)) and no_heading.area > spot.area


def test_heading_tilts_ring_probability_forward_and_keeps_the_total():
    radii = (300, 800, 1500, 3000)
    east, west = box(100, -200, 500, 200), box(-500, -200, -100, 200)
    flat, _ = rings.ring_poa({1: east, 2: west}, radii)
    tilted, row = rings.ring_poa({1: east, 2: west}, radii, heading_deg=90, kappa=video.HEADING_KAPPA)
    assert flat[1] == pytest.approx(flat[2], rel=1e-3)
    assert tilted[1] > 3 * tilted[2]
    assert sum(m for _, m in rings.annuli(radii, 2000, 90, 0.6)) == pytest.approx(1.0)
    # Over the whole plane nothing is lost: a huge segment holds everything either way.
    whole, row = rings.ring_poa({1: box(-1e5, -1e5, 1e5, 1e5)}, radii, 5000, 45, 0.6)
    assert whole[1] == pytest.approx(1.0) and row == pytest.approx(0.0, abs=1e-9)


def test_blind_spot_keeps_to_the_direction_of_travel():
    # Heading east with no camera to the south: the ground due south is not where he went.
    spot = blind_spot.blind_spot((0, 0), 90, [(500, 0)], [cameras.cone(500, 0, None, None, 30)], 600)
    assert spot.contains(Point(200, 50)) and spot.contains(Point(100, -150))
    assert not spot.contains(Point(10, -300))   # due south: more than 75° off east
