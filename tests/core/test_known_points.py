"""The chain of known points as values: origin + confirmed sightings -> last known point, history, missing-since,
legs and implied speeds; the chain as a search stores it and back."""
from datetime import datetime, timedelta, timezone

from search_coord.core import known_points as kp

T0 = datetime(2026, 11, 29, 17, 30, tzinfo=timezone.utc)
M_PER_DEG_LON = 85_390.0  # at 39.9 N, about


def at(minutes, east_m=0.0, sid=None, source="sighting"):
    return kp.KnownPoint(116.3 + east_m / M_PER_DEG_LON, 39.9, T0 + timedelta(minutes=minutes),
                         source if sid is not None else "origin", sid)


def test_chain_keeps_sightings_after_the_origin_in_time_order():
    origin = at(0)
    c = kp.chain(origin, [at(20, 1200, sid=7), at(-5, 50, sid=3), at(10, 600, sid=5)], fastest_ms=1.3)
    assert [p.sighting_id for p in c.points] == [None, 5, 7]      # the earlier sighting does not move the chain
    assert c.origin == origin and c.lkp.sighting_id == 7
    assert [p.sighting_id for p in c.history] == [None, 5]
    assert [(leg.from_id, leg.to_id, leg.flag) for leg in c.legs] == [(None, 5, None), (5, 7, None)]
    assert round(c.legs[0].speed_ms, 1) == 1.0


def test_chain_of_the_origin_alone():
    c = kp.chain(at(0), [], 1.3)
    assert c.points == (at(0),) and c.lkp == at(0) and c.history == () and c.legs == ()


def test_history_round_trips_through_the_stored_form():
    c = kp.chain(at(0), [at(10, 600, sid=5), at(20, 1200, sid=7)], 1.3)
    hist = kp.history_entries(c.points, {"sighting 5": "2026-11-29T18:00:00.000Z"}, "2026-11-29T19:00:00.000Z")
    assert [h["replaced_by"] for h in hist] == ["sighting 5", "sighting 7"]
    assert [h["replaced_at"] for h in hist] == ["2026-11-29T18:00:00.000Z", "2026-11-29T19:00:00.000Z"]
    assert hist[0]["lkp_time"] == "2026-11-29T17:30:00.000Z"
    lkp = {"type": "Point", "coordinates": [c.lkp.lon, c.lkp.lat]}
    back = kp.stored_points(lkp, c.lkp.t.replace(tzinfo=None), hist)
    assert [p.sighting_id for p in back] == [None, 5, 7] and [p.t for p in back] == [p.t for p in c.points]
    # Missing since the first point, however far the chain has moved on (the one definition).
    assert kp.missing_since(c.lkp.t, hist) == T0
    assert kp.missing_since(T0.replace(tzinfo=None), None) == T0


def test_implied_legs_of_a_pending_sighting():
    origin, confirmed = at(0), [at(10, 600, sid=5), at(30, 1800, sid=7)]
    leg_in, leg_out = kp.implied_legs(at(12, 1500, sid=9), origin, confirmed, 1.3)
    assert (leg_in.from_id, leg_in.to_id, leg_in.flag) == (5, 9, "implausible")   # 900 m in 2 min
    assert (leg_out.from_id, leg_out.to_id) == (9, 7)
    first_in, _ = kp.implied_legs(at(5, 300, sid=9), origin, confirmed, 1.3)
    assert first_in.from_id is None and first_in.flag is None
    assert kp.implied_legs(at(-1, 0, sid=9), origin, [], 1.3) == (None, None)


def test_trail_legs_start_at_the_origin():
    first, legs = kp.trail_legs(at(0), [at(10, 600, sid=5), at(11, 700, sid=7)], 1.3)
    assert first.to_id == 5 and first.from_id is None
    assert [(leg.from_id, leg.to_id, leg.flag) for leg in legs] == [(5, 7, "fast")]
    assert kp.trail_legs(at(0), [], 1.3) == (None, ())
