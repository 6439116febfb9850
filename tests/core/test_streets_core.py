"""Streets in the core on a hand-made network: tags, blocks split at every crossing, the isochrone (distances checked
by hand), POA on reachable blocks, a route of a given length, coverage per block."""
import math

import pytest
from shapely.geometry import LineString

from search_coord.core.errors import ValidationError
from search_coord.core.streets import blocks as B
from search_coord.core.streets import coverage as C
from search_coord.core.streets import poa as P
from search_coord.core.streets import reach as R
from search_coord.core.streets import routes as RT
from search_coord.core.streets.network import Way, build_network, classify, node_key

XY = {1: (0, 0), 2: (100, 0), 5: (150, 0), 3: (200, 0), 6: (250, 0), 4: (300, 0),
      10: (100, -100), 11: (100, 100), 20: (200, -100), 21: (200, 100), 30: (150, -50), 40: (300, 200)}


def way(i, nodes, highway="residential", name=None, walk=True, drive=True, **names):
    return Way(i, tuple(nodes), tuple(XY[n] for n in nodes), highway, walk, drive, name, **names)


def network():
    """Main St (two OSM ways, split at 6) crossed by Cross 1 at x=100 and Cross 2 at x=200, an unnamed footway
    meeting Main at x=150, and a motorway (not walkable) leaving Main's east end."""
    return build_network([
        way(1, [1, 2, 5, 3, 6], name="Main St", name_zh="主街"),
        way(2, [6, 4], name="Main St", name_zh="主街"),
        way(3, [10, 2, 11], name="Cross 1"),
        way(4, [20, 3, 21], name="Cross 2", name_en="Second Cross"),
        way(5, [30, 5], highway="footway", drive=False),
        way(6, [4, 40], highway="motorway", name="Ring", walk=False),
    ])


@pytest.mark.parametrize("tags,expected", [
    ({"highway": "residential"}, (True, True)),
    ({"highway": "footway"}, (True, False)),
    ({"highway": "motorway"}, (False, True)),
    ({"highway": "primary", "foot": "no"}, (False, True)),
    ({"highway": "service", "access": "private"}, None),
    ({"highway": "service", "access": "private", "foot": "yes"}, (True, False)),
    ({"highway": "residential", "motor_vehicle": "no"}, (True, False)),
    ({"highway": "proposed"}, None),
    ({"building": "yes"}, None),
    ({"highway": "pedestrian", "area": "yes"}, (True, False)),
])
def test_classify_walkable_and_drivable(tags, expected):
    assert classify(tags) == expected


def test_node_key_joins_equal_vertices_only():
    assert node_key(24.9, 60.1) == node_key(24.9 + 1e-9, 60.1)
    assert node_key(24.9, 60.1) != node_key(24.9000002, 60.1)
    assert node_key(24.9, 60.1) < 0


def test_blocks_split_at_every_crossing_and_named():
    blocks = B.split_blocks(network())
    labels = sorted(B.label(b) for b in blocks)
    assert labels == sorted([
        "Main St: … – Cross 1, 100 m", "Main St: Cross 1 – Cross 2, 100 m", "Main St: Cross 2 – Ring, 100 m",
        "Cross 1: … – Main St, 100 m", "Cross 1: Main St – …, 100 m",
        "Cross 2: … – Main St, 100 m", "Cross 2: Main St – …, 100 m",
        "footway: … – Main St, 50 m", "Ring: Main St – …, 200 m"])
    # every edge is in exactly one block
    edges = [e for b in blocks for e in b.edges]
    assert sorted(edges) == list(range(len(network().edges)))
    main = next(b for b in blocks if b.start and b.start.local == "Cross 2")
    assert main.street.pick("zh") == "主街" and main.street.pick("en") == "Main St"
    assert B.label(main, "zh") == "主街: Cross 2 – Ring, 100 m"
    cross2 = next(b for b in blocks if b.street.local == "Cross 2")
    assert B.label(cross2, "en").startswith("Second Cross")


def test_isochrone_distances_by_hand():
    g = R.WalkGraph(network())
    reach = R.isochrone(g, (150, 10), 100, buffer_m=5)
    assert reach.snap_m == pytest.approx(10)
    assert reach.node_m[5] == pytest.approx(10)
    assert reach.node_m[2] == pytest.approx(60) and reach.node_m[3] == pytest.approx(60)
    assert reach.node_m[30] == pytest.approx(60)
    assert 10 not in reach.node_m and 40 not in reach.node_m
    # Main 60..240 (180) + footway 50 + 40 each way along Cross 1 and Cross 2 (160)
    assert reach.length_m == pytest.approx(390)
    assert reach.area.contains(LineString([(100, -35), (100, 35)]))
    assert not reach.area.contains(LineString([(100, 60), (100, 70)]))
    assert len(reach.edge_of) == len(reach.lines.geoms)


def test_isochrone_grows_and_rejects_far_points():
    g = R.WalkGraph(network())
    small, big = R.isochrone(g, (150, 10), 100), R.isochrone(g, (150, 10), 400)
    assert big.length_m > small.length_m
    assert big.node_m[4] == pytest.approx(10 + 150)   # motorway is not walked: node 40 never reached
    assert 40 not in big.node_m
    with pytest.raises(ValidationError):
        R.isochrone(g, (5000, 5000), 100)
    with pytest.raises(ValidationError):
        R.isochrone(g, (150, 10), -1)
    inside = R.isochrone(g, (150, 10), 5)       # the walk to the street is longer than the budget
    assert inside.length_m == 0 and not inside.node_m


def test_street_poa_places_half_on_reachable_blocks():
    net = network()
    blocks = B.split_blocks(net)
    edge_block = {e: b.index for b in blocks for e in b.edges}
    reach = R.isochrone(R.WalkGraph(net), (150, 10), 400)
    pieces = [(edge_block[e], line) for e, line in zip(reach.edge_of, reach.lines.geoms)]
    # rings 50/100/150/200 m; reach 400 covers every ring but the outer one partly
    result = P.street_poa(pieces, (150, 10), (50, 100, 150, 200), reach_m=400)
    assert result.on_street + result.unplaced == pytest.approx(0.5)
    assert result.off_street == pytest.approx(1 - result.on_street)
    assert all(p >= 0 for p in result.poa.values())
    middle = next(b.index for b in blocks if b.start and b.start.local == "Cross 1" and b.street.local == "Main St")
    far = next(b.index for b in blocks if b.street.local == "Cross 1" and b.start and b.start.local == "Main St")
    # the block the LKP is on holds more probability per metre than one further out
    assert result.poa[middle] / 100 > result.poa[far] / 100
    nothing = P.street_poa([], (0, 0), (50, 100, 150, 200), reach_m=400)
    assert nothing.poa == {} and nothing.unplaced == pytest.approx(0.5)


def test_route_of_a_given_length_follows_the_streets():
    blocks = B.split_blocks(network())
    poa = {b.index: (1.0 if b.street.local == "Main St" else 0.1) for b in blocks}
    route = RT.plan_route(blocks, poa, 250, "vehicle")
    names = [blocks[i].street.local for i in route.blocks]
    assert names[:3] == ["Main St"] * 3 and route.length_m == pytest.approx(300)
    assert route.transit_m == 0
    walk = RT.plan_route(blocks, poa, 10_000, "foot")
    assert all(blocks[i].walk for i in walk.blocks) and len(walk.blocks) == 8   # not the motorway
    with pytest.raises(ValidationError):
        RT.plan_route(blocks, poa, 10, "foot")
    with pytest.raises(ValidationError):
        RT.plan_route([b for b in blocks if b.highway == "footway"], poa, 500, "vehicle")


def test_coverage_matches_a_walk_to_the_blocks_it_passed():
    blocks = B.split_blocks(network())
    index = C.BlockIndex(blocks)
    walked = [LineString([(0, 5), (150, 4), (300, 6)])]
    got = index.match(walked, 20.0)
    by_name = {}
    for i, bins in got.items():
        b = blocks[i]
        by_name.setdefault(b.street.local or b.highway, []).append(len(bins) / C.bin_count(b.length))
    assert sorted(by_name["Main St"]) == [1.0, 1.0, 1.0]
    assert all(0 < s < C.SEARCHED_SHARE for s in by_name["Cross 1"])    # crossed, not walked
    assert "Ring" not in by_name or max(by_name["Ring"]) < C.SEARCHED_SHARE
    bits = C.merge_bins(None, 10, [0, 1, 2])
    assert C.merge_bins(bits, 10, [2, 9]) == "1110000001"
    assert C.status(0) == "not" and C.status(0.5) == "partly" and C.status(0.9) == "searched"
    assert C.pod(1.0, "foot") > C.pod(1.0, "vehicle") > 0
    assert C.pod(1.0, "foot") == pytest.approx(1 - math.exp(-20 / 30))
    assert C.combined_pod([0.5, 0.5]) == pytest.approx(0.75)


def test_network_path_follows_the_streets():
    g = R.WalkGraph(network())
    pts, length = R.network_path(g, (150, 10), (105, -90))   # from Main St to near the south end of Cross 1
    # 10 to the street, 50 west along Main St, 90 south along Cross 1, 5 to the point
    assert length == pytest.approx(10 + 50 + 90 + 5)
    assert LineString(pts).length == pytest.approx(length)
    assert pts[0] == (150, 10) and pts[-1] == (105, -90)
    same, d = R.network_path(g, (120, 5), (180, -5))            # both on one edge
    assert d == pytest.approx(5 + 60 + 5) and LineString(same).length == pytest.approx(d)
    with pytest.raises(ValidationError):
        R.network_path(g, (150, 10), (9000, 9000))
