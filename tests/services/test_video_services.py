"""Video review at the service level, on SQLite and PostgreSQL: one review flow end to end, events published after
commit and in order, retries applied once, a refused change leaving nothing behind."""
from datetime import timedelta

import pytest

from search_coord.core.errors import OverlapWarning, ValidationError
from search_coord.services import camera_files, searches, video

from support import LKP, T0, search_payload


def iso(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def on_search(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, d, sid, people[name].user_id)
    gate = video.create_camera(svc, d, {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential",
                                        "clock_offset_s": -60})
    road = video.create_camera(svc, d, {"code": "C2", "name": "Jingliang Rd", "kind": "traffic",
                                        "location": [LKP[0] + 0.006, LKP[1]], "direction_deg": 90, "fov_deg": 60})
    return sid, gate["id"], road["id"]


def test_review_flow_end_to_end(svc, people, on_search):
    sid, gate, road = on_search
    d, off1, off2 = people["disp"], people["off1"], people["off2"]
    task = video.create_task(svc, d, sid, {"camera_id": gate, "start": iso(0), "end": iso(30),
                                           "reviewer_id": off1.user_id})
    video.update_task(svc, off1, sid, task["id"], {"footage": "received"})
    # The gate recorder runs a minute slow: 17:29 on its screen is 17:30.
    iv = video.record_interval(svc, off1, sid, {"camera_id": gate, "task_id": task["id"], "start": iso(-1),
                                                "end": iso(9), "client_id": "interval-0001"})
    assert iv["interval"]["start"] == T0.isoformat().replace("+00:00", ".000Z")
    again = video.record_interval(svc, off1, sid, {"camera_id": gate, "task_id": task["id"], "start": iso(-1),
                                                   "end": iso(9), "client_id": "interval-0001"})
    assert again["duplicate"] is True and again["interval"]["id"] == iv["interval"]["id"]

    before = len(svc.publisher.events)
    with pytest.raises(OverlapWarning) as warned:
        video.record_interval(svc, off2, sid, {"camera_id": gate, "start": iso(4), "end": iso(14)})
    assert {o["kind"] for o in warned.value.extra["overlaps"]} == {"reviewed", "task"}
    assert len(svc.publisher.events) == before  # refused: nothing stored, nothing published
    with pytest.raises(ValidationError):
        video.log_sighting(svc, off2, sid, {"camera_id": road, "time": iso(-30), "confidence": "certain"})

    x = video.log_sighting(svc, off2, sid, {"camera_id": road, "time": iso(12), "direction": "E",
                                            "confidence": "probable", "clock": "true", "client_id": "sighting-01"})
    assert video.log_sighting(svc, off2, sid, {"camera_id": road, "time": iso(12), "direction": "E",
                                               "confidence": "probable", "clock": "true",
                                               "client_id": "sighting-01"})["id"] == x["id"]
    decided = video.decide_sighting(svc, d, sid, x["id"], {"decision": "confirm", "tz_offset_min": 480})
    assert decided["lkp_moved"] and decided["trail"]["points"][0]["code"] == "C2"
    types = [e["type"] for _, e in svc.publisher.events[before:]]
    assert types[:4] == ["video.sighting_logged", "search.updated", "video.sighting_decided", "broadcast.sent"]
    assert types[-1] == "model.recomputed"
    seqs = [e["seq"] for _, e in svc.publisher.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    state = video.get_video(svc, d, sid)
    assert [s["status"] for s in state["sightings"]] == ["confirmed"]
    assert state["tasks"][0]["footage"] == "received" and state["tasks"][0]["reviewed_s"] == 600
    assert state["heading_deg"] == 90 and state["lkp_history"][0]["lkp"]["coordinates"] == LKP
    search = searches.get_search(svc, d, sid)
    assert search["lkp"]["coordinates"] == [LKP[0] + 0.006, LKP[1]]


def test_import_is_all_or_nothing(svc, people, on_search):
    d = people["disp"]
    bad = b"code,name,lon,lat,kind\nC5,Shop,116.2,39.77,shop\nC6,Bad,abc,39.77,shop\n"
    with pytest.raises(ValidationError) as exc:
        camera_files.import_cameras(svc, d, bad, "csv")
    assert list(exc.value.errors) == ["row 3.lon"]  # the header is row 1
    assert {c["code"] for c in video.list_cameras(svc, d)} == {"C1", "C2"}
    ok = b"code,name,lon,lat,kind,covers_exit\nC5,Shop,116.2,39.77,shop,no\nC1,Gate (N),116.1985,39.7712,residential,yes\n"
    result = camera_files.import_cameras(svc, d, ok, "csv")
    assert (result["created"], result["updated"], result["separator"]) == (1, 1, "comma")
    cams = {c["code"]: c for c in video.list_cameras(svc, d)}
    assert cams["C1"]["name"] == "Gate (N)" and cams["C1"]["covers_exit"] is True
    assert cams["C1"]["clock_offset_s"] == -60  # a column the file leaves out is kept
