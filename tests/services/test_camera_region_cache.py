"""The video panel's region of cameras is kept per process: read from the index once, again only when the registry
changes (every write through the app), the chain of known points changes, the region outgrows what was read, or
it has been kept too long (a script's write that bypasses the versions)."""
from datetime import timedelta

from sqlalchemy import insert, update

from search_coord.adapters.models import Camera
from search_coord.services import camera_files, searches, video
from search_coord.services.video import region_cache

from support import LKP, T0, search_payload


def _fill(svc, n: int) -> None:
    now = T0.replace(tzinfo=None)
    with svc.transaction() as s:
        s.execute(insert(Camera), [{"code": f"R{i:04d}", "name": f"Cam {i}", "lon": LKP[0] + (i % 20 - 10) * 4e-4,
                                    "lat": LKP[1] + (i // 20 - 7) * 4e-4, "kind": "shop", "direction_deg": i * 7 % 360,
                                    "fov_deg": 70, "range_m": 40, "clock_offset_s": 0.0, "covers_exit": False,
                                    "active": True, "created_by": 1, "created_at": now, "updated_at": now}
                                   for i in range(n)])


def test_the_panel_reads_the_region_from_the_index_only_when_something_changed(svc, people, monkeypatch):
    d = people["disp"]
    sid = searches.open_search(svc, d, search_payload())["id"]
    svc.clock.now = T0 + timedelta(minutes=40)
    _fill(svc, 300)
    reads = []
    real = region_cache.sites_in_box
    monkeypatch.setattr(region_cache, "sites_in_box", lambda *a, **k: reads.append(1) or real(*a, **k))
    first = video.get_video(svc, d, sid)
    assert len(reads) == 1
    again = video.get_video(svc, d, sid)
    assert len(reads) == 1 and again["proposals"] == first["proposals"]
    assert again["cameras_in_region"] == first["cameras_in_region"]

    cam = video.create_camera(svc, d, {"code": "NEW1", "name": "New", "location": [LKP[0] + 1e-4, LKP[1]],
                                       "kind": "shop"})
    assert video.get_video(svc, d, sid)["cameras_in_region"] == first["cameras_in_region"] + 1
    assert len(reads) == 2
    video.update_camera(svc, d, cam["id"], {"active": False})
    assert video.get_video(svc, d, sid)["cameras_in_region"] == first["cameras_in_region"]
    camera_files.import_cameras(svc, d, f"code,name,lon,lat,kind\nNEW1,New,{LKP[0]},{LKP[1]},shop\n".encode(),
                                "csv")
    video.update_camera(svc, d, cam["id"], {"active": True})
    assert video.get_video(svc, d, sid)["cameras_in_region"] == first["cameras_in_region"] + 1
    n = len(reads)

    # the region grows with the time since the subject went missing: read again once it outgrows the margin
    svc.clock.now = T0 + timedelta(minutes=41)
    video.get_video(svc, d, sid)
    assert len(reads) == n
    svc.clock.now = T0 + timedelta(hours=30)
    video.get_video(svc, d, sid)
    assert len(reads) == n + 1

    # a write that bypasses the versions (a script) is seen once the kept region is old enough
    with svc.transaction() as s:
        s.execute(update(Camera).where(Camera.code == "NEW1").values(active=False))
    assert video.get_video(svc, d, sid)["cameras_in_region"] == first["cameras_in_region"] + 1
    monkeypatch.setattr(region_cache, "MAX_AGE_S", 0.0)
    assert video.get_video(svc, d, sid)["cameras_in_region"] == first["cameras_in_region"]

