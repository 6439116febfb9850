"""The registry by area, on SQLite (R*Tree) and PostgreSQL (B-trees): a viewport returns exactly the cameras in its
box, cells' counts sum to the total, pages are complete and never overlap, the index follows every write, and the
video panel proposes the best few of thousands of cameras."""
import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from search_coord.adapters.models import Camera
from search_coord.core.errors import ValidationError
from search_coord.core.review import MAX_PROPOSALS
from search_coord.services import camera_files, searches, video
from search_coord.services.video import area, proposals

from support import LKP, T0, search_payload


def _fill(svc, n: int, seed: int = 5, radius_m: float = 3000.0) -> list[dict]:
    rnd = random.Random(seed)
    now = T0.replace(tzinfo=None)
    rows = []
    for i in range(n):
        r, a = radius_m * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
        rows.append({"code": f"K{i:05d}", "name": f"Cam {i}", "lon": LKP[0] + r * math.sin(a) / 85_600,
                     "lat": LKP[1] + r * math.cos(a) / 111_000, "kind": "public_security",
                     "direction_deg": rnd.uniform(0, 360), "fov_deg": 70, "range_m": 40, "retention_days": 30,
                     "clock_offset_s": 0.0, "covers_exit": False, "active": rnd.random() > 0.1, "created_by": 1,
                     "created_at": now, "updated_at": now})
    with svc.transaction() as s:
        s.execute(insert(Camera), rows)
    return rows


def _bbox(box):
    return ",".join(str(v) for v in box)


def _in(rows, box, inactive=False):
    return {r["code"] for r in rows if (inactive or r["active"]) and box[0] <= r["lon"] <= box[2]
            and box[1] <= r["lat"] <= box[3]}


def _all_pages(svc, actor, box, zoom=17, limit=None, **kw):
    seen, cursor, pages = [], None, 0
    while True:
        page = video.cameras_in_view(svc, actor, _bbox(box), zoom, limit=limit, cursor=cursor, **kw)
        assert page["mode"] == "cameras"
        seen += [c["code"] for c in page["cameras"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, page["total"], pages


def test_viewport_returns_exactly_the_cameras_in_the_box_a_page_at_a_time(svc, people):
    rows = _fill(svc, 3000)
    d = people["disp"]
    rnd = random.Random(2)
    for _ in range(6):
        w, s = LKP[0] + rnd.uniform(-0.03, 0.02), LKP[1] + rnd.uniform(-0.03, 0.02)
        box = (w, s, w + rnd.uniform(0.001, 0.012), s + rnd.uniform(0.001, 0.01))
        codes, total, _ = _all_pages(svc, d, box, limit=97)
        assert len(codes) == len(set(codes)) == total          # complete, no camera twice
        assert set(codes) == _in(rows, box)                     # exactly the brute-force answer
    # an edge camera: boxes whose edges pass exactly through it hold it (the R*Tree's float32 boxes do not lose it)
    r = rows[17]
    edge = (r["lon"], r["lat"], r["lon"] + 0.001, r["lat"] + 0.001)
    assert r["code"] in _all_pages(svc, d, edge)[0] or not r["active"]
    assert r["code"] in _all_pages(svc, d, edge, include_inactive=True)[0]
    box = (LKP[0] - 0.004, LKP[1] - 0.004, LKP[0] + 0.004, LKP[1] + 0.004)
    assert set(_all_pages(svc, d, box, include_inactive=True)[0]) == _in(rows, box, inactive=True)


def test_zoomed_out_the_view_is_cells_whose_counts_sum_to_the_total(svc, people):
    rows = _fill(svc, 2500)
    box = (LKP[0] - 0.05, LKP[1] - 0.04, LKP[0] + 0.05, LKP[1] + 0.04)
    for zoom in (11, 13, 14):
        out = video.cameras_in_view(svc, people["disp"], _bbox(box), zoom)
        # counted from the R*Tree's 32-bit boxes on SQLite: a camera within ~1 m of the edge may be in or out
        wider = (box[0] - 1e-4, box[1] - 1e-4, box[2] + 1e-4, box[3] + 1e-4)
        narrower = (box[0] + 1e-4, box[1] + 1e-4, box[2] - 1e-4, box[3] - 1e-4)
        assert out["mode"] == "clusters" and len(_in(rows, narrower)) <= out["total"] <= len(_in(rows, wider))
        assert sum(c["count"] for c in out["clusters"]) == out["total"]
        for c in out["clusters"]:
            w, s, e, n = c["bbox"]
            lon, lat = c["location"]["coordinates"]
            assert w <= lon <= e and s <= lat <= n
            assert e - w <= out["cell_deg"][0] + 1e-9 and n - s <= out["cell_deg"][1] + 1e-9
    coarse = video.cameras_in_view(svc, people["disp"], _bbox(box), 11)["clusters"]
    fine = video.cameras_in_view(svc, people["disp"], _bbox(box), 14)["clusters"]
    assert len(coarse) < len(fine)
    # too many cameras in view to draw one by one: cells even zoomed in
    monkey = area.MAX_INDIVIDUAL
    try:
        area.MAX_INDIVIDUAL = 10
        small = (LKP[0] - 0.005, LKP[1] - 0.005, LKP[0] + 0.005, LKP[1] + 0.005)
        out = video.cameras_in_view(svc, people["disp"], _bbox(small), 16)
        assert out["mode"] == "clusters" and sum(c["count"] for c in out["clusters"]) == out["total"] > 10
    finally:
        area.MAX_INDIVIDUAL = monkey


def test_the_index_follows_create_edit_delete_and_import(svc, people):
    d = people["disp"]
    box = (LKP[0] - 0.001, LKP[1] - 0.001, LKP[0] + 0.001, LKP[1] + 0.001)
    codes = lambda: {c["code"] for c in video.cameras_in_view(svc, d, _bbox(box), 18)["cameras"]}  # noqa: E731
    cam = video.create_camera(svc, d, {"code": "M1", "name": "Moved", "location": LKP, "kind": "shop"})
    assert codes() == {"M1"}
    video.update_camera(svc, d, cam["id"], {"location": [LKP[0] + 0.01, LKP[1]]})
    assert codes() == set()
    video.update_camera(svc, d, cam["id"], {"location": list(LKP)})
    assert codes() == {"M1"}
    video.update_camera(svc, d, cam["id"], {"active": False})      # out of the map's (active) index, still listed
    assert codes() == set()
    everything = video.cameras_in_view(svc, d, _bbox(box), 18, include_inactive=True)["cameras"]
    assert [c["code"] for c in everything] == ["M1"]
    video.update_camera(svc, d, cam["id"], {"active": True})
    assert codes() == {"M1"}
    with svc.transaction() as s:
        s.execute(delete(Camera).where(Camera.id == cam["id"]))
    assert codes() == set()
    csv_text = "code,name,lon,lat,kind\n" + "".join(f"I{i},Imp {i},{LKP[0] + i * 1e-5},{LKP[1]},shop\n"
                                                   for i in range(20))
    camera_files.import_cameras(svc, d, csv_text.encode(), "csv")
    assert codes() == {f"I{i}" for i in range(20)}
    moved = csv_text.replace(f"{LKP[1]},shop", f"{LKP[1] + 0.01},shop", 5)   # five move north, out of the box
    assert camera_files.import_cameras(svc, d, moved.encode(), "csv")["updated"] == 20
    assert codes() == {f"I{i}" for i in range(5, 20)}
    with svc.transaction() as s:   # a bulk write outside the use cases (a script) is followed too
        s.execute(update(Camera).where(Camera.code == "I19").values(lon=LKP[0] + 1))
    assert codes() == {f"I{i}" for i in range(5, 19)}


def test_viewport_checks_its_arguments_and_keeps_officers_to_their_search(svc, people, monkeypatch):
    _fill(svc, 50)
    d, off = people["disp"], people["off1"]
    for bad in ("1,2,3", "x,1,2,3", "10,10,5,5", "0,-100,1,1"):
        with pytest.raises(ValidationError) as e:
            video.cameras_in_view(svc, d, bad, 15)
        assert "bbox" in e.value.errors
    with monkeypatch.context() as m, pytest.raises(ValidationError) as e:
        m.setattr(area, "MAX_INDIVIDUAL", 10)   # cells at a zoom that is not the box's: refused
        video.cameras_in_view(svc, d, "-180,-90,180,90", 20)
    assert "zoom" in e.value.errors
    with pytest.raises(ValidationError) as e:
        video.cameras_in_view(svc, d, "116,39,117,40", 15, limit=0)
    assert "limit" in e.value.errors
    with pytest.raises(ValidationError) as e:
        video.cameras_in_view(svc, off, "116,39,117,40", 17)
    assert "search_id" in e.value.errors
    sid = searches.open_search(svc, d, search_payload())["id"]
    searches.add_member(svc, d, sid, off.user_id)
    seen = video.cameras_in_view(svc, off, "116,39,117,40", 17, search_id=sid)
    assert seen["cameras"] and all("contact" not in c and c["active"] for c in seen["cameras"])


def test_the_panel_proposes_the_best_few_of_thousands(svc, people):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    svc.clock.now = T0 + timedelta(minutes=40)
    _fill(svc, 1200, radius_m=2000)
    out = video.get_video(svc, d, sid)
    assert len(out["proposals"]) == MAX_PROPOSALS and out["cameras_in_region"] > 1000
    assert {c["id"] for c in out["cameras"]} == {p["camera_id"] for p in out["proposals"]}
    probs = [round(p["probability"], 9) for p in out["proposals"]]
    assert probs == sorted(probs, reverse=True)
    # the shortlist by the quick estimate keeps the exact ranking's best: the same top proposals as ranking all
    saved = proposals.SHORTLIST
    try:
        proposals.SHORTLIST = 10 ** 6
        exact = video.get_video(svc, d, sid)["proposals"]
    finally:
        proposals.SHORTLIST = saved
    assert [p["camera_id"] for p in out["proposals"][:20]] == [p["camera_id"] for p in exact[:20]]
