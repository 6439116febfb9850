"""Changing a segment from the console (issue 15 §3): name, outline, a prior POA set by hand, with the version the
edit started from (a stale one is refused with the current values and changes nothing)."""
from datetime import timedelta

import pytest
from shapely.geometry import shape

from search_coord.core.errors import Conflict, NotFound, ValidationError
from search_coord.services import model_read, searches, segment_edits, segment_update

from support import T0, search_payload, square


@pytest.fixture
def drawn(svc, people):
    d = people["disp"]
    svc.clock.now = T0 + timedelta(minutes=40)
    sid = searches.open_search(svc, d, search_payload(), propose=True)["id"]
    seg = segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.002), "name": "Park"})
    seg = next(s for s in model_read.get_model(svc, d, sid)["segments"] if s["id"] == seg["id"])
    return sid, seg


def test_rename_reshape_and_set_poa_by_hand(svc, people, drawn):
    d = people["disp"]
    sid, seg = drawn
    out = segment_update.update_segment(svc, d, sid, seg["id"], {"version": seg["version"], "name": "Riverside"})
    assert out["name"] == "Riverside" and out["version"] == seg["version"] + 1
    bigger = segment_update.update_segment(svc, d, sid, seg["id"], {"version": out["version"],
                                                                  "geometry": square(d=0.003)})
    assert bigger["area_m2"] == pytest.approx(2.25 * seg["area_m2"], rel=0.01)
    m = model_read.get_model(svc, d, sid)
    others = [shape(s["geometry"]) for s in m["segments"] if s["id"] != seg["id"]]
    assert all(o.intersection(shape(bigger["geometry"])).area < 1e-12 for o in others)   # the cells gave way
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    poa = segment_update.update_segment(svc, d, sid, seg["id"], {"version": bigger["version"], "poa0": 0.4})
    m = model_read.get_model(svc, d, sid)
    assert poa["poa0"] == 0.4 and m["poa_basis"] == "manual"
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    ev = [e for _, e in svc.publisher.events if e["type"] == "segment.updated"][-1]
    assert ev["payload"]["changes"] == {"poa0": 0.4} and ev["payload"]["version_checked"] is True


def test_a_stale_version_is_refused_with_the_current_values_and_changes_nothing(svc, people, drawn):
    d = people["disp"]
    sid, seg = drawn
    segment_update.update_segment(svc, d, sid, seg["id"], {"version": seg["version"], "name": "North"})
    with pytest.raises(Conflict) as exc:
        segment_update.update_segment(svc, d, sid, seg["id"], {"version": seg["version"], "poa0": 0.5})
    assert exc.value.extra["current"]["name"] == "North"
    now = next(s for s in model_read.get_model(svc, d, sid)["segments"] if s["id"] == seg["id"])
    assert now["poa0"] == pytest.approx(seg["poa0"]) and now["name"] == "North"


def test_bad_edits_are_refused(svc, people, drawn):
    d = people["disp"]
    sid, seg = drawn
    for body in ({"poa0": 1.5}, {"colour": "red"}, {}, {"name": "A1"}):
        with pytest.raises(ValidationError):
            segment_update.update_segment(svc, d, sid, seg["id"], body)
    with pytest.raises(NotFound):
        segment_update.update_segment(svc, d, sid, 10 ** 6, {"name": "X"})
