"""The event log newest-first for the timeline: ?newest=1 then ?before=next_before pages back, each page in
ascending seq; ?after= catch-up is as before; bad or mixed arguments are a clear 400."""
import pytest

from support import LKP


def _events(disp, sid, n):
    for i in range(n):
        r = disp.post(f"/api/v1/searches/{sid}/clues", {"kind": "sighting", "time": "2026-11-28T18:05:00+08:00",
                                                        "location": LKP, "text": f"clue {i}"})
        assert r.status_code == 201, r.get_json()


def test_newest_then_before_pages_back_to_the_first_event(opened):
    sid, disp = opened
    _events(disp, sid, 7)
    every = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()
    last = every["last_seq"]
    assert [e["seq"] for e in every["events"]] == list(range(1, last + 1)) and last >= 9

    page = disp.get(f"/api/v1/searches/{sid}/events?newest=1&limit=4").get_json()
    assert [e["seq"] for e in page["events"]] == list(range(last - 3, last + 1))
    assert page["has_more"] is True and page["next_before"] == last - 3 and page["last_seq"] == last
    seen = page["events"]
    while page["has_more"]:
        page = disp.get(f"/api/v1/searches/{sid}/events?before={page['next_before']}&limit=4").get_json()
        assert [e["seq"] for e in page["events"]] == sorted(e["seq"] for e in page["events"])
        seen = page["events"] + seen
    assert seen == every["events"] and page["next_before"] is None

    exact = disp.get(f"/api/v1/searches/{sid}/events?before=5&limit=4").get_json()
    assert [e["seq"] for e in exact["events"]] == [1, 2, 3, 4] and exact["has_more"] is False
    assert disp.get(f"/api/v1/searches/{sid}/events?before=1").get_json()["events"] == []
    whole = disp.get(f"/api/v1/searches/{sid}/events?newest=1").get_json()
    assert whole["events"] == every["events"] and whole["has_more"] is False


def test_catch_up_after_is_unchanged(opened):
    sid, disp = opened
    _events(disp, sid, 3)
    page = disp.get(f"/api/v1/searches/{sid}/events?after=2&limit=2").get_json()
    assert [e["seq"] for e in page["events"]] == [3, 4] and page["has_more"] is True and "next_before" not in page
    default = disp.get(f"/api/v1/searches/{sid}/events?limit=2").get_json()
    assert [e["seq"] for e in default["events"]] == [1, 2]


@pytest.mark.parametrize("query, field", [
    ("before=0", "before"), ("before=x", "before"), ("newest=2", "newest"), ("newest=yes", "newest"),
    ("after=1&before=5", "after"), ("after=0&newest=1", "after"), ("newest=1&limit=0", "limit"),
    ("before=3&limit=5001", "limit"),
])
def test_bad_paging_arguments_are_a_400_naming_them(opened, query, field):
    sid, disp = opened
    r = disp.get(f"/api/v1/searches/{sid}/events?{query}")
    assert r.status_code == 400 and field in r.get_json()["errors"], r.get_json()


def test_an_outsider_cannot_page_back(opened, login):
    sid, _ = opened
    assert login("outsider").get(f"/api/v1/searches/{sid}/events?newest=1").status_code in (403, 404)
