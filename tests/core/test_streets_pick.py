"""A route picked along the streets (core/streets/pick.py) on a small hand-made network: the shortest path between
the taps by mode, the blocks in order, snapping, a tap too far from every street, taps not connected."""
import math

import pytest

from search_coord.core.errors import ValidationError
from search_coord.core.streets import blocks as B
from search_coord.core.streets import pick as P
from search_coord.core.streets.network import Way, build_network

XY = {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (300, 0), 10: (100, -100), 11: (100, 100), 20: (200, -100),
      21: (200, 100), 50: (0, 500), 51: (100, 500)}


def way(i, nodes, name=None, highway="residential", walk=True, drive=True):
    return Way(i, tuple(nodes), tuple(XY[n] for n in nodes), highway, walk, drive, name)


@pytest.fixture(scope="module")
def layer():
    """Main St (x 0-300) crossed by Cross 1 (x=100) and Cross 2 (x=200); a footway joins their north ends
    (y=100: walkable, not drivable); Island Rd (y=500) is joined to nothing."""
    net = build_network([
        way(1, [1, 2, 3, 4], "Main St"), way(2, [10, 2, 11], "Cross 1"), way(3, [20, 3, 21], "Cross 2"),
        way(4, [11, 21], highway="footway", drive=False), way(5, [50, 51], "Island Rd")])
    blocks = B.split_blocks(net)
    edge_block = {e: b.index for b in blocks for e in b.edges}
    return net, blocks, edge_block


def names(route, blocks):
    return [B.label(blocks[i]) for i in route.blocks]


def test_foot_takes_the_footway_a_vehicle_drives_round(layer):
    net, blocks, eb = layer
    foot = P.pick_route(P.mode_graph(net, "foot"), blocks, eb, [(10, 5), (190, 100)], "foot")
    assert foot.length_m == pytest.approx(90 + 100 + 90)          # snapped (10, 0) -> 2 -> 11 -> along the footway
    assert names(foot, blocks) == ["Main St: … – Cross 1, 100 m", "Cross 1: Main St – …, 100 m",
                                   "footway: Cross 1 – Cross 2, 100 m"]
    assert foot.snapped[0].xy == pytest.approx((10, 0)) and foot.snapped[0].off_m == pytest.approx(5)
    assert foot.points[0] == pytest.approx((10, 0)) and foot.points[-1] == pytest.approx((190, 100))
    car = P.pick_route(P.mode_graph(net, "vehicle"), blocks, eb, [(10, 5), (190, 100)], "vehicle")
    assert car.snapped[1].xy == pytest.approx((200, 100)) and car.snapped[1].off_m == pytest.approx(10)
    assert car.length_m == pytest.approx(90 + 100 + 100)          # no footway: Main St to Cross 2, up to its end
    assert names(car, blocks) == ["Main St: … – Cross 1, 100 m", "Main St: Cross 1 – Cross 2, 100 m",
                                  "Cross 2: Main St – …, 100 m"]
    assert car.reverse == (False, False, False)


def test_waypoints_in_order_and_doubling_back(layer):
    net, blocks, eb = layer
    r = P.pick_route(P.mode_graph(net, "foot"), blocks, eb, [(10, 0), (100, 90), (290, 0)], "foot")
    assert r.legs_m == pytest.approx((90 + 90, 90 + 100 + 90))
    assert r.length_m == pytest.approx(460)
    assert names(r, blocks) == ["Main St: … – Cross 1, 100 m", "Cross 1: Main St – …, 100 m",
                                "Main St: Cross 1 – Cross 2, 100 m", "Main St: Cross 2 – …, 100 m"]
    back = P.pick_route(P.mode_graph(net, "foot"), blocks, eb, [(290, 0), (10, 0)], "foot")
    assert back.reverse == (True, True, True) and back.length_m == pytest.approx(280)
    same_edge = P.pick_route(P.mode_graph(net, "foot"), blocks, eb, [(120, 0), (180, 3)], "foot")
    assert same_edge.length_m == pytest.approx(60) and len(same_edge.blocks) == 1


def test_a_tap_too_far_from_the_streets_says_so(layer):
    net, blocks, eb = layer
    with pytest.raises(ValidationError) as exc:
        P.pick_route(P.mode_graph(net, "foot"), blocks, eb, [(10, 0), (150, 300)], "foot")
    assert exc.value.errors["points"] == "point 2 is 200 m from the nearest walkable street (at most 100 m)"
    # the footway is 10 m away but a vehicle cannot use it: Cross 1 / Cross 2 are 50 m off, within reach
    r = P.pick_route(P.mode_graph(net, "vehicle"), blocks, eb, [(10, 0), (150, 110)], "vehicle")
    assert r.snapped[1].off_m == pytest.approx(math.hypot(50, 10))


def test_points_not_connected_and_other_bad_picks(layer):
    net, blocks, eb = layer
    g = P.mode_graph(net, "foot")
    with pytest.raises(ValidationError) as exc:
        P.pick_route(g, blocks, eb, [(10, 0), (290, 0), (50, 505)], "foot")
    assert exc.value.errors["points"] == "points 2 and 3 are not connected by walkable streets"
    for taps in ([(10, 0)], [], [(10, 0)] * 101, "x"):
        with pytest.raises(ValidationError) as exc:
            P.pick_route(g, blocks, eb, taps, "foot")
        assert "between 2 and 100 points" in exc.value.errors["points"]
    with pytest.raises(ValidationError) as exc:
        P.pick_route(g, blocks, eb, [(10, 0), (10, 3)], "foot")
    assert "no route" in exc.value.errors["points"]
    with pytest.raises(ValidationError) as exc:
        P.mode_graph(net, "boat")
    assert "mode" in exc.value.errors
