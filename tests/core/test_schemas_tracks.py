"""The quick check of a well-formed fix keeps exactly what the full check keeps (the same dicts, in the same order),
and leaves every other fix to the full check and its reasons."""
from datetime import datetime, timedelta, timezone

from search_coord.core import schemas, schemas_tracks

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
MISSING = NOW - timedelta(hours=3)
GOOD = {"t": "2026-11-28T17:40:00+08:00", "lon": 116.1985, "lat": 39.7712, "acc": 5}
FIXES = [
    GOOD, {**GOOD, "acc": 0}, {**GOOD, "acc": 12.5, "run": 3}, {k: v for k, v in GOOD.items() if k != "acc"},
    {**GOOD, "lon": 116, "lat": 39}, {**GOOD, "t": "2026-11-28T09:40:00Z"}, {**GOOD, "run": 0},
    {**GOOD, "lon": -180, "lat": 90}, {**GOOD, "lon": 180.0, "lat": -90.0, "acc": 100000},
    # everything below is for the full check to refuse, or to keep in its own way
    {**GOOD, "acc": None}, {**GOOD, "run": None}, {**GOOD, "acc": ""}, {**GOOD, "lon": True}, {**GOOD, "lat": "39"},
    {**GOOD, "lon": float("nan")}, {**GOOD, "lat": float("inf")}, {**GOOD, "acc": -1}, {**GOOD, "acc": 100001},
    {**GOOD, "run": 2**31}, {**GOOD, "run": 1.0}, {**GOOD, "run": False}, {**GOOD, "lon": 180.5},
    {**GOOD, "lon": 0.0, "lat": 0.0005}, {**GOOD, "extra": 1}, {"lon": 116.2, "lat": 39.7}, {**GOOD, "t": "now"},
    {**GOOD, "t": "2026-11-28T17:40:00"}, {**GOOD, "t": "2026-11-28T20:40:00+08:00"},
    {**GOOD, "t": "2026-11-28T12:00:00+08:00"}, [116.2, 39.7], "fix", None,
]


def full_check_only(monkeypatch, data):
    with monkeypatch.context() as m:
        m.setattr(schemas, "quick_fix", lambda *args: None)
        return schemas.clean_track_batch(data, NOW, MISSING)


def test_the_quick_check_keeps_what_the_full_check_keeps_and_leaves_the_rest_to_it(monkeypatch):
    for sent_at in (None, "2026-11-28T10:00:30Z"):   # a phone 30 s fast: its times are corrected first
        data = {"client_id": "batch-0001", "points": FIXES, **({"sent_at": sent_at} if sent_at else {})}
        quick = schemas.clean_track_batch(data, NOW, MISSING)
        full = full_check_only(monkeypatch, data)
        assert quick == full
        assert [list(f.items()) for f in quick["points"]] == [list(f.items()) for f in full["points"]]
        assert [type(f["lon"]) for f in quick["points"]] == [float] * len(quick["points"])
        assert {f["index"] for f in quick["points"]} >= set(range(9))   # (an empty acc or run is kept too)


def test_only_plain_good_fixes_take_the_quick_path():
    taken = [schemas_tracks.quick_fix(p, NOW, MISSING, timedelta(0)) is not None for p in FIXES]
    assert taken == [True] * 9 + [False] * (len(FIXES) - 9)
