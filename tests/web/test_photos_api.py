"""Photos through the API: HEIC in, JPEG out; bombs and junk refused with nothing stored; big photos shrunk."""
import hashlib
import io
from pathlib import Path

from PIL import Image

from search_coord.adapters.models import Photo

CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data"


def encode(img, fmt, **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def upload(c, data, name="p.jpg", **form):
    return c.client.post("/api/v1/photos", data={"photo": (io.BytesIO(data), name), **form},
                         headers={"X-CSRF-Token": c.token})


def photo_count(app) -> int:
    with app.extensions["search_coord"].reading() as s:
        return s.query(Photo).count()


def test_the_iphone_case_file_is_accepted_and_served_as_a_jpeg(opened, login):
    sid, disp = opened
    data = (CASES / "photo-iphone.heic").read_bytes()
    off1 = login("off1")
    r = upload(off1, data, "IMG_0001.HEIC", search_id=str(sid))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["mime"] == "image/jpeg" and body["original_mime"] == "image/heic"
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    got = disp.get(f"/api/v1/photos/{body['id']}")
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(got.data)).format == "JPEG"
    if body["original_kept"]:   # this file's HEVC payload is not decodable: the original can still be downloaded
        orig = disp.get(f"/api/v1/photos/{body['id']}?original=1")
        assert orig.status_code == 200 and orig.data == data and "attachment" in orig.headers["Content-Disposition"]
    # the same original sent again by the same person is stored once
    again = upload(off1, data, "IMG_0001.HEIC", search_id=str(sid))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"] and again.get_json()["duplicate"]


def test_a_generated_heic_is_served_as_a_jpeg(login):
    c = login("off1")
    img = Image.new("RGB", (320, 240), (30, 160, 40))
    r = upload(c, encode(img, "HEIF"), "x.heic")
    assert r.status_code == 201 and r.get_json()["converted"] and not r.get_json()["original_kept"]
    got = c.get(f"/api/v1/photos/{r.get_json()['id']}")
    assert got.mimetype == "image/jpeg" and Image.open(io.BytesIO(got.data)).size == (320, 240)
    assert c.get(f"/api/v1/photos/{r.get_json()['id']}?original=1").status_code == 404


def test_a_decompression_bomb_is_a_413_and_stores_nothing(app, login):
    c = login("off1")
    bomb = encode(Image.new("1", (18000, 12000)), "PNG")   # 216 MP in a few tens of kilobytes
    assert len(bomb) < 100_000
    before = photo_count(app)
    r = upload(c, bomb, "bomb.png")
    assert r.status_code == 413 and "megapixels" in r.get_json()["errors"]["photo"]
    assert photo_count(app) == before


def test_a_big_phone_jpeg_is_accepted_and_stored_shrunk_and_upright(login):
    c = login("off1")
    img = Image.effect_noise((1600, 1200), 40).resize((8000, 6000), Image.Resampling.BICUBIC).convert("RGB")
    ex = Image.Exif()
    ex[0x0112] = 6
    data = encode(img, "JPEG", quality=85, exif=ex.tobytes())
    assert len(data) > 9 * 1024 * 1024     # more than the app's usual request limit allows
    r = upload(c, data)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["width"], body["height"]) == (1920, 2560) and body["size"] < 3 * 1024 * 1024
    got = c.get(f"/api/v1/photos/{body['id']}")
    assert Image.open(io.BytesIO(got.data)).size == (1920, 2560)


def test_not_an_image_and_too_many_bytes_are_refused(app, login):
    c = login("off1")
    before = photo_count(app)
    for junk, name in ((b"<html>hi</html>", "x.jpg"), (b"\xff\xd8\xff\xe0 not really", "x.jpg"),
                       (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 40, "x.mp4")):
        r = upload(c, junk, name)
        assert r.status_code == 400 and r.get_json()["errors"]["photo"]
    r = upload(c, b"\xff\xd8\xff" + b"0" * (25 * 2**20))
    assert r.status_code == 413
    assert photo_count(app) == before


def test_a_small_png_is_served_as_it_came(login):
    c = login("off1")
    data = encode(Image.new("RGB", (8, 8), (1, 2, 3)), "PNG")
    r = upload(c, data, "x.png")
    assert r.status_code == 201 and not r.get_json()["converted"]
    got = c.get(f"/api/v1/photos/{r.get_json()['id']}")
    assert got.data == data and got.mimetype == "image/png"
