"""Streets on the real extracts (../shared/data/osm, skipped when absent): the isochrone's walking distances against
networkx shortest paths on the same walkable edges, and a walked GPS track with noise matched to the right blocks."""
import pathlib
import random

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from search_coord.core.errors import ValidationError
from search_coord.core.streets import coverage as C
from search_coord.core.streets import reach as R
from search_coord.services.streets import layers, reader

OSM = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "osm"
EXTRACTS = ["helsinki-centre.osm.pbf", "kouvola.osm.pbf"]


@pytest.fixture(scope="module", params=EXTRACTS)
def net(request):
    path = OSM / request.param
    if not path.exists():
        pytest.skip(f"no {path}")
    ways, _ = reader.read_osm(str(path))
    coords = np.array([c for w in ways for c in w["coords"]])
    return layers.build(1, (float(coords[:, 0].mean()), float(coords[:, 1].mean())), ways)


def _nx_graph(net):
    g = nx.Graph()
    for e in net.graph.edges:
        if e.u != e.v and (not g.has_edge(e.u, e.v) or g[e.u][e.v]["weight"] > e.length):
            g.add_edge(e.u, e.v, weight=e.length)
    return g


def test_isochrone_distances_match_networkx(net):
    g = _nx_graph(net)
    rnd = random.Random(14)
    lines = list(net.graph.lines)
    xs = [c for line in lines for c in line.coords]
    for budget in (600.0, 1500.0):
        for _ in range(6):
            x, y = rnd.choice(xs)
            origin = (x + rnd.uniform(-30, 30), y + rnd.uniform(-30, 30))
            reach = R.isochrone(net.graph, origin, budget)
            # networkx on its own: the nearest walkable edge by brute force, a virtual node on it
            p = Point(origin)
            dists = [line.distance(p) for line in lines]
            k = int(np.argmin(dists))
            assert reach.snap_m == pytest.approx(dists[k], abs=1e-6)
            e = net.graph.edges[k]
            s = lines[k].project(p)
            h = g.copy()
            s = min(s, e.length)   # shapely's length and the network's own may differ in the last bit
            h.add_edge("lkp", e.u, weight=s)
            h.add_edge("lkp", e.v, weight=min(e.length - s, h["lkp"][e.v]["weight"]) if h.has_edge("lkp", e.v)
                       else e.length - s)
            want = nx.single_source_dijkstra_path_length(h, "lkp", cutoff=budget - dists[k])
            want = {n: d + dists[k] for n, d in want.items() if n != "lkp"}
            assert set(reach.node_m) == set(want)
            for n, d in want.items():
                assert reach.node_m[n] == pytest.approx(d, abs=1e-6)
            # every reached stretch lies within the budget of walking: none ends beyond it
            assert reach.length_m > 0 and reach.area.contains(Point(origin).buffer(1))


def test_a_noisy_walk_along_a_street_matches_its_blocks(net):
    """Walk the longest named chain of blocks of one street with fixes every 10 m, σ 5 m of noise."""
    by_street = {}
    for b in net.blocks:
        if b.street.local and b.walk:
            by_street.setdefault(b.street.local, []).append(b)
    name, blocks = max(by_street.items(), key=lambda kv: sum(b.length for b in kv[1]))
    # the longest connected run of that street's blocks, in order
    best = max(blocks, key=lambda b: b.length)
    run = [best]
    while True:
        nxt = [b for b in blocks if b not in run and b.u == run[-1].v]
        if not nxt:
            break
        run.append(nxt[0])
    line = LineString([c for b in run for c in b.xy])
    rnd = random.Random(7)
    n = max(2, int(line.length // 10))
    pts = [line.interpolate(i * line.length / n) for i in range(n + 1)]
    noisy = LineString([(p.x + rnd.gauss(0, 5), p.y + rnd.gauss(0, 5)) for p in pts])
    got = net.index.match([noisy], 20.0, lambda b: b.walk)
    share = {i: len(bins) / C.bin_count(net.blocks[i].length) for i, bins in got.items()}
    for b in run:
        assert share.get(b.index, 0) >= C.SEARCHED_SHARE, (name, b.index, share.get(b.index))
    # no other long block is taken as searched unless it runs alongside the walk (a parallel carriageway or pavement)
    for i, sh in share.items():
        b = net.blocks[i]
        if b in run or sh < C.SEARCHED_SHARE or b.length < 60:
            continue
        assert shapely.intersection(line.buffer(25), LineString(b.xy)).length > 0.5 * b.length, (b.street, sh)


def test_network_path_equals_networkx(net):
    g = _nx_graph(net)
    rnd = random.Random(3)
    lines = list(net.graph.lines)
    xs = [c for line in lines for c in line.coords]
    for _ in range(6):
        a, b = rnd.choice(xs), rnd.choice(xs)
        try:
            pts, length = R.network_path(net.graph, a, b)
        except ValidationError:   # not connected (an island of the extract): networkx must agree
            ka = int(np.argmin([ln.distance(Point(a)) for ln in lines]))
            kb = int(np.argmin([ln.distance(Point(b)) for ln in lines]))
            assert not nx.has_path(g, net.graph.edges[ka].u, net.graph.edges[kb].u)
            continue
        assert LineString(pts).length == pytest.approx(length, rel=1e-6)
        # networkx with a virtual node where each point meets its nearest way
        h = g.copy()
        on = {}
        for name, p in (("a", a), ("b", b)):
            k = int(np.argmin([ln.distance(Point(p)) for ln in lines]))
            e, s = net.graph.edges[k], min(lines[k].project(Point(p)), net.graph.edges[k].length)
            d0 = lines[k].distance(Point(p))
            on[name] = (k, s, d0)
            h.add_edge(name, e.u, weight=d0 + s)
            if e.v != e.u:
                h.add_edge(name, e.v, weight=min(d0 + e.length - s, h[name][e.v]["weight"])
                           if h.has_edge(name, e.v) else d0 + e.length - s)
        want = nx.single_source_dijkstra_path_length(h, "a", weight="weight")["b"]
        if on["a"][0] == on["b"][0]:   # both on one edge: straight along it too
            want = min(want, on["a"][2] + abs(on["a"][1] - on["b"][1]) + on["b"][2])
        assert length == pytest.approx(want, abs=1e-6)
