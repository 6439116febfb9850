"""Issue 10 §3 -- objects belong to someone: photos (who may attach and read them, no position served to others,
a quota), client-made ids (each sender's own), the camera registry (by area, paged, contacts to dispatchers)."""
from __future__ import annotations

import io

from support import LKP, search_payload
from PIL import Image

from search_coord.adapters.models import Clue, Photo

GPS_IFD = 0x8825


def _jpeg(color=(200, 40, 40), gps=False) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (39.0, 46.0, 16.0), 3: "E", 4: (116.0, 11.0, 54.0)}
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _upload(c, data=None, sid=None, color=(200, 40, 40)):
    form = {"photo": (io.BytesIO(data or _jpeg(color)), "p.jpg")}
    if sid:
        form["search_id"] = str(sid)
    return c.client.post("/api/v1/photos", data=form, headers={"X-CSRF-Token": c.token})


def _photo(c, sid=None, color=(200, 40, 40)) -> int:
    r = _upload(c, sid=sid, color=color)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _clue(c, sid, **over):
    body = {"kind": "clue", "time": "2026-11-28T17:50:00+08:00", "text": "scarf",
            "location": {"type": "Point", "coordinates": LKP}, **over}
    return c.post(f"/api/v1/searches/{sid}/clues", body)


def _with_member(disp, sid, c):
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": c.user["id"]}).status_code == 201


def _count(app, model) -> int:
    with app.extensions["search_coord"].reading() as s:
        return s.query(model).count()


# --- photos -----------------------------------------------------------------------------------------------------

def test_an_unattached_photo_is_its_uploaders_alone(app, login, opened):
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    _with_member(disp, sid, off2)
    mine = _photo(off1)
    # nobody else reads it: not another officer on the same search, not a dispatcher; as if it did not exist
    assert off1.get(f"/api/v1/photos/{mine}").status_code == 200
    for other in (off2, disp, login("outsider")):
        r, none = other.get(f"/api/v1/photos/{mine}"), other.get("/api/v1/photos/999999")
        assert r.status_code == none.status_code == 404 and set(r.get_json()) == set(none.get_json())
    # nobody else adopts it: not in a clue, not in a clue's photo, not as a sighting's
    r = _clue(off2, sid, photo_id=mine)
    assert r.status_code == 400 and "photo_id" in r.get_json()["errors"]
    clue = _clue(off2, sid).get_json()
    r = disp.post(f"/api/v1/searches/{sid}/clues/{clue['id']}/photo", {"photo_id": mine})
    assert r.status_code == 400 and "photo_id" in r.get_json()["errors"]
    with app.extensions["search_coord"].reading() as s:
        assert s.get(Photo, mine).search_id is None and s.get(Clue, clue["id"]).photo_id is None
    # its uploader attaches it; from then on the search's people read it, and only they
    assert _clue(off1, sid, photo_id=mine).status_code == 201
    assert off2.get(f"/api/v1/photos/{mine}").status_code == 200
    assert disp.get(f"/api/v1/photos/{mine}").status_code == 200
    assert login("outsider").get(f"/api/v1/photos/{mine}").status_code == 404


def test_a_photo_of_one_search_is_never_copied_into_another(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    theirs = _photo(off1, sid)
    # a second search, off1 on both: the first search's photo cannot be used there
    other = disp.post("/api/v1/searches", search_payload()).get_json()["id"]
    _with_member(disp, other, off1)
    r = _clue(off1, other, photo_id=theirs)
    assert r.status_code == 400 and "photo_id" in r.get_json()["errors"]
    # nor as the subject's photo of a new search, nor someone else's unattached upload
    searches_before = len(disp.get("/api/v1/searches").get_json())
    r = disp.post("/api/v1/searches", search_payload(subject={**search_payload()["subject"], "photo_id": theirs}))
    assert r.status_code == 400 and "subject.photo_id" in r.get_json()["errors"]
    loose = _photo(off1, color=(1, 2, 3))
    r = disp.post("/api/v1/searches", search_payload(subject={**search_payload()["subject"], "photo_id": loose}))
    assert r.status_code == 400 and "subject.photo_id" in r.get_json()["errors"]
    assert len(disp.get("/api/v1/searches").get_json()) == searches_before
    with app.extensions["search_coord"].reading() as s:
        assert s.get(Photo, theirs).search_id == sid and s.get(Photo, loose).search_id is None
    # the dispatcher's own upload becomes the new search's
    own = _photo(disp, color=(9, 9, 9))
    r = disp.post("/api/v1/searches", search_payload(subject={**search_payload()["subject"], "photo_id": own}))
    assert r.status_code == 201, r.get_json()
    with app.extensions["search_coord"].reading() as s:
        assert s.get(Photo, own).search_id == r.get_json()["id"]


def _gps_of(data: bytes):
    return Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)


def test_no_position_is_served_from_a_photo(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    raw = _jpeg(gps=True)
    assert _gps_of(raw)
    r = _upload(off1, raw, sid)
    assert r.status_code == 201 and r.get_json()["converted"] and "metadata" in r.get_json()["note"]
    for c in (off1, disp):
        got = c.get(f"/api/v1/photos/{r.get_json()['id']}")
        assert got.status_code == 200 and not _gps_of(got.data) and not Image.open(io.BytesIO(got.data)).getexif()
        assert Image.open(io.BytesIO(got.data)).size == (40, 30)
    # a photo stored before uploads were cleaned keeps its bytes, but only its uploader gets them whole
    with app.extensions["search_coord"].transaction() as s:
        s.get(Photo, r.get_json()["id"]).data = raw
    assert off1.get(f"/api/v1/photos/{r.get_json()['id']}").data == raw
    served = disp.get(f"/api/v1/photos/{r.get_json()['id']}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and not _gps_of(served.data)


def test_a_photo_quota_per_user_is_a_413_with_a_clear_message(app, login):
    off1, off2 = login("off1"), login("off2")
    size = len(_jpeg())
    app.config["PHOTO_QUOTA_BYTES_PER_DAY"] = 2 * size + 10
    assert _upload(off1, color=(1, 1, 1)).status_code == 201
    assert _upload(off1, color=(2, 2, 2)).status_code == 201
    before = _count(app, Photo)
    r = _upload(off1, color=(3, 3, 3))
    assert r.status_code == 413 and "quota" in r.get_json()["errors"]["photo"]
    assert _count(app, Photo) == before
    assert _upload(off2, color=(3, 3, 3)).status_code == 201     # another user has their own quota


# --- client-made ids --------------------------------------------------------------------------------------------

def test_a_client_id_is_its_senders_own(app, login, opened):
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    _with_member(disp, sid, off2)
    a = _clue(off1, sid, client_id="clue-00000001", text="red scarf")
    assert a.status_code == 201
    # another officer whose phone made the same id: their clue is stored, and they never get off1's
    b = _clue(off2, sid, client_id="clue-00000001", text="blue glove")
    assert b.status_code == 201 and b.get_json()["text"] == "blue glove" and b.get_json()["id"] != a.get_json()["id"]
    # the same sender's retry is still answered as the first time
    again = _clue(off1, sid, client_id="clue-00000001", text="red scarf")
    assert again.get_json()["id"] == a.get_json()["id"]
    # and the same id for another kind of change is another change
    r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "clue-00000001", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1], "acc": 8}]})
    assert r.status_code == 201 and r.get_json()["accepted"] == 1 and not r.get_json()["duplicate"]
    texts = sorted(c["text"] for c in off1.get(f"/api/v1/searches/{sid}/clues").get_json())
    assert texts == ["blue glove", "red scarf"]


def test_a_resent_batch_is_answered_with_the_first_answers_numbers(login, opened):
    sid, _ = opened
    off1 = login("off1")
    batch = {"client_id": "batch-0000042", "points": [
        {"t": "2026-11-28T18:00:00+08:00", "lon": LKP[0], "lat": LKP[1], "acc": 8},
        {"t": "2026-11-28T18:00:10+08:00", "lon": LKP[0] + 2.0, "lat": LKP[1], "acc": 8},   # 170 km away
        {"t": "2026-11-28T18:00:20+08:00", "lon": LKP[0] + 0.0001, "lat": LKP[1], "acc": 8}]}
    first = off1.post(f"/api/v1/searches/{sid}/tracks", batch).get_json()
    assert first["accepted"] == 2 and [x["index"] for x in first["rejected"]] == [1]
    again = off1.post(f"/api/v1/searches/{sid}/tracks", batch).get_json()
    assert again["duplicate"] and again["accepted"] == first["accepted"] and again["rejected"] == first["rejected"]
    assert again["seq"] == first["seq"]


# --- the camera registry ----------------------------------------------------------------------------------------

def _cameras(disp, sid):
    for i, (dx, code) in enumerate(((0.001, "C1"), (0.002, "C2"), (0.003, "C3"), (8.0, "FAR"))):
        r = disp.post("/api/v1/cameras", {"code": code, "name": f"Camera {code}", "kind": "shop",
                                          "location": {"type": "Point", "coordinates": [LKP[0] + dx, LKP[1]]},
                                          "owner": "Mr Li", "contact": "138 0000 0000"})
        assert r.status_code == 201, r.get_json()


def test_the_camera_registry_by_area_paged_and_contacts_to_dispatchers(login, opened):
    sid, disp = opened
    _cameras(disp, sid)
    off1 = login("off1")
    # the whole registry is the dispatchers'
    everything = disp.get("/api/v1/cameras")
    assert everything.status_code == 200 and len(everything.get_json()) == 4
    assert everything.headers["X-Total-Count"] == "4" and everything.get_json()[0]["contact"] == "138 0000 0000"
    page = disp.get("/api/v1/cameras?limit=3")
    assert len(page.get_json()) == 3 and page.headers["X-Next-Offset"] == "3"
    assert [c["code"] for c in disp.get("/api/v1/cameras?limit=3&offset=3").get_json()] == ["FAR"]
    # an officer asks for the cameras of a search they are on: those within its region, a bbox narrows them
    for url in ("/api/v1/cameras", "/api/v1/cameras?bbox=-180,-90,180,90",
                "/api/v1/cameras?bbox=116.1,39.7,116.3,39.8"):
        r = off1.get(url)
        assert r.status_code == 400 and "search_id" in r.get_json()["errors"]
    r = off1.get(f"/api/v1/cameras?limit=501&search_id={sid}")
    assert r.status_code == 400 and "limit" in r.get_json()["errors"]
    near = off1.get(f"/api/v1/cameras?bbox=-180,-90,180,90&search_id={sid}")
    assert near.status_code == 200 and [c["code"] for c in near.get_json()] == ["C1", "C2", "C3"]   # not FAR
    assert all("contact" not in c and "owner" not in c for c in near.get_json())
    mine = off1.get(f"/api/v1/cameras?search_id={sid}")
    assert mine.status_code == 200 and [c["code"] for c in mine.get_json()] == ["C1", "C2", "C3"]
    assert all("contact" not in c for c in mine.get_json())
    assert login("outsider").get(f"/api/v1/cameras?search_id={sid}").status_code == 403
    assert len(off1.get(f"/api/v1/cameras?search_id={sid}&active=all").get_json()) == 3
    # the search's video panel: the cameras, without their owners' contacts for an officer
    panel = off1.get(f"/api/v1/searches/{sid}/video").get_json()["cameras"]
    assert panel and all("contact" not in c for c in panel)
    assert all(c["contact"] for c in disp.get(f"/api/v1/searches/{sid}/video").get_json()["cameras"])
