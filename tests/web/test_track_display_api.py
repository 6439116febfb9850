"""The maps' compact snapshot (GET .../state?tracks=display) and one officer's full track a page at a time
(GET .../tracks/<user_id>): the snapshot's fixes are stored fixes, fewer of them, within 2 m of the full line;
the pages put together are the full track; bad arguments are a 400 naming them; outsiders see nothing."""
import math
import random
from datetime import datetime, timedelta, timezone

import numpy as np
import shapely

from search_coord.core.geometry import LocalProjection

from support import LKP

START = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def _walk(off1, sid, n=600):
    proj = LocalProjection(LKP[1], LKP[0])
    rnd = random.Random(5)
    x = y = heading = 0.0
    pts = []
    for i in range(n):
        heading += rnd.gauss(0, 0.3)
        x, y = x + 6 * math.cos(heading), y + 6 * math.sin(heading)
        lon, lat = proj.to_lonlat(x, y)
        pts.append({"t": (START + timedelta(seconds=5 * i)).isoformat(), "lon": lon, "lat": lat, "acc": 5.0})
    for k in range(0, n, 300):
        r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": f"walk-{k:08d}", "device": "ph1",
                                                         "points": pts[k:k + 300]})
        assert r.status_code == 201, r.get_json()
    return proj


def test_display_snapshot_is_a_simplified_subset_and_pages_give_the_whole_track(opened, login):
    sid, disp = opened
    off1 = login("off1")
    proj = _walk(off1, sid)
    uid = str(off1.user["id"])
    full = disp.get(f"/api/v1/searches/{sid}/state").get_json()
    shown = disp.get(f"/api/v1/searches/{sid}/state?tracks=display").get_json()
    assert "tracks_detail" not in full and len(full["tracks"][uid]) == 600
    fixes, sent = full["tracks"][uid], shown["tracks"][uid]
    assert shown["tracks_detail"][uid] == {"fixes": 600, "sent": len(sent), "tolerance_m": 2.0}
    assert 2 < len(sent) < 400 and shown["last_seq"] == full["last_seq"]
    by_time = {p[2]: p for p in fixes}
    for p in sent:   # the same fixes (times, keys), lon/lat to 1e-7 degrees
        f = by_time[p[2]]
        assert p[3] == f[3] and abs(p[0] - f[0]) <= 5e-8 and abs(p[1] - f[1]) <= 5e-8
    assert sent[0][2] == fixes[0][2] and sent[-1][2] == fixes[-1][2]
    gaps = np.diff([datetime.fromisoformat(p[2].replace("Z", "+00:00")).timestamp() for p in sent])
    assert gaps.max() <= 120   # still one line on the map (it breaks a line after 120 s of silence)
    xy = np.column_stack(proj.to_xy(np.array([p[0] for p in sent]), np.array([p[1] for p in sent])))
    every = np.column_stack(proj.to_xy(np.array([p[0] for p in fixes]), np.array([p[1] for p in fixes])))
    assert shapely.distance(shapely.LineString(xy), shapely.points(every)).max() < 2.2
    # an officer on the search reads the same snapshot; full detail pages back to the whole track
    assert off1.get(f"/api/v1/searches/{sid}/state?tracks=display").get_json()["tracks"][uid] == sent
    pages, after = [], ""
    while True:
        page = off1.get(f"/api/v1/searches/{sid}/tracks/{uid}?limit=250&after={after}").get_json()
        assert page["user_id"] == int(uid) and page["last_seq"] == full["last_seq"]
        pages.append(page["fixes"])
        if not page["next"]:
            break
        after = page["next"]
    assert [len(p) for p in pages] == [250, 250, 100]
    assert [f for p in pages for f in p] == fixes
    assert disp.get(f"/api/v1/searches/{sid}/tracks/999999").get_json()["fixes"] == []


def test_bad_arguments_are_a_400_and_outsiders_see_nothing(opened, login):
    sid, disp = opened
    r = disp.get(f"/api/v1/searches/{sid}/state?tracks=some")
    assert r.status_code == 400 and "tracks" in r.get_json()["errors"]
    for q in ("limit=0", "limit=20001", "after=abc", "after=1-2-3", "after=-5-1"):
        r = disp.get(f"/api/v1/searches/{sid}/tracks/1?{q}")
        assert r.status_code == 400 and set(r.get_json()["errors"]) <= {"limit", "after"}, q
    assert login("outsider").get(f"/api/v1/searches/{sid}/tracks/1").status_code == 403
    assert disp.get("/api/v1/searches/999999/tracks/1").status_code == 404
