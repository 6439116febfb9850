"""The urgency strip's rules: the light at a place and time (against published tables), medication doses missed
while missing, risk reasons the facts support, and the escalation checklist."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from search_coord.core import urgency
from search_coord.core.errors import ValidationError

BEIJING = ZoneInfo("Asia/Shanghai")


def _near(t: datetime, hh: int, mm: int, ss: int = 0, tol_s: int = 60) -> bool:
    want = t.replace(hour=hh, minute=mm, second=ss, microsecond=0)
    return abs((t - want).total_seconds()) <= tol_s


def test_beijing_first_of_july_2026_matches_the_published_table():
    # vercalendario.info, Beijing, 1 July 2026: sunset 19:46:55, civil dusk 20:19; next sunrise (2 July) 04:49
    sun = urgency.light(116.39723, 39.9075, datetime(2026, 7, 1, 15, 0, tzinfo=BEIJING), BEIJING)
    assert _near(sun.sunset.astimezone(BEIJING), 19, 46, 55)
    assert _near(sun.dusk.astimezone(BEIJING), 20, 19, 30, tol_s=60)
    assert sun.sunrise.astimezone(BEIJING).date().day == 2 and _near(sun.sunrise.astimezone(BEIJING), 4, 49, 30, 60)


def test_usno_table_cupertino_new_year_2008():
    # U.S. Naval Observatory, W121°55' N37°24', zone 8 h west: 1 Jan 2008 set 17:00, 2 Jan rise 07:22
    pst = timezone(timedelta(hours=-8))
    sun = urgency.light(-(121 + 55 / 60), 37 + 24 / 60, datetime(2008, 1, 1, 12, 0, tzinfo=pst), pst)
    assert _near(sun.sunset, 17, 0) and _near(sun.sunrise, 7, 22)


def test_small_hours_belong_to_the_night_that_began_yesterday():
    now = datetime(2026, 11, 30, 2, 0, tzinfo=BEIJING)
    sun = urgency.light(116.1985, 39.7712, now, BEIJING)
    assert sun.sunset.astimezone(BEIJING).day == 29 and sun.sunrise.astimezone(BEIJING).day == 30
    assert sun.dark(now)


def test_polar_night_has_no_sunset_and_says_so():
    now = datetime(2026, 12, 21, 12, 0, tzinfo=timezone.utc)
    sun = urgency.light(15.6, 78.2, now, timezone.utc)   # Longyearbyen
    assert sun.sunset is None and sun.as_json(now)["sunset"] is None


def test_medications_checked_and_sorted():
    assert urgency.clean_medications([{"name": " B ", "due": "20:00"}, {"name": "A", "due": "08:30"}]) == [
        {"name": "A", "due": "08:30"}, {"name": "B", "due": "20:00"}]
    for bad in ("20:00", [{"name": "A", "due": "8pm"}], [{"name": "", "due": "08:00"}], [{"due": "25:00", "name": "x"}],
                [{"name": "A", "due": "08:00", "dose": 1}]):
        with pytest.raises(ValidationError):
            urgency.clean_medications(bad)


def test_a_dose_due_while_missing_is_overdue_and_the_next_one_counts_down():
    since = datetime(2026, 11, 30, 18, 0, tzinfo=BEIJING)
    meds = [{"name": "Amlodipine", "due": "20:00"}]
    before = urgency.medication_times(meds, since + timedelta(hours=1), since, BEIJING)[0]
    assert before["overdue_since"] is None and before["next_at"] == "2026-11-30T12:00:00Z"
    after = urgency.medication_times(meds, since + timedelta(hours=3), since, BEIJING)[0]
    assert after["overdue_since"] == "2026-11-30T12:00:00Z" and after["next_at"] == "2026-12-01T12:00:00Z"


def test_prompts_fall_due_by_time_and_condition_and_keep_their_decision():
    since = datetime(2026, 11, 30, 17, 0, tzinfo=BEIJING)
    facts = {"risk_high": True, "dark": False}
    got = urgency.prompts(urgency.DEFAULT_CHECKLIST, since + timedelta(minutes=65), since, facts,
                          {"family_liaison": {"decision": "done", "by": "Wang", "note": None}}, BEIJING)
    ids = {p["id"]: p["state"] for p in got}
    assert ids["family_liaison"] == "done" and ids["request_dog"] == "due" and ids["widen_area"] == "due"
    assert "request_drone" not in ids and "media_officer" not in ids
    late = urgency.prompts(urgency.DEFAULT_CHECKLIST, datetime(2026, 11, 30, 19, 40, tzinfo=BEIJING), since,
                           {"dark": True}, {}, BEIJING)
    assert "shift_handover@2026-11-30T20:00" in {p["id"] for p in late} and "request_drone" in {p["id"] for p in late}


def test_checklist_file_items_are_checked():
    assert urgency.clean_checklist([{"id": "call_k9", "after_min": 10, "text": {"en": "Call", "zh-CN": "呼叫"}}])
    for bad in ([], [{"id": "Bad Id"}], [{"id": "x", "when": ["moon"]}], [{"id": "x", "at": ["8pm"]}]):
        with pytest.raises(ValueError):
            urgency.clean_checklist(bad)


def test_summary_suggests_reasons_the_facts_support():
    since = datetime(2026, 11, 30, 17, 30, tzinfo=BEIJING)
    out = urgency.summary(now=since + timedelta(hours=3), missing_since=since, lon=116.1985, lat=39.7712, tz=BEIJING,
                          risk="high", reasons=["age"], medications=[{"name": "A", "due": "19:00"}],
                          weather={"temperature_c": -3, "low_tonight_c": -8}, checklist=urgency.DEFAULT_CHECKLIST,
                          decisions={})
    assert out["missing_for_s"] == 3 * 3600 and out["light"]["dark"]
    assert set(out["risk"]["suggested"]) == {"nightfall", "weather", "medication"}
