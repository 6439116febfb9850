"""Video route proposals along the streets (issue 14 §7): where a street layer holds both ends of a leg, cameras are
ranked by their distance from the walk along the network (network_reach.route_between), not from the straight line;
without a path the straight-line ranking stands. The answer's leg carries the path for the map."""
from datetime import datetime, timedelta, timezone

from shapely.geometry import LineString, Point, mapping

from search_coord.core.cameras import CameraSite
from search_coord.core.geometry import LocalProjection
from search_coord.core.review import RouteHit, Window
from search_coord.services.video import proposals

PROJ = LocalProjection(39.7712, 116.1985)
T = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)


def _lonlat(x, y):
    p = PROJ.unproject(Point(x, y))
    return p.x, p.y


def _hit(cid, x, y, straight_detour):
    lon, lat = _lonlat(x, y)
    return RouteHit(CameraSite(cid, f"C{cid}", f"cam {cid}", lon, lat), Window(T, T + timedelta(minutes=5)), 0,
                    straight_detour, 200.0, False)


def test_cameras_near_the_street_walk_come_first():
    # from (0, 0) to (400, 0) the streets go round a block: north 300 m, east 400 m, south 300 m
    path = {"geometry": mapping(PROJ.unproject(LineString([(0, 0), (0, 300), (400, 300), (400, 0)]))),
            "length_m": 1000.0}
    on_line = _hit(1, 200, 5, 0.1)        # beside the straight line, in the block (no street there)
    on_street = _hit(2, 200, 306, 250.0)   # beside the street walked
    ranked = proposals.along_streets([on_line, on_street], [path], PROJ)
    assert [h.camera.id for h in ranked] == [2, 1]
    assert abs(ranked[0].detour_m - 12.0) < 0.5 and abs(ranked[1].detour_m - 400.0) < 0.5   # 200 m to the side streets
    assert ranked[0].window == on_street.window


def test_without_a_path_the_straight_line_ranking_stands():
    hits = [_hit(1, 200, 5, 0.1), _hit(2, 200, 306, 250.0)]
    assert proposals.along_streets(hits, [None], PROJ) == hits
