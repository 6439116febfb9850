"""Service tests: each runs on SQLite and on the local PostgreSQL (the ``svc`` fixture is parametrized)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from search_coord.adapters.models import Event, Search, TrackPoint
from search_coord.core.errors import Conflict, Forbidden, NotFound, ValidationError
from search_coord.services import demo, field, geocoding, searches, teams

from support import T0, search_payload, square


def count(svc, model, **where):
    with svc.reading() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.execute(q).scalar_one()


def test_open_search_writes_the_search_its_first_event_and_publishes_after_commit(svc, people):
    view = searches.open_search(svc, people["disp"], search_payload())
    assert view["status"] == "open" and view["last_seq"] == 1
    assert view["subject"]["name"] == "Zhang Guilin"
    [(sid, ev)] = svc.publisher.events
    assert sid == view["id"] and ev["seq"] == 1 and ev["type"] == "search.opened"
    assert ev["actor"] == {"id": people["disp"].user_id, "name": "Disp"} and ev["device"] == "dev-disp"


def test_invalid_search_changes_nothing(svc, people):
    with pytest.raises(ValidationError) as exc:
        searches.open_search(svc, people["disp"], search_payload(risk="extreme", lkp=[0, 100]))
    assert set(exc.value.errors) == {"risk", "lkp"}
    assert count(svc, Search) == 0 and count(svc, Event) == 0 and svc.publisher.events == []


def test_officer_cannot_open_and_sees_only_own_searches(svc, people):
    with pytest.raises(Forbidden):
        searches.open_search(svc, people["off1"], search_payload())
    a = searches.open_search(svc, people["disp"], search_payload())
    b = searches.open_search(svc, people["disp"], search_payload(title="Second"))
    searches.add_member(svc, people["disp"], b["id"], people["off1"].user_id)
    assert [x["id"] for x in searches.list_searches(svc, people["off1"])] == [b["id"]]
    assert {x["id"] for x in searches.list_searches(svc, people["disp"])} == {a["id"], b["id"]}
    with pytest.raises(Forbidden):
        searches.get_state(svc, people["off1"], a["id"])
    with pytest.raises(NotFound):
        searches.get_state(svc, people["disp"], 9999)


def test_sequence_numbers_are_per_search_and_gapless(svc, people):
    d = people["disp"]
    a = searches.open_search(svc, d, search_payload())
    b = searches.open_search(svc, d, search_payload())
    searches.add_member(svc, d, a["id"], people["off1"].user_id)
    searches.add_member(svc, d, b["id"], people["off1"].user_id)
    searches.add_member(svc, d, a["id"], people["off2"].user_id)
    seqs_a = [e["seq"] for e in searches.list_events(svc, d, a["id"])["events"]]
    seqs_b = [e["seq"] for e in searches.list_events(svc, d, b["id"])["events"]]
    assert seqs_a == [1, 2, 3] and seqs_b == [1, 2]
    assert [e["seq"] for e in searches.list_events(svc, d, a["id"], after=1)["events"]] == [2, 3]


def fixes(n, start=T0 + timedelta(minutes=5), lon=116.1985, lat=39.7712):
    return [{"t": (start + timedelta(seconds=i)).isoformat(), "lon": lon + i * 1e-5, "lat": lat, "acc": 5.0}
            for i in range(n)]


def test_track_batch_is_applied_once_per_client_id(svc, people):
    s = searches.open_search(svc, people["disp"], search_payload())
    searches.add_member(svc, people["disp"], s["id"], people["off1"].user_id)
    svc.publisher.events.clear()
    batch = {"client_id": "phone-1-batch-0001", "points": fixes(5)}
    first = field.add_track_batch(svc, people["off1"], s["id"], batch)
    again = field.add_track_batch(svc, people["off1"], s["id"], batch)
    assert first == {"accepted": 5, "rejected": [], "clock_offset_s": None, "seq": first["seq"], "duplicate": False}
    assert again == {"accepted": 5, "rejected": [], "clock_offset_s": None, "seq": first["seq"], "duplicate": True}
    assert count(svc, TrackPoint) == 5
    assert [e["type"] for _, e in svc.publisher.events] == ["track.points"]  # the repeat published nothing
    state = searches.get_state(svc, people["disp"], s["id"])
    assert len(state["tracks"][str(people["off1"].user_id)]) == 5


def test_non_member_cannot_send_tracks_and_closed_search_refuses_them(svc, people):
    s = searches.open_search(svc, people["disp"], search_payload())
    with pytest.raises(Forbidden):
        field.add_track_batch(svc, people["outsider"], s["id"], {"client_id": "outsider-0001", "points": fixes(1)})
    searches.add_member(svc, people["disp"], s["id"], people["off1"].user_id)
    searches.change_status(svc, people["disp"], s["id"], "closed", "called off")
    with pytest.raises(Conflict):
        field.add_track_batch(svc, people["off1"], s["id"], {"client_id": "late-batch-01", "points": fixes(1)})
    assert count(svc, TrackPoint) == 0


def test_clue_and_found_with_client_ids(svc, people):
    d, o = people["disp"], people["off1"]
    s = searches.open_search(svc, d, search_payload())
    searches.add_member(svc, d, s["id"], o.user_id)
    clue = {"kind": "sighting", "time": (T0 + timedelta(minutes=20)).isoformat(), "location": [116.2, 39.772],
            "text": "shopkeeper saw an old man heading east", "direction": "east", "client_id": "clue-000001"}
    c1 = field.report_clue(svc, o, s["id"], clue)
    c2 = field.report_clue(svc, o, s["id"], clue)
    assert c1 == c2 and len(searches.get_state(svc, d, s["id"])["clues"]) == 1
    found = {"time": (T0 + timedelta(minutes=25)).isoformat(), "location": [116.21, 39.773], "condition": "well",
             "notes": "cold but talking", "client_id": "found-00001"}
    r1 = searches.mark_found(svc, o, s["id"], found)
    r2 = searches.mark_found(svc, o, s["id"], found)
    assert r1["search"]["status"] == "found" and r1["duplicate"] is False
    assert r2["duplicate"] is True and r2["event"]["seq"] == r1["event"]["seq"]
    with pytest.raises(Conflict):
        searches.mark_found(svc, o, s["id"], {**found, "client_id": "found-00002"})
    with pytest.raises(Forbidden):
        searches.change_status(svc, o, s["id"], "closed")
    closed = searches.change_status(svc, d, s["id"], "closed", "found well")
    assert closed["status"] == "closed" and closed["closed_at"]


def test_found_time_may_not_precede_the_last_known_time(svc, people):
    s = searches.open_search(svc, people["disp"], search_payload())
    with pytest.raises(ValidationError) as exc:
        searches.mark_found(svc, people["disp"], s["id"], {"time": (T0 - timedelta(hours=1)).isoformat(),
                                                           "location": [116.2, 39.77], "condition": "well"})
    assert "time" in exc.value.errors


def test_teams_and_assignment_lifecycle(svc, people):
    d, o1, o2 = people["disp"], people["off1"], people["off2"]
    s = searches.open_search(svc, d, search_payload())
    sid = s["id"]
    with pytest.raises(ValidationError) as exc:
        teams.create_team(svc, d, sid, {"name": "P1", "kind": "foot_patrol", "leader_id": o1.user_id})
    assert "not on this search" in exc.value.errors["member_ids"]
    searches.add_member(svc, d, sid, o1.user_id)
    searches.add_member(svc, d, sid, o2.user_id)
    team = teams.create_team(svc, d, sid, {"name": "P1", "kind": "foot_patrol", "leader_id": o1.user_id})
    assert team["member_ids"] == [o1.user_id]
    a = teams.create_assignment(svc, d, sid, {"title": "Garages", "kind": "area", "geometry": square(),
                                              "team_id": team["id"], "instructions": "all of them"})
    assert a["status"] == "assigned"
    with pytest.raises(Forbidden):  # not in the team
        teams.change_assignment_status(svc, o2, sid, a["id"], {"status": "in_progress"})
    assert teams.change_assignment_status(svc, o1, sid, a["id"], {"status": "in_progress"})["status"] == "in_progress"
    with pytest.raises(ValidationError):
        teams.change_assignment_status(svc, o1, sid, a["id"], {"status": "done"})
    done = teams.change_assignment_status(svc, o1, sid, a["id"], {"status": "done", "debrief": "all clear, 2 locked"})
    assert done["status"] == "done" and done["debrief"] == "all clear, 2 locked"
    with pytest.raises(Conflict):
        teams.change_assignment_status(svc, d, sid, a["id"], {"status": "in_progress"})
    with pytest.raises(Conflict):
        teams.update_assignment(svc, d, sid, a["id"], {"title": "again"})
    types = [e["type"] for e in searches.list_events(svc, d, sid)["events"]]
    assert types[-3:] == ["assignment.created", "assignment.status_changed", "assignment.status_changed"]


def test_update_assignment_keeps_geometry_consistent_with_kind(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    a = teams.create_assignment(svc, d, sid, {"title": "Area", "kind": "area", "geometry": square()})
    assert a["status"] == "planned"
    with pytest.raises(ValidationError):
        teams.update_assignment(svc, d, sid, a["id"], {"kind": "route"})
    edited = teams.update_assignment(svc, d, sid, a["id"], {"title": "Area 2", "instructions": None})
    assert edited["title"] == "Area 2" and edited["geometry"] == a["geometry"]


def test_a_failed_transaction_publishes_nothing_and_keeps_no_sequence_number(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    svc.publisher.events.clear()
    with pytest.raises(ValidationError):
        teams.create_team(svc, d, sid, {"name": "X", "kind": "foot_patrol", "member_ids": [people["off1"].user_id]})
    assert svc.publisher.events == []
    searches.add_member(svc, d, sid, people["off1"].user_id)
    assert [e["seq"] for _, e in svc.publisher.events] == [2]


def test_state_snapshot_matches_its_sequence_number(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    searches.add_member(svc, d, sid, people["off1"].user_id)
    st = searches.get_state(svc, d, sid)
    assert st["last_seq"] == 2 and {m["id"] for m in st["members"]} == {d.user_id, people["off1"].user_id}


def test_update_search_merges_subject_and_records_changes(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    out = searches.update_search(svc, d, sid, {"subject": {"clothing": "grey coat"}, "risk": "medium"})
    assert out["subject"]["name"] == "Zhang Guilin" and out["subject"]["clothing"] == "grey coat"
    ev = searches.list_events(svc, d, sid)["events"][-1]
    assert ev["type"] == "search.updated" and set(ev["payload"]["changes"]) == {"subject", "risk"}
    with pytest.raises(ValidationError) as exc:
        searches.update_search(svc, d, sid, {"subject": {"age": -1}})
    assert "subject.age" in exc.value.errors


def test_geocoder_is_injected(svc, people):
    [hit] = geocoding.geocode(svc, people["disp"], "changyang")
    assert hit["lon"] == pytest.approx(116.1985)
    svc.geocoder = None
    with pytest.raises(geocoding.GeocoderNotConfigured):
        geocoding.geocode(svc, people["disp"], "changyang")


def test_demo_loads_once(svc):
    info = demo.load(svc)
    again = demo.load(svc)
    assert info["search_id"] == again["search_id"]
    assert count(svc, Search) == 1
    state = searches.get_state(svc, searches.Actor(1, "admin"), info["search_id"])
    assert len(state["teams"]) == 2 and len(state["assignments"]) == 3 and state["search"]["subject"]["age"] == 80


def test_a_retry_after_the_search_closed_is_still_acknowledged_once(svc, people):
    """The phone's batch was stored but the answer was lost; the search closes; the retry must not be refused."""
    d, o = people["disp"], people["off1"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    searches.add_member(svc, d, sid, o.user_id)
    batch = {"client_id": "phone-batch-lost-ack", "points": fixes(3)}
    first = field.add_track_batch(svc, o, sid, batch)
    searches.change_status(svc, d, sid, "closed")
    again = field.add_track_batch(svc, o, sid, batch)
    assert again["duplicate"] is True and again["seq"] == first["seq"]
    assert count(svc, TrackPoint) == 3
