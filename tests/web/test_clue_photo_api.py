"""A clue's photo follows its clue (the phone sends the text first): POST /searches/<sid>/clues/<clue_id>/photo."""
from __future__ import annotations

import io

from support import LKP

from PIL import Image


def _jpeg(color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "JPEG")
    return buf.getvalue()


def _photo(c, sid=None, color=(200, 40, 40)) -> int:
    """Upload a small JPEG (the same bytes again from the same person are the same photo: use another colour)."""
    data = {"photo": (io.BytesIO(_jpeg(color)), "p.jpg")}
    if sid:
        data["search_id"] = str(sid)
    r = c.client.post("/api/v1/photos", data=data, headers={"X-CSRF-Token": c.token})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _clue(c, sid) -> dict:
    r = c.post(f"/api/v1/searches/{sid}/clues", {"kind": "clue", "time": "2026-11-28T17:50:00+08:00", "text": "scarf",
                                                 "location": {"type": "Point", "coordinates": LKP}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_photo_joins_its_clue_once_and_the_maps_are_told(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    clue = _clue(off1, sid)
    assert clue["photo_id"] is None
    pid = _photo(off1)   # as the phone sends it: maybe before it knows the search
    r = off1.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": pid})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["photo_id"] == pid
    state = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    assert [c["photo_id"] for c in state["clues"] if c["id"] == clue["id"]] == [pid]
    events = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()
    updated = [e for e in (events["events"] if isinstance(events, dict) else events) if e["type"] == "clue.updated"]
    assert len(updated) == 1 and updated[0]["payload"]["clue"]["photo_id"] == pid
    # a retry whose answer was lost: the same answer, no second event
    assert off1.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": pid}).status_code == 200
    events = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()
    assert len([e for e in (events["events"] if isinstance(events, dict) else events) if e["type"] == "clue.updated"]) == 1
    # another photo on a clue that has one: a conflict
    r = off1.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": _photo(off1, sid, (20, 90, 200))})
    assert r.status_code == 409, r.get_json()


def test_only_its_reporter_or_a_dispatcher_and_only_photos_of_this_search(app, login, opened):
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off2.user["id"]})
    clue = _clue(off1, sid)
    url = f"/api/v1/searches/{sid}/clues/{clue['id']}/photo"
    assert off2.post(url, {"photo_id": _photo(off2, sid)}).status_code == 403
    other = disp.post("/api/v1/searches", {**__import__("support").search_payload()}).get_json()["id"]
    r = off1.post(url, {"photo_id": _photo(disp, other)})
    assert r.status_code == 400 and "photo_id" in r.get_json()["errors"]
    assert off1.post(url, {"photo_id": "x"}).status_code == 400
    assert off1.post(f"/api/v1/searches/{sid}/clues/999/photo", {"photo_id": _photo(off1, sid)}).status_code == 404
    assert disp.post(url, {"photo_id": _photo(disp, sid)}).status_code == 200


def test_a_closed_search_takes_no_photo(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    clue = _clue(off1, sid)
    pid = _photo(off1, sid)
    assert disp.post(f"/api/v1/searches/{sid}/status", {"status": "closed"}).status_code == 200
    r = off1.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": pid})
    assert r.status_code == 409 and "closed" in r.get_json()["message"]


def test_a_retracted_clue_takes_no_photo(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    clue = _clue(off1, sid)
    r = disp.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/retract", {"reason": "entered on the wrong search"})
    assert r.status_code == 200, r.get_json()
    r = off1.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": _photo(off1, sid)})
    assert r.status_code == 409 and "retracted" in r.get_json()["message"], r.get_json()

