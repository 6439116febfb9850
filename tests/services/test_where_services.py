"""Where to look, through the services (SQLite and PostgreSQL): segments, live coverage, POA update, suggestions."""
import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from search_coord.adapters.models import Segment
from search_coord.core.errors import ValidationError
from search_coord.services import field, model_read, recompute, searched_areas, searches, segment_edits, teams

from support import LKP, T0, search_payload, square


@pytest.fixture
def gridded(svc, people):
    """A dementia search, 2 h after last seen, split into 500 m squares; off1 on a foot patrol team."""
    d = people["disp"]
    svc.clock.now = T0 + timedelta(hours=2)
    sid = searches.open_search(svc, d, search_payload())["id"]
    searches.add_member(svc, d, sid, people["off1"].user_id)
    team = teams.create_team(svc, d, sid, {"name": "Foot 1", "kind": "foot_patrol", "leader_id": people["off1"].user_id})
    out = segment_edits.generate_segments(svc, d, sid, {"shape": "square", "cell_m": 500})
    return sid, team, out


def model(svc, people, sid):
    return model_read.get_model(svc, people["disp"], sid)


def test_generated_segments_hold_the_ring_probability_within_reach(svc, people, gridded):
    sid, _, out = gridded
    m = model(svc, people, sid)
    assert out["reach_m"] == pytest.approx(0.95 * 7200)  # 2 h at the dementia walking speed
    assert m["rings"][3]["radius_m"] == pytest.approx(12552.9, abs=0.1)
    # reach (6.84 km) < r95: every segment lies within reach and POAs + ROW sum to 1
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    assert m["row0"] < 0.01
    names = [s["name"] for s in m["segments"]]
    assert names[0] == "A1" and len(names) == len(set(names)) > 500
    centre = min(m["segments"], key=lambda s: abs(s["geometry"]["coordinates"][0][0][0] - LKP[0])
                 + abs(s["geometry"]["coordinates"][0][0][1] - LKP[1]))
    assert centre["poa0"] > 10 * (sum(s["poa0"] for s in m["segments"]) / len(m["segments"]))
    types = [e["type"] for _, e in svc.publisher.events]
    assert "segments.replaced" in types and types[-1] == "model.recomputed"


def fixes(points, start, acc=4.0):
    """Fixes 10 s apart at a phone's usual accuracy in the open (4 m, 95 %)."""
    return [{"t": (start + timedelta(seconds=10 * i)).isoformat(), "lon": lon, "lat": lat, "acc": acc}
            for i, (lon, lat) in enumerate(points)]


STEP = 0.0003   # 25.6 m every 10 s: each fix beyond the 2 x 12 m a fix must move to count (core/tracks.py)


def walk_east(n, lon0=LKP[0], lat=LKP[1] + 0.0005, step=STEP):
    return [(lon0 + i * step, lat) for i in range(n)]


def test_a_track_batch_changes_only_the_segments_it_touches(svc, people, gridded):
    sid, _, _ = gridded
    with svc.reading() as s:
        before = dict(s.execute(select(Segment.id, Segment.coverage).where(Segment.search_id == sid)).all())
    svc.publisher.events.clear()
    r = field.add_track_batch(svc, people["off1"], sid, {"client_id": "walk-000001",
                                                         "points": fixes(walk_east(20), T0 + timedelta(hours=1))})
    assert r["accepted"] == 20
    with svc.reading() as s:
        after = dict(s.execute(select(Segment.id, Segment.coverage).where(Segment.search_id == sid)).all())
    changed = {k for k in after if after[k] != before[k]}
    [(_, ev)] = svc.publisher.events
    assert changed and set(map(int, ev["payload"]["coverage"])) == changed
    assert len(changed) <= 3  # 20 fixes 8.5 m apart (~160 m) cross one or two 500 m cells
    walked = sum(after[k] for k in changed) * 500 * 500 / 20  # back from coverage to metres: C·A/W
    assert walked == pytest.approx(19 * STEP * 111319.5 * math.cos(math.radians(LKP[1] + 0.0005)), rel=0.01)


def test_a_new_batch_continues_the_track_but_gaps_never_count(svc, people, gridded):
    sid, _, _ = gridded
    o = people["off1"]
    t1 = T0 + timedelta(hours=1)
    field.add_track_batch(svc, o, sid, {"client_id": "walk-a-00001", "points": fixes(walk_east(2), t1)})
    field.add_track_batch(svc, o, sid, {"client_id": "walk-b-00001", "points": fixes(
        walk_east(2, lon0=LKP[0] + 2 * STEP), t1 + timedelta(seconds=20))})
    m = model(svc, people, sid)
    total = sum(s["coverage"] for s in m["segments"]) * 500 * 500 / 20
    assert total == pytest.approx(3 * STEP * 85_440, rel=0.02)  # 3 steps: the join between batches counts
    # a fix 10 minutes later: the gap is not walked ground
    field.add_track_batch(svc, o, sid, {"client_id": "walk-c-00001", "points": fixes(
        walk_east(1, lon0=LKP[0] + 10 * STEP), t1 + timedelta(minutes=10))})
    m2 = model(svc, people, sid)
    assert sum(s["coverage"] for s in m2["segments"]) == pytest.approx(sum(s["coverage"] for s in m["segments"]))


def test_incremental_coverage_equals_recompute_from_scratch(svc, people, gridded):
    sid, _, _ = gridded
    t1 = T0 + timedelta(hours=1)
    path = [(LKP[0] + 0.0003 * i, LKP[1] + 0.0002 * math.sin(i)) for i in range(60)]
    for k in range(6):
        field.add_track_batch(svc, people["off1"], sid, {"client_id": f"zig-{k:07d}",
                                                         "points": fixes(path[k * 10:(k + 1) * 10],
                                                                         t1 + timedelta(seconds=100 * k))})
    live = {s["id"]: s["coverage"] for s in model(svc, people, sid)["segments"]}
    result = recompute.recompute(svc, sid, "test")
    fresh = {s["id"]: s["coverage"] for s in model(svc, people, sid)["segments"]}
    assert result["track_points"] == 60
    assert fresh == pytest.approx(live, abs=1e-12)
    assert sum(live.values()) > 0


def test_pod_poa_update_and_row(svc, people, gridded):
    sid, _, _ = gridded
    m0 = model(svc, people, sid)
    seg = max(m0["segments"], key=lambda s: s["poa0"])
    ring = seg["geometry"]["coordinates"][0]
    # a whole cell (25 ha): more than an officer without an assignment may mark (issue 10 §4), so the dispatcher
    searched_areas.mark_searched(svc, people["disp"], sid, {"geometry": {"type": "Polygon", "coordinates": [ring]},
                                                   "pod": 0.6, "client_id": "area-000001"})
    m1 = model(svc, people, sid)
    s1 = next(s for s in m1["segments"] if s["id"] == seg["id"])
    assert s1["pod"] == pytest.approx(0.6, abs=1e-3)
    opos = seg["poa0"] * 0.6
    assert s1["poa"] == pytest.approx(seg["poa0"] * 0.4 / (1 - opos), rel=1e-3)
    assert m1["row"] == pytest.approx(m0["row0"] / (1 - opos), rel=1e-3)
    assert sum(s["poa"] for s in m1["segments"]) + m1["row"] == pytest.approx(1.0)
    assert m1["pos_total"] == pytest.approx(opos, rel=1e-3)


def test_consensus_poa(svc, people, gridded):
    sid, _, _ = gridded
    out = segment_edits.set_consensus(svc, people["disp"], sid, {"evaluations": [{"A1": 50, "B2": 30, "ROW": 20},
                                                                         {"A1": 30, "B2": 50, "ROW": 20}]})
    m = model(svc, people, sid)
    by = {s["name"]: s["poa0"] for s in m["segments"]}
    assert by["A1"] == pytest.approx(0.4) and by["B2"] == pytest.approx(0.4) and m["row0"] == pytest.approx(0.2)
    assert m["poa_basis"] == "consensus" and out["evaluators"] == 2
    with pytest.raises(ValidationError):
        segment_edits.set_consensus(svc, people["disp"], sid, {"evaluations": [{"ZZ9": 100}]})


def test_suggestions_rank_by_gain_and_accept_in_one_click(svc, people, gridded):
    sid, team, _ = gridded
    m = model(svc, people, sid)
    [sug] = m["suggestions"]
    best = max(m["segments"], key=lambda s: s["poa"] * -math.expm1(-20 * 0.8 * 3600 / s["area_m2"]))
    assert sug["team_id"] == team["id"] and sug["segment_id"] == best["id"]
    a = searched_areas.accept_suggestion(svc, people["disp"], sid, {"segment_id": sug["segment_id"], "team_id": team["id"]})
    assert a["segment_id"] == best["id"] and a["status"] == "assigned" and a["kind"] == "area"
    assert model(svc, people, sid)["suggestions"][0]["segment_id"] != best["id"]


def test_drawn_segments_never_overlap_and_settings_recompute(svc, people):
    d = people["disp"]
    svc.clock.now = T0 + timedelta(hours=1)
    sid = searches.open_search(svc, d, search_payload())["id"]
    a = segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.002), "name": "Park"})
    b = segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.004)})
    assert b["name"] == "D1" and b["area_m2"] == pytest.approx(4 * a["area_m2"] - a["area_m2"], rel=0.01)
    with pytest.raises(ValidationError):
        segment_edits.add_segment(svc, d, sid, {"geometry": square(d=0.001)})
    r = segment_edits.add_segment(svc, d, sid, {"geometry": {"type": "LineString", "coordinates": [
        [LKP[0] + 0.01, LKP[1]], [LKP[0] + 0.02, LKP[1]]]}, "width_m": 30})
    assert r["source"] == "route" and r["area_m2"] == pytest.approx(855 * 30 + math.pi * 15**2, rel=0.02)
    m = model(svc, people, sid)
    assert sum(s["poa0"] for s in m["segments"]) + m["row0"] == pytest.approx(1.0)
    s2 = segment_edits.update_settings(svc, d, sid, {"sweep_width_m": {"foot": 12}, "walking_speed_ms": 0.7})
    assert s2["sweep_width_m"] == {"foot": 12, "vehicle": 30.0, "door_to_door": 10.0}
    assert svc.publisher.events[-1][1]["type"] == "model.recomputed"
    with pytest.raises(ValidationError) as exc:
        segment_edits.update_settings(svc, d, sid, {"sweep_width_m": {"foot": -1, "boat": 3}})
    assert "sweep_width_m" in exc.value.errors


def test_swept_area_is_for_display_and_segment_status_follows_assignments(svc, people, gridded):
    sid, team, _ = gridded
    t1 = T0 + timedelta(hours=1)
    field.add_track_batch(svc, people["off1"], sid, {"client_id": "swept-00001", "points": fixes(walk_east(11), t1)})
    # the same street walked twice: coverage doubles, the swept area does not
    field.add_track_batch(svc, people["off1"], sid, {"client_id": "swept-00002",
                                                     "points": fixes(walk_east(11), t1 + timedelta(seconds=110))})
    sw = model_read.swept(svc, people["disp"], sid)
    length = 10 * STEP * 85_440
    assert sw["area_m2"] == pytest.approx(length * 20 + math.pi * 10**2, rel=0.05)
    m = model(svc, people, sid)
    searched = [s for s in m["segments"] if s["status"] == "searched"]
    assert searched and all(s["coverage"] > 0 for s in searched)
    seg = m["suggestions"][0]
    searched_areas.accept_suggestion(svc, people["disp"], sid, {"segment_id": seg["segment_id"], "team_id": team["id"]})
    statuses = {s["id"]: s["status"] for s in model(svc, people, sid)["segments"]}
    assert statuses[seg["segment_id"]] == "assigned"


def test_a_new_tracking_run_is_a_gap_never_searched_ground(svc, people, gridded):
    """The phone paused (page hidden) and resumed 30 s later: nothing between the two runs counts."""
    sid, _, _ = gridded
    t1 = T0 + timedelta(hours=1)
    pts = fixes(walk_east(4), t1)
    for p in pts[2:]:
        p["run"] = 1
    field.add_track_batch(svc, people["off1"], sid, {"client_id": "runs-000001", "points": pts})
    walked = sum(s["coverage"] for s in model(svc, people, sid)["segments"]) * 500 * 500 / 20
    assert walked == pytest.approx(2 * STEP * 85_440, rel=0.02)  # steps 0-1 and 2-3, not 1-2
    state = searches.get_state(svc, people["disp"], sid)
    keys = [p[3] for p in state["tracks"][str(people["off1"].user_id)]]   # the maps join fixes of one key only
    assert keys[0] == keys[1] != keys[2] == keys[3]


def test_track_events_are_small_but_the_api_has_every_fix(svc, people, gridded):
    sid, _, _ = gridded
    svc.publisher.events.clear()
    field.add_track_batch(svc, people["off1"], sid, {"client_id": "long-straight",
                                                     "points": fixes(walk_east(60), T0 + timedelta(hours=1))})
    [(_, ev)] = svc.publisher.events
    assert ev["payload"]["count"] == 60 and len(ev["payload"]["points"]) == 2  # a straight walk: its two ends
    state = searches.get_state(svc, people["disp"], sid)
    assert len(state["tracks"][str(people["off1"].user_id)]) == 60


def test_moving_the_last_known_point_recomputes_the_model_around_it(svc, people, gridded):
    sid, _, _ = gridded
    d = people["disp"]
    before = model(svc, people, sid)
    east = [LKP[0] + 0.01, LKP[1]]  # ~850 m east
    searches.update_search(svc, d, sid, {"lkp": east})
    after = model(svc, people, sid)
    assert after["model_version"] > before["model_version"] and after["lkp"]["coordinates"] == east
    assert svc.publisher.events[-1][1]["type"] == "model.recomputed"

    def poa_at(m, lon, lat):
        from shapely.geometry import Point, shape
        return next(g["poa0"] for g in m["segments"] if shape(g["geometry"]).covers(Point(lon, lat)))
    assert poa_at(after, *east) > poa_at(after, *LKP)
    assert poa_at(before, *east) < poa_at(before, *LKP)
