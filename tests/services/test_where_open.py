"""Where to look from the first minute (issue 15 §3): a new search gets its proposed segments with their ring POA at
opening, and a segment drawn over them afterwards takes its place among the cells (they give way)."""
import math
from datetime import timedelta

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlalchemy import delete

from search_coord.adapters.models import Search, Segment

from search_coord.core import segments as segmentation
from search_coord.services import model_read, recompute, searched_areas, searches, segment_edits

from support import T0, search_payload, square


def test_a_new_search_gets_its_segments_and_ring_poa_at_opening(svc, people):
    d = people["disp"]
    svc.clock.now = T0 + timedelta(minutes=40)
    opened = searches.open_search(svc, d, search_payload(), propose=True)
    m = model_read.get_model(svc, d, opened["id"])
    assert opened["segments_proposed"] == len(m["segments"]) > 50
    assert m["poa_basis"] == "rings"
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    assert m["row0"] < 0.01          # the cells cover everywhere reach has got to
    # the grid covers the 95 % ring, so probability moves out onto the same cells as reach grows
    r95 = m["rings"][3]["radius_m"]
    cell = segmentation.proposed_cell_m(3.14159 * r95 ** 2)
    assert 100 <= cell <= 1000
    assert sum(s["area_m2"] for s in m["segments"]) == pytest.approx(3.14159 * r95 ** 2, rel=0.03)
    [(_, opened_ev)] = svc.publisher.events   # one event: the grid is part of the opening, logged with it
    assert opened_ev["type"] == "search.opened"
    assert opened_ev["payload"]["segments_proposed"]["segments"] == len(m["segments"])
    assert opened_ev["payload"]["segments_proposed"]["cell_m"] == cell


def test_the_cell_size_aims_at_a_readable_number_of_cells():
    assert segmentation.proposed_cell_m(150 * 300.0 ** 2) == 300.0
    assert segmentation.proposed_cell_m(1.0) == 100.0
    assert segmentation.proposed_cell_m(1e12) == 1000.0
    with pytest.raises(Exception):
        segmentation.proposed_cell_m(0.0)


def test_a_segment_drawn_over_the_proposed_cells_takes_their_place(svc, people):
    d = people["disp"]
    svc.clock.now = T0 + timedelta(minutes=40)
    sid = searches.open_search(svc, d, search_payload(), propose=True)["id"]
    before = model_read.get_model(svc, d, sid)
    drawn = segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.003), "name": "Park"})
    m = model_read.get_model(svc, d, sid)
    assert drawn["name"] == "Park" and drawn["poa0"] > 0
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    park = shape(drawn["geometry"])
    others = unary_union([shape(s["geometry"]) for s in m["segments"] if s["name"] != "Park"])
    assert park.intersection(others).area < 1e-12            # never counted twice
    total = lambda mm: sum(s["area_m2"] for s in mm["segments"])  # noqa: E731
    assert total(m) == pytest.approx(total(before), rel=1e-3)  # the cells gave way, nothing lost or added


def _far_square(lon, lat, d=0.002):
    return {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                                [lon - d, lat + d], [lon - d, lat - d]]]}


def test_a_searched_area_outside_every_segment_still_counts(svc, people):
    """Ground searched where no segment lies becomes a segment holding the ring POA there (taken from ROW) with the
    stated POD as its coverage: POS grows and ROW shrinks, live and after a recompute from scratch."""
    d = people["disp"]
    svc.clock.now = T0 + timedelta(hours=2)
    sid = searches.open_search(svc, d, search_payload(), propose=True)["id"]
    park = segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.004), "name": "Park"})
    # only the drawn segment: take the proposed cells away (as a dispatcher who works with drawn segments does)
    with svc.transaction() as s:
        s.execute(delete(Segment).where(Segment.search_id == sid, Segment.source == "grid"))
        segment_edits.bump_model_version(s.get(Search, sid), s)
        search = s.get(Search, sid)
        search.row0 = 1.0 - park["poa0"]
    before = model_read.get_model(svc, d, sid)
    assert [s["name"] for s in before["segments"]] == ["Park"]
    # an area 1 km east of the last known point, half over nothing: not under the park
    lon, lat = square()["coordinates"][0][0]
    out = searched_areas.mark_searched(svc, d, sid, {"geometry": _far_square(lon + 0.012, lat + 0.002), "pod": 0.6})
    implied = out["area"]["segment"]
    assert implied["name"] == "S-1" and implied["source"] == "searched" and implied["poa0"] > 0
    assert out["coverage"][implied["id"]] == pytest.approx(-math.log(1 - 0.6), rel=1e-6)
    after = model_read.get_model(svc, d, sid)
    assert after["pos_total"] == pytest.approx(before["pos_total"] + implied["poa0"] * 0.6, rel=1e-6)
    assert after["row0"] == pytest.approx(before["row0"] - implied["poa0"], rel=1e-6)
    assert sum(s["poa0"] for s in after["segments"]) + after["row0"] == pytest.approx(1.0)
    assert after["row"] < before["row"]
    recompute.recompute(svc, sid, "test")   # from scratch: the same coverage, the same POS
    again = model_read.get_model(svc, d, sid)
    assert again["pos_total"] == pytest.approx(after["pos_total"], rel=1e-3)
    # an area inside the park makes no segment
    inner = searched_areas.mark_searched(svc, d, sid, {"geometry": square(d=0.001), "pod": 0.5})
    assert "segment" not in inner["area"]
    assert park["id"] in inner["coverage"]
