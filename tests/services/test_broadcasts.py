"""Acknowledged broadcasts (SQLite and PostgreSQL)."""
from datetime import timedelta

import pytest

from search_coord.core.errors import Forbidden, ValidationError
from search_coord.services import broadcasts, searches

from support import T0, search_payload


@pytest.fixture
def on_search(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, d, sid, people[name].user_id)
    return sid


def test_who_has_and_has_not_acknowledged(svc, people, on_search):
    sid = on_search
    b = broadcasts.send(svc, people["disp"], sid, {"kind": "direction", "text": "seen heading east on Jingliang Rd"})
    assert svc.publisher.events[-1][1]["type"] == "broadcast.sent"
    first = broadcasts.acknowledge(svc, people["off1"], sid, b["id"])
    again = broadcasts.acknowledge(svc, people["off1"], sid, b["id"])
    assert first["duplicate"] is False and again["duplicate"] is True and again["at"] == first["at"]
    [view] = broadcasts.list_broadcasts(svc, people["disp"], sid)
    assert [a["user_id"] for a in view["acked"]] == [people["off1"].user_id]
    assert [p["user_id"] for p in view["pending"]] == [people["off2"].user_id]
    assert broadcasts.unacknowledged(svc, people["off2"], sid)[0]["id"] == b["id"]
    assert broadcasts.unacknowledged(svc, people["off1"], sid) == []


def test_found_broadcasts_a_stand_down_that_each_unit_acknowledges(svc, people, on_search):
    sid = on_search
    searches.mark_found(svc, people["off1"], sid, {"time": (T0 + timedelta(minutes=20)).isoformat(),
                                                   "location": [116.2, 39.77], "condition": "well"})
    types = [e["type"] for _, e in svc.publisher.events[-2:]]
    assert types == ["search.found", "broadcast.sent"]
    [pending] = broadcasts.unacknowledged(svc, people["off2"], sid)
    assert pending["kind"] == "found" and "Stand down" in pending["text"]
    assert broadcasts.unacknowledged(svc, people["off1"], sid) == []  # the one who found him sent it


def test_only_dispatchers_broadcast_and_input_is_checked(svc, people, on_search):
    with pytest.raises(Forbidden):
        broadcasts.send(svc, people["off1"], on_search, {"kind": "other", "text": "hi"})
    with pytest.raises(ValidationError) as exc:
        broadcasts.send(svc, people["disp"], on_search, {"kind": "gossip", "text": ""})
    assert set(exc.value.errors) == {"kind", "text"}
    with pytest.raises(Forbidden):
        broadcasts.list_broadcasts(svc, people["outsider"], on_search)
