"""Server-made alerts carry {kind, params} (SQLite and PostgreSQL), with their two-language text kept as the fallback;
the event log refuses a type or a payload the catalogue does not declare."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from search_coord.adapters.models import Broadcast, Event
from search_coord.core import alerts
from search_coord.core.catalogue import EventPayloadError, UnknownEventType
from search_coord.services import broadcasts, events, searches, video

from support import LKP, T0, search_payload


@pytest.fixture
def on_search(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, d, sid, people[name].user_id)
    return sid


def test_found_is_stored_as_a_kind_with_params_and_its_two_language_text(svc, people, on_search):
    sid = on_search
    searches.mark_found(svc, people["off1"], sid, {"time": (T0 + timedelta(minutes=20)).isoformat(),
                                                   "location": [116.2, 39.77], "condition": "injured"})
    sent = svc.publisher.events[-1][1]["payload"]["broadcast"]
    assert sent["kind"] == "found" and sent["params"] == {"condition": "injured"}
    assert sent["text"] == "FOUND (injured). Stand down.\n已找到（受伤），全体收队。"
    [pending] = broadcasts.unacknowledged(svc, people["off2"], sid)
    assert pending["params"] == {"condition": "injured"} and pending["text"] == sent["text"]
    [listed] = broadcasts.list_broadcasts(svc, people["disp"], sid)
    assert listed["params"] == {"condition": "injured"}


def test_a_dispatchers_own_text_has_no_params_and_old_rows_still_read(svc, people, on_search):
    sid = on_search
    b = broadcasts.send(svc, people["disp"], sid, {"kind": "direction", "text": "heading east"})
    assert b["params"] is None
    with svc.transaction() as s:   # a row from before migration 0012: "English\nChinese", no params
        s.add(Broadcast(search_id=sid, kind="found", text="FOUND (well). Stand down.\n已找到（状况良好），全体收队。",
                        sent_by=people["disp"].user_id, sent_at=T0.replace(tzinfo=None), event_seq=b["seq"]))
    views = broadcasts.unacknowledged(svc, people["off1"], sid)
    assert [v["params"] for v in views] == [None, None]
    assert views[1]["text"].split("\n")[1] == "已找到（状况良好），全体收队。"


def test_alert_values_word_the_fallback_exactly_as_before():
    seen = datetime(2026, 11, 30, 9, 36, tzinfo=timezone.utc)
    a = alerts.sighting(seen, "C3", "Supermarket door", "E", tz_offset_min=480)
    assert a.kind == "sighting"
    assert dict(a.params) == {"time": "2026-11-30T09:36:00.000Z", "code": "C3", "camera": "Supermarket door",
                              "heading": "E"}
    assert a.text == ("Seen 17:36 at camera C3 (Supermarket door), heading east.\n"
                      "17:36 在摄像头 C3（Supermarket door）发现，向东方向行走。")
    none = alerts.sighting(seen.replace(tzinfo=None), "C3", "Door", None)
    assert none.params["heading"] is None and none.text.startswith("Seen 09:36 at camera C3 (Door).\n")
    d = alerts.disregard(seen, "C3", "Door", tz_offset_min=480)
    assert dict(d.params) == {"time": "2026-11-30T09:36:00.000Z", "code": "C3", "camera": "Door"}
    assert d.text.startswith("DISREGARD the sighting at 17:36 at camera C3 (Door): it was not the person.\n撤销：17:36")
    with pytest.raises(ValueError):
        alerts.Alert("gossip", {})
    with pytest.raises(ValueError):
        alerts.Alert("found", {"condition": "well", "extra": 1})


def test_the_log_refuses_an_unknown_type_and_a_payload_off_the_catalogue(svc, people, on_search):
    sid = on_search
    with svc.reading() as s:
        before = s.execute(select(Event.seq).where(Event.search_id == sid)).scalars().all()
    with pytest.raises(UnknownEventType, match="search.opend"):
        with svc.transaction() as s:
            events.record(s, sid, "search.opend", people["disp"], {"search": {}}, svc.now())
    with pytest.raises(EventPayloadError, match="missing reason"):
        with svc.transaction() as s:
            events.record(s, sid, "area.retracted", people["disp"], {"area_id": 1}, svc.now())
    with svc.reading() as s:   # nothing was logged, and the sequence did not move
        assert s.execute(select(Event.seq).where(Event.search_id == sid)).scalars().all() == before


def test_a_confirmed_then_retracted_sighting_alerts_with_params(svc, people, on_search):
    sid, d = on_search, people["disp"]
    road = video.create_camera(svc, d, {"code": "C2", "name": "Supermarket door", "kind": "traffic",
                                        "location": [LKP[0] + 0.006, LKP[1]], "direction_deg": 90, "fov_deg": 60})
    seen = T0 + timedelta(minutes=12)
    x = video.log_sighting(svc, people["off2"], sid, {"camera_id": road["id"], "time": seen.isoformat(),
                                                      "direction": "E", "confidence": "probable", "clock": "true"})
    video.decide_sighting(svc, d, sid, x["id"], {"decision": "confirm", "tz_offset_min": 480})
    video.decide_sighting(svc, d, sid, x["id"], {"decision": "retract", "tz_offset_min": 480})
    sent = [e["payload"]["broadcast"] for _, e in svc.publisher.events if e["type"] == "broadcast.sent"]
    at = alerts.iso_z(seen)
    assert [(b["kind"], b["params"]) for b in sent] == [
        ("sighting", {"time": at, "code": "C2", "camera": "Supermarket door", "heading": "E"}),
        ("disregard", {"time": at, "code": "C2", "camera": "Supermarket door"})]
    hhmm = (seen + timedelta(minutes=480)).strftime("%H:%M")
    assert sent[0]["text"].startswith(f"Seen {hhmm} at camera C2 (Supermarket door), heading east.\n")
    assert sent[1]["text"].startswith(f"DISREGARD the sighting at {hhmm} at camera C2 (Supermarket door)")
    assert [b["params"] for b in broadcasts.unacknowledged(svc, people["off1"], sid)] == [b["params"] for b in sent]
