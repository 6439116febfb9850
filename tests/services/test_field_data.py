"""Field data as real phones produce it (../shared/cases/field-data/README.md), through the services on SQLite and
PostgreSQL: jitter, coarse fixes, (0, 0), clocks that lie, fixes queued before a sighting, batches out of order."""
import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from shapely.geometry import box, mapping

from search_coord.core.geometry import LocalProjection
from search_coord.services import field, model_read, recompute, searches, segment_edits, teams, video

from support import search_payload

CENTRE = (116.30, 39.90)
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
PROJ = LocalProjection(CENTRE[1], CENTRE[0])


def lonlat(x, y):
    lon, lat = PROJ.to_lonlat(x, y)
    return float(lon), float(lat)


def square_m(cx, cy, half):
    return mapping(PROJ.unproject(box(cx - half, cy - half, cx + half, cy + half)))


@pytest.fixture
def night(svc, people):
    """A dementia search with its last known point at the cases' centre, missing since 2 h before NOW; off1 on a foot
    patrol; one 200 m x 200 m segment around the centre."""
    d = people["disp"]
    svc.clock.now = NOW
    sid = searches.open_search(svc, d, search_payload(lkp={"type": "Point", "coordinates": list(CENTRE)},
                                                      lkp_time=(NOW - timedelta(hours=2)).isoformat()))["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, d, sid, people[name].user_id)
    teams.create_team(svc, d, sid, {"name": "Foot 1", "kind": "foot_patrol", "leader_id": people["off1"].user_id})
    seg = segment_edits.add_segment(svc, d, sid, {"geometry": square_m(0, 0, 100), "name": "GATE"})
    return sid, seg["id"]


def pod(svc, people, sid, seg_id):
    segs = {s["id"]: s for s in model_read.get_model(svc, people["disp"], sid)["segments"]}
    return segs[seg_id]["pod"]


def post(svc, actor, sid, points, n, **extra):
    return field.add_track_batch(svc, actor, sid, {"client_id": f"batch-{sid}-{n:06d}", "points": points, **extra})


def fix(x, y, t, acc=5.0, **extra):
    lon, lat = lonlat(x, y)
    return {"t": t.isoformat(), "lon": lon, "lat": lat, "acc": acc, **extra}


def test_standing_still_at_the_gate_adds_under_one_percent_pod(svc, people, night):
    """jitter: 300 fixes 2 s apart, each 3-8 m from the one before, within 12 m of one point, accuracy 18 m."""
    sid, seg = night
    rnd = random.Random(9)
    x = y = 0.0
    pts = []
    start = NOW - timedelta(minutes=11)
    while len(pts) < 300:
        a, step = rnd.uniform(0, 2 * math.pi), rnd.uniform(3, 8)
        nx, ny = x + step * math.cos(a), y + step * math.sin(a)
        if math.hypot(nx, ny) <= 12:
            x, y = nx, ny
            pts.append(fix(x, y, start + timedelta(seconds=2 * len(pts)), acc=18.0))
    for i in range(0, 300, 10):
        assert post(svc, people["off1"], sid, pts[i:i + 10], i)["accepted"] == 10
    assert pod(svc, people, sid, seg) < 0.01


def test_a_coarse_fix_gives_the_block_it_points_into_no_coverage(svc, people, night):
    sid, street_seg = night
    block = segment_edits.add_segment(svc, people["disp"], sid, {"geometry": square_m(110, 250, 90), "name": "BLOCK"})["id"]
    start = NOW - timedelta(minutes=30)
    walk = [fix(-100 + 10 * i, 0, start + timedelta(seconds=5 * i), acc=6.0) for i in range(12)]
    coarse = [fix(110, 250, start + timedelta(seconds=60), acc=1200.0)]
    more = [fix(20 + 10 * i, 0, start + timedelta(seconds=65 + 5 * i), acc=6.0) for i in range(12)]
    out = post(svc, people["off1"], sid, walk + coarse + more, 1)
    assert out["accepted"] == 25 and out["rejected"] == []
    assert pod(svc, people, sid, block) == 0.0
    assert pod(svc, people, sid, street_seg) > 0
    # the map never joins the coarse fix into a line: it comes without a track key
    state = searches.get_state(svc, people["disp"], sid)
    mine = state["tracks"][str(people["off1"].user_id)]
    keys = {round(p[1], 4): p[3] for p in mine}
    assert keys[round(lonlat(110, 250)[1], 4)] is None
    assert len({p[3] for p in mine if p[3] is not None}) == 1   # the walk on either side is one piece


def test_null_island_is_refused_per_fix_and_never_drawn(svc, people, night):
    sid, _ = night
    start = NOW - timedelta(minutes=20)
    pts = [fix(5 * i, 0, start + timedelta(seconds=5 * i)) for i in range(10)]
    pts[5] = {"t": pts[5]["t"], "lon": 0, "lat": 0, "acc": 5.0}
    svc.publisher.events.clear()
    out = post(svc, people["off1"], sid, pts, 1)
    assert out["accepted"] == 9 and [r["index"] for r in out["rejected"]] == [5]
    assert "(0, 0)" in out["rejected"][0]["reason"]
    [(_, ev)] = svc.publisher.events
    assert all(abs(p[0]) > 100 for p in ev["payload"]["points"])
    state = searches.get_state(svc, people["disp"], sid)
    assert all(abs(p[0]) > 100 for p in state["tracks"][str(people["off1"].user_id)])


def test_a_fix_kilometres_outside_the_region_is_refused_per_fix(svc, people, night):
    sid, _ = night
    start = NOW - timedelta(minutes=20)
    pts = [fix(5 * i, 0, start + timedelta(seconds=5 * i)) for i in range(5)] + \
        [fix(60_000, 0, start + timedelta(seconds=30))]
    out = post(svc, people["off1"], sid, pts, 1)
    assert out["accepted"] == 5 and out["rejected"][0]["index"] == 5
    assert "km from the last known point" in out["rejected"][0]["reason"]


def test_one_fix_from_a_fast_clock_is_reported_and_the_rest_stored(svc, people, night):
    sid, _ = night
    pts = [fix(5 * i, 0, NOW - timedelta(seconds=60 - 5 * i)) for i in range(10)]
    pts[7]["t"] = (NOW + timedelta(minutes=3)).isoformat()
    out = post(svc, people["off1"], sid, pts, 1, sent_at=NOW.isoformat())
    assert out["accepted"] == 9 and out["rejected"][0]["index"] == 7 and "future" in out["rejected"][0]["reason"]
    assert out["clock_offset_s"] is None


@pytest.mark.parametrize("offset_s", [240, -420, 3 * 3600])
def test_a_phone_whose_clock_is_off_has_its_times_corrected_and_the_dispatcher_sees_it(svc, people, night, offset_s):
    sid, _ = night
    phone = NOW + timedelta(seconds=offset_s)
    pts = [fix(5 * i, 0, phone - timedelta(seconds=60 - 5 * i)) for i in range(10)]
    out = post(svc, people["off1"], sid, pts, 1, sent_at=phone.isoformat(), device="phone-a")
    assert out["accepted"] == 10 and out["rejected"] == [] and out["clock_offset_s"] == pytest.approx(offset_s)
    state = searches.get_state(svc, people["disp"], sid)
    times = [p[2] for p in state["tracks"][str(people["off1"].user_id)]]
    assert times[-1] == (NOW - timedelta(seconds=15)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert state["clocks"] == [{"user_id": people["off1"].user_id, "device": "phone-a",
                                "offset_s": pytest.approx(offset_s), "measured_at": state["clocks"][0]["measured_at"]}]
    # its clock put right: the next batch clears the flag
    post(svc, people["off1"], sid, [fix(60, 0, NOW - timedelta(seconds=5))], 2, sent_at=NOW.isoformat(),
         device="phone-a")
    assert searches.get_state(svc, people["disp"], sid)["clocks"] == []


def test_fixes_and_a_clue_queued_before_a_sighting_are_all_accepted(svc, people, night):
    """after a sighting: confirm a sighting at now - 20 min; then fixes from now - 40 to now - 31 min and a clue at
    now - 35 min arrive (queued offline)."""
    sid, _ = night
    d = people["disp"]
    cam = video.create_camera(svc, d, {"code": "S1", "name": "Shop", "location": list(lonlat(300, 0)),
                                       "kind": "shop"})
    x = video.log_sighting(svc, people["off2"], sid, {"camera_id": cam["id"], "clock": "true", "confidence": "certain",
                                                      "time": (NOW - timedelta(minutes=20)).isoformat()})
    assert video.decide_sighting(svc, d, sid, x["id"], {"decision": "confirm", "tz_offset_min": 480})["lkp_moved"]
    pts = [fix(5 * i, 0, NOW - timedelta(minutes=40 - i)) for i in range(10)]
    assert post(svc, people["off1"], sid, pts, 1)["accepted"] == 10
    clue = field.report_clue(svc, people["off1"], sid, {"kind": "clue", "text": "a glove",
                                                        "time": (NOW - timedelta(minutes=35)).isoformat(),
                                                        "location": list(lonlat(20, 0))})
    assert clue["text"] == "a glove"
    assert searches.get_search(svc, d, sid)["missing_since"].startswith((NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H"))


def _walk_batches(seed, n_batches=6, per=8):
    rnd = random.Random(seed)
    x, y, h = -90.0, -40.0, 0.3
    start = NOW - timedelta(minutes=50)
    pts = []
    for i in range(n_batches * per):
        pts.append(fix(x, y, start + timedelta(seconds=5 * i), acc=rnd.uniform(3, 12)))
        h += rnd.uniform(-0.5, 0.5)
        x, y = x + 6 * math.cos(h), y + 6 * math.sin(h)
    # a stop in the middle: jitter inside the GPS error
    for j in range(6):
        pts.insert(20 + j, {**pts[19], "t": (start + timedelta(seconds=5 * 19 + j + 0.5)).isoformat()})
    return [pts[i:i + per] for i in range(0, len(pts), per)]


@pytest.mark.parametrize("order", ["in order", "reversed", "shuffled", "resent"])
def test_coverage_does_not_depend_on_the_order_batches_arrive_in(svc, people, night, order):
    sid, seg = night
    east = segment_edits.add_segment(svc, people["disp"], sid, {"geometry": square_m(250, 0, 150), "name": "EAST"})["id"]
    batches = _walk_batches(3)
    sent = list(enumerate(batches))
    if order == "reversed":
        sent.reverse()
    elif order == "shuffled":
        random.Random(5).shuffle(sent)
    elif order == "resent":   # the same fixes again under new client ids: stored once, counted once
        sent = sent + [(i + 100, b) for i, b in sent[1:4]]
    for i, b in sent:
        post(svc, people["off1"], sid, b, i)
    live = {s["id"]: s["coverage"] for s in model_read.get_model(svc, people["disp"], sid)["segments"]}
    recompute.recompute(svc, sid, "test")
    full = {s["id"]: s["coverage"] for s in model_read.get_model(svc, people["disp"], sid)["segments"]}
    assert live == pytest.approx(full, abs=1e-9)
    assert live[seg] > 0 and set(live) == {seg, east}
    # the same coverage as the batches sent in order on a search of their own
    assert live[seg] == pytest.approx(_in_order_coverage(svc, people, batches), abs=1e-9)
    state = searches.get_state(svc, people["disp"], sid)
    assert len(state["tracks"][str(people["off1"].user_id)]) == sum(len(b) for b in batches)


def _in_order_coverage(svc, people, batches):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload(lkp={"type": "Point", "coordinates": list(CENTRE)},
                                                      lkp_time=(NOW - timedelta(hours=2)).isoformat()))["id"]
    searches.add_member(svc, d, sid, people["off1"].user_id)
    teams.create_team(svc, d, sid, {"name": "Foot 1", "kind": "foot_patrol", "leader_id": people["off1"].user_id})
    seg = segment_edits.add_segment(svc, d, sid, {"geometry": square_m(0, 0, 100), "name": "GATE"})["id"]
    for i, b in enumerate(batches):
        post(svc, people["off1"], sid, b, 500 + i)
    return {s["id"]: s["coverage"] for s in model_read.get_model(svc, d, sid)["segments"]}[seg]


def test_two_devices_on_one_account_are_two_tracks(svc, people, night):
    sid, seg = night
    start = NOW - timedelta(minutes=30)
    north = [fix(-90 + 10 * i, 50, start + timedelta(seconds=5 * i)) for i in range(18)]
    south = [fix(-90 + 10 * i, -50, start + timedelta(seconds=5 * i + 2)) for i in range(18)]
    for i in range(0, 18, 6):   # interleaved in time, as two phones send them
        post(svc, people["off1"], sid, north[i:i + 6], i, device="phone-n")
        post(svc, people["off1"], sid, south[i:i + 6], 100 + i, device="phone-s")
    walked = model_read.get_model(svc, people["disp"], sid)["segments"][0]["coverage"] * 200 * 200 / 20
    # each street is counted as 150 m (a vertex every 30 m: 10 m steps, 2 x 12 m to move) and never a zig-zag
    assert walked == pytest.approx(2 * 150, rel=0.02)


def test_reach_stops_growing_at_the_rest_of_world_ring_unless_the_dispatcher_widens_it(svc, people, night):
    """A person with dementia does not walk 49 km in 14 hours: reach stops at 1.5 x the 95 % ring (18.8 km)."""
    sid, _ = night
    svc.clock.now = NOW + timedelta(hours=12)   # 14 h after the last known time
    m = model_read.get_model(svc, people["disp"], sid)
    assert m["reach"]["radius_m"] == pytest.approx(1.5 * 12552.9, abs=1) and m["reach"]["capped"]
    segment_edits.update_settings(svc, people["disp"], sid, {"max_reach_m": 30_000})
    assert model_read.get_model(svc, people["disp"], sid)["reach"]["radius_m"] == 30_000
    segment_edits.update_settings(svc, people["disp"], sid, {"max_reach_m": None})
    assert model_read.get_model(svc, people["disp"], sid)["reach"]["radius_m"] == pytest.approx(18829.4, abs=1)
    svc.clock.now = NOW   # 2 h: 0.95 m/s x 7200 s, well inside the cap
    m = model_read.get_model(svc, people["disp"], sid)
    assert m["reach"]["radius_m"] == pytest.approx(6840) and not m["reach"]["capped"]


_walk = st.lists(st.tuples(st.floats(-12, 12), st.floats(-12, 12), st.floats(2, 60), st.floats(1, 8),
                           st.integers(0, 30)), min_size=2, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_walk, cut=st.lists(st.integers(1, 39), max_size=6, unique=True), order=st.randoms(use_true_random=False))
def test_live_coverage_equals_a_recount_whatever_the_batches_and_their_order(svc, people, steps, cut, order):
    """Property: any walk (steps of -12..12 m, accuracy 2-60 m, 1-8 s apart, with pauses), cut into any batches sent
    in any order, leaves every segment with the coverage a recount from scratch gives."""
    d = people["disp"]
    svc.clock.now = NOW
    sid = searches.open_search(svc, d, search_payload(lkp={"type": "Point", "coordinates": list(CENTRE)},
                                                      lkp_time=(NOW - timedelta(hours=2)).isoformat()))["id"]
    searches.add_member(svc, d, sid, people["off1"].user_id)
    for i, (cx, cy) in enumerate([(-50, 0), (50, 0), (0, 100)]):
        segment_edits.add_segment(svc, d, sid, {"geometry": square_m(cx, cy, 50), "name": f"S{i}"})
    x = y = 0.0
    t = NOW - timedelta(minutes=30)
    pts = []
    for dx, dy, acc, dt, pause in steps:
        x, y, t = x + dx, y + dy, t + timedelta(seconds=dt + (150 if pause == 0 else 0))
        pts.append(fix(x, y, t, acc=acc))
    bounds = [0] + sorted(c for c in cut if c < len(pts)) + [len(pts)]
    batches = [pts[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    order.shuffle(batches)
    for i, b in enumerate(batches):
        post(svc, people["off1"], sid, b, i)
    live = {s["id"]: s["coverage"] for s in model_read.get_model(svc, d, sid)["segments"]}
    recompute.recompute(svc, sid, "test")
    full = {s["id"]: s["coverage"] for s in model_read.get_model(svc, d, sid)["segments"]}
    assert live == pytest.approx(full, abs=1e-9)


def test_a_clock_near_the_tolerance_is_corrected_steadily_whatever_the_network_delay(svc, people, night):
    """A phone 30.5 s fast whose batches take 0.2 s or 1 s to arrive: every batch is shifted by the same offset, so
    the walk is never folded back on itself (it counted twice when each batch was judged alone)."""
    sid, seg = night
    start = NOW - timedelta(minutes=10)

    def walk(offset_s, delays, first):
        for k in range(16):
            now = start + timedelta(seconds=25 * k + 20)
            svc.clock.now = now
            pts = [fix(-110 + 14 * (5 * k + j), 0, now - timedelta(seconds=20 - 5 * j) + timedelta(seconds=offset_s))
                   for j in range(5)]
            sent = now + timedelta(seconds=offset_s - delays[k % len(delays)])
            post(svc, people["off1"], sid, pts, first + k, sent_at=sent.isoformat(), device=f"p{first}")
        return sum(s["coverage"] for s in model_read.get_model(svc, people["disp"], sid)["segments"])

    steady = walk(30.5, [0.2], 0)
    assert walk(30.5, [0.2, 1.0], 100) == pytest.approx(2 * steady, rel=1e-6)   # the same again, on another phone
    state = searches.get_state(svc, people["disp"], sid)
    assert {c["device"] for c in state["clocks"]} == {"p0", "p100"}


def test_an_unreadable_send_time_corrects_nothing_and_refuses_nothing(svc, people, night):
    sid, _ = night
    pts = [fix(5 * i, 0, NOW - timedelta(seconds=60 - 5 * i)) for i in range(5)]
    for n, sent in enumerate(["99999-01-01T00:00:00Z", "yesterday", 17]):
        out = post(svc, people["off1"], sid, [dict(p, t=(NOW - timedelta(seconds=50 - n)).isoformat()) for p in pts[:1]],
                   n, sent_at=sent)
        assert out["accepted"] == 1 and out["clock_offset_s"] is None


def test_an_older_batch_that_joins_pieces_tells_the_maps_the_new_keys(svc, people, night):
    """A phone back from a garage sends its queued batches out of order: the later batch arrives first and, across the
    missing stretch, looks like a jump (its own piece); the older batch then joins them into one piece, and its event
    names the new key of every fix the maps already have, so they draw one line, as a reload would."""
    sid, _ = night
    start = NOW - timedelta(minutes=20)
    walk = [fix(-60 + 10 * i, 0, start + timedelta(seconds=i), acc=5.0) for i in range(13)]
    post(svc, people["off1"], sid, walk[:4], 1, device="ph")
    svc.publisher.events.clear()
    post(svc, people["off1"], sid, walk[9:], 2, device="ph")      # 50 m in 6 s after a 4-fix hole: a jump
    post(svc, people["off1"], sid, walk[4:9], 3, device="ph")     # the hole, late
    (_, later), (_, older) = svc.publisher.events
    assert "rekeyed" not in later["payload"]
    state = searches.get_state(svc, people["disp"], sid)
    keys = {p[2]: p[3] for p in state["tracks"][str(people["off1"].user_id)]}
    assert len(set(keys.values())) == 1                            # one piece, as a reload shows it
    rekeyed = dict(older["payload"]["rekeyed"])
    assert {p[2] for p in later["payload"]["points"]} <= set(rekeyed)   # every fix the maps drew in its own piece
    assert set(rekeyed.values()) == set(keys.values())
