from datetime import datetime, timedelta, timezone

import pytest

from search_coord.core import behaviour, schemas
from search_coord.core.errors import Conflict, UnknownCategoryError, ValidationError
from search_coord.core.photos import MAX_PHOTO_BYTES, sniff_image

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def base(**over):
    data = {"subject": {"name": "Zhang", "age": 80, "category": "dementia"},
            "lkp": {"type": "Point", "coordinates": [116.2, 39.77]}, "lkp_time": "2026-11-28T17:30:00+08:00",
            "risk": "high"}
    data.update(over)
    return data


def test_clean_search_converts_times_to_utc():
    out = schemas.clean_search(base(), NOW)
    assert out["lkp_time"] == datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
    assert out["subject"]["category"] == "dementia"


def test_every_field_error_is_reported_at_once():
    with pytest.raises(ValidationError) as exc:
        schemas.clean_search({"subject": {"age": 300, "category": "alien"}, "lkp": [0, 95],
                            "lkp_time": "2027-01-01T00:00:00Z", "risk": "extreme", "bogus": 1}, NOW)
    errors = exc.value.errors
    assert set(errors) == {"subject.name", "subject.age", "subject.category", "lkp", "lkp_time", "risk", "bogus"}
    assert "future" in errors["lkp_time"]


@pytest.mark.parametrize("value, message", [
    ("2026-11-28T17:30:00", "timezone"), ("yesterday", "ISO 8601"), (12, "ISO 8601"),
])
def test_bad_times(value, message):
    with pytest.raises(ValidationError) as exc:
        schemas.clean_search(base(lkp_time=value), NOW)
    assert message in exc.value.errors["lkp_time"]


def test_child_category_must_match_age():
    with pytest.raises(ValidationError) as exc:
        schemas.clean_subject({"name": "Li", "age": 9, "category": "child_1_3"})
    assert "ages 1 to 3" in exc.value.errors["category"]
    assert schemas.clean_subject({"name": "Li", "age": 2, "category": "child_1_3"})["age"] == 2


def test_partial_update_checks_only_what_is_sent_and_clears_optional_fields():
    out = schemas.clean_search({"notes": "", "risk": "low"}, NOW, partial=True)
    assert out == {"notes": None, "risk": "low"}
    with pytest.raises(ValidationError):
        schemas.clean_search({"risk": ""}, NOW, partial=True)


def test_assignment_geometry_must_fit_its_kind():
    line = {"type": "LineString", "coordinates": [[0, 0], [0.01, 0]]}
    with pytest.raises(ValidationError) as exc:
        schemas.clean_assignment({"title": "A", "kind": "area", "geometry": line})
    assert "geometry" in exc.value.errors
    assert schemas.clean_assignment({"title": "A", "kind": "route", "geometry": line})["kind"] == "route"


def test_assignment_transitions():
    schemas.check_assignment_transition("planned", "assigned")
    schemas.check_assignment_transition("in_progress", "done")
    for cur, new in (("planned", "done"), ("done", "in_progress"), ("aborted", "assigned"), ("assigned", "done")):
        with pytest.raises(Conflict):
            schemas.check_assignment_transition(cur, new)


def test_done_needs_a_debrief():
    with pytest.raises(ValidationError) as exc:
        schemas.clean_assignment_status({"status": "done"})
    assert "debrief" in exc.value.errors


def test_search_transitions():
    schemas.check_search_transition("open", "suspended")
    schemas.check_search_transition("found", "closed")
    with pytest.raises(Conflict):
        schemas.check_search_transition("closed", "open")


def test_clue_time_window():
    lkp = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
    data = {"kind": "sighting", "time": "2026-11-28T09:00:00Z", "location": [116.2, 39.77], "text": "seen"}
    with pytest.raises(ValidationError) as exc:
        schemas.clean_clue(data, NOW, lkp)
    assert "before" in exc.value.errors["time"]
    data["time"] = (NOW + timedelta(hours=1)).isoformat()
    with pytest.raises(ValidationError):
        schemas.clean_clue(data, NOW, lkp)
    data["time"] = "2026-11-28T10:00:00Z"
    assert schemas.clean_clue(data, NOW, lkp)["kind"] == "sighting"


def test_track_batch_names_the_bad_fix_and_sorts():
    lkp = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
    ok = {"t": "2026-11-28T10:00:05Z", "lon": 116.2, "lat": 39.77}
    early = {"t": "2026-11-28T10:00:00Z", "lon": 116.2, "lat": 39.77, "acc": 5}
    out = schemas.clean_track_batch({"client_id": "batch-0001", "points": [ok, early]}, NOW, lkp)
    assert [p["t"].second for p in out["points"]] == [0, 5]
    with pytest.raises(ValidationError) as exc:   # a malformed batch is refused whole
        schemas.clean_track_batch({"client_id": "x", "points": [ok]}, NOW, lkp)
    assert set(exc.value.errors) == {"client_id"}
    # one bad fix never refuses the batch: it is reported by its index, the rest kept
    out = schemas.clean_track_batch({"client_id": "batch-0003", "points": [ok, {"t": "bad", "lon": 999, "lat": 0}]},
                                  NOW, lkp)
    assert [p["index"] for p in out["points"]] == [0]
    assert [r["index"] for r in out["rejected"]] == [1] and "lon" in out["rejected"][0]["reason"]
    with pytest.raises(ValidationError):
        schemas.clean_track_batch({"client_id": "batch-0002", "points": [ok] * (schemas.MAX_FIXES_PER_BATCH + 1)}, NOW, lkp)


def test_categories_and_terrains():
    assert "dementia" in behaviour.categories() and "child_1_3" in behaviour.categories()
    assert "temperate_flat" in behaviour.terrains()
    with pytest.raises(UnknownCategoryError):
        behaviour.check_category("alien")


def test_photo_sniffing():
    assert sniff_image(b"\x89PNG\r\n\x1a\n" + b"0" * 10) == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0" + b"0" * 10) == "image/jpeg"
    with pytest.raises(ValidationError, match="not a JPEG"):
        sniff_image(b"<html>")
    with pytest.raises(ValidationError, match="larger"):
        sniff_image(b"\xff\xd8\xff" + b"0" * MAX_PHOTO_BYTES)


def test_user_validation():
    with pytest.raises(ValidationError) as exc:
        schemas.clean_user({"username": "bad name!", "display_name": "", "role": "boss", "password": "short"})
    assert set(exc.value.errors) == {"username", "display_name", "role", "password"}


def test_a_last_known_time_more_than_a_week_ago_must_be_confirmed():
    data = {"subject": {"name": "A", "category": "dementia", "age": 80},
            "lkp": {"type": "Point", "coordinates": [116.2, 39.77]}, "lkp_time": "2023-11-28T17:30:00+08:00",
            "risk": "high"}
    with pytest.raises(ValidationError) as exc:   # a wrong year, as a date picker makes it
        schemas.clean_search(data, NOW)
    assert "days ago" in exc.value.errors["lkp_time"] and "lkp_time_confirmed" in exc.value.errors
    out = schemas.clean_search({**data, "lkp_time_confirmed": True}, NOW)
    assert out["lkp_time"].year == 2023 and "lkp_time_confirmed" not in out
    assert schemas.clean_search({**data, "lkp_time": "2026-11-25T17:30:00+08:00"}, NOW)["risk"] == "high"



def test_a_phone_clock_offset_is_kept_steady_within_the_network_delay():
    now = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
    at = lambda s: (now + timedelta(seconds=s)).isoformat()  # noqa: E731
    assert schemas.clock_offset(at(10), now) is None                       # within the tolerance: the clock is right
    assert schemas.clock_offset(at(240), now) == 240                       # 4 min fast
    assert schemas.clock_offset(at(30.7), now) == pytest.approx(30.7)
    assert schemas.clock_offset(at(31.5), now, 30.7) == 30.7               # same clock, another delay: kept steady
    assert schemas.clock_offset(at(29.9), now, 30.7) == 30.7               # even across the tolerance
    assert schemas.clock_offset(at(0.4), now, 30.7) is None                # put right
    assert schemas.clock_offset(at(-600), now, 30.7) == -600               # set back 10 min: the new offset
    for junk in (None, "junk", 17, "99999-01-01T00:00:00Z"):
        assert schemas.clock_offset(junk, now, 30.7) is None
