"""Issue 10 §4 -- what was entered by mistake is retracted by a dispatcher: kept and logged, left out of every map
and count (services/retractions.py), on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from support import LKP, search_payload, square

from search_coord.adapters.models import Clue, SearchedArea, TrackPoint
from search_coord.core.errors import Conflict, Forbidden, NotFound, ValidationError
from search_coord.services import field, model_read, retractions, searched_areas, searches, segment_edits


@pytest.fixture
def world(svc, people):
    disp, off1 = people["disp"], people["off1"]
    sid = searches.open_search(svc, disp, search_payload())["id"]
    searches.add_member(svc, disp, sid, off1.user_id)
    segment_edits.generate_segments(svc, disp, sid, {"cell_m": 2000, "shape": "square"})
    return svc, sid, disp, off1


def _walk(svc, off1, sid, client_id, minute0, east0):
    pts = [{"t": f"2026-11-28T17:{minute0 + i // 6:02d}:{(i % 6) * 10:02d}+08:00",
            "lon": LKP[0] + east0 + i * 0.0001, "lat": LKP[1], "acc": 5} for i in range(12)]
    return field.add_track_batch(svc, off1, sid, {"client_id": client_id, "points": pts})


def _coverage(svc, disp, sid) -> float:
    return sum(g["coverage"] for g in model_read.get_model(svc, disp, sid)["segments"])


def _published(svc, type_):
    return [e for _, e in svc.publisher.events if e["type"] == type_]


def test_a_searched_area_is_retracted_kept_and_counted_no_more(world):
    svc, sid, disp, off1 = world
    area = searched_areas.mark_searched(svc, off1, sid, {"geometry": square(d=0.001), "pod": 0.99})["area"]
    assert _coverage(svc, disp, sid) > 0
    with pytest.raises(Forbidden):
        retractions.retract_area(svc, off1, sid, area["id"], {"reason": "drawn by mistake"})
    with pytest.raises(ValidationError) as bad:
        retractions.retract_area(svc, disp, sid, area["id"], {"reason": " "})
    assert "reason" in bad.value.errors
    with pytest.raises(NotFound):
        retractions.retract_area(svc, disp, sid, area["id"] + 99, {"reason": "drawn by mistake"})
    out = retractions.retract_area(svc, disp, sid, area["id"], {"reason": "drawn by mistake"})
    assert out["area_id"] == area["id"] and out["reason"] == "drawn by mistake"
    assert _published(svc, "area.retracted")[-1]["payload"] == {"area_id": area["id"], "reason": "drawn by mistake"}
    assert searches.get_state(svc, disp, sid)["searched_areas"] == []
    assert _coverage(svc, disp, sid) == pytest.approx(0.0)
    with svc.reading() as s:
        row = s.get(SearchedArea, area["id"])
        assert row is not None and row.retracted_by == disp.user_id and row.retracted_seq == out["seq"]
    with pytest.raises(Conflict):
        retractions.retract_area(svc, disp, sid, area["id"], {"reason": "again"})


def test_one_batch_is_retracted_by_its_event_number(world):
    svc, sid, disp, off1 = world
    first = _walk(svc, off1, sid, "batch-000001", 40, 0.0)
    second = _walk(svc, off1, sid, "batch-000002", 50, 0.003)
    both = _coverage(svc, disp, sid)
    assert both > 0 and len(searches.get_state(svc, disp, sid)["tracks"][str(off1.user_id)]) == 24
    out = retractions.retract_track(svc, disp, sid, {"event_seq": second["seq"], "reason": "phone left in a car"})
    assert out["count"] == 12 and out["user_id"] == off1.user_id and out["event_seq"] == second["seq"]
    assert out["from"] == "2026-11-28T09:50:00.000Z" and out["to"] == "2026-11-28T09:51:50.000Z"
    assert len(searches.get_state(svc, disp, sid)["tracks"][str(off1.user_id)]) == 12
    assert 0 < _coverage(svc, disp, sid) < both
    assert model_read.swept(svc, disp, sid)["track_points"] == 12
    with svc.reading() as s:
        assert s.query(TrackPoint).filter(TrackPoint.retracted_seq == out["seq"]).count() == 12
    with pytest.raises(ValidationError):   # nothing left in that batch
        retractions.retract_track(svc, disp, sid, {"event_seq": second["seq"], "reason": "again"})
    assert first["accepted"] == 12


def test_a_users_fixes_over_a_time_range_are_retracted(world):
    svc, sid, disp, off1 = world
    _walk(svc, off1, sid, "batch-000001", 40, 0.0)
    with pytest.raises(ValidationError) as bad:
        retractions.retract_track(svc, disp, sid, {"user_id": off1.user_id, "reason": "wrong phone"})
    assert set(bad.value.errors) == {"from", "to"}
    with pytest.raises(ValidationError):
        retractions.retract_track(svc, disp, sid, {"event_seq": 1, "user_id": off1.user_id, "reason": "both"})
    out = retractions.retract_track(svc, disp, sid, {"user_id": off1.user_id, "from": "2026-11-28T17:40:00+08:00",
                                                      "to": "2026-11-28T17:40:30+08:00", "reason": "wrong phone"})
    assert out["count"] == 4 and out["device"] == off1.device
    assert len(searches.get_state(svc, disp, sid)["tracks"][str(off1.user_id)]) == 8


def test_a_clue_is_retracted_and_no_map_shows_it(world):
    svc, sid, disp, off1 = world
    clue = field.report_clue(svc, off1, sid, {"kind": "clue", "time": "2026-11-28T17:50:00+08:00", "text": "glove",
                                              "location": {"type": "Point", "coordinates": LKP}})
    with pytest.raises(Forbidden):
        retractions.retract_clue(svc, off1, sid, clue["id"], {"reason": "not his"})
    retractions.retract_clue(svc, disp, sid, clue["id"], {"reason": "not his"})
    assert searches.get_state(svc, disp, sid)["clues"] == []
    assert _published(svc, "clue.retracted")[-1]["payload"]["clue_id"] == clue["id"]
    with svc.reading() as s:
        assert s.get(Clue, clue["id"]).retracted_at is not None
