"""Review fixes through the API: multi-picture JPEGs, metadata kinds, the whole registry exported and guarded
against spreadsheet formulas, owner contacts kept from officers, the registry an officer may read, junk input."""
import io

from PIL import Image

from search_coord.adapters.models import Photo


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
