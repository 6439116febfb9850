"""A district's camera file through the API: far above the old 2 MB ceiling, imported with its progress streamed;
over the configured limit a 413; bad rows named and nothing stored; the registry by the map's view."""
import io
import json
import random

from support import LKP


def _csv(rows: int, bad_at: int | None = None) -> bytes:
    rnd = random.Random(9)
    lines = ["code,name,lon,lat,kind,owner,contact,direction_deg,fov_deg,range_m,retention_days,notes"]
    for i in range(rows):
        lat = "95" if i == bad_at else f"{LKP[1] + rnd.uniform(-0.05, 0.05):.6f}"
        lines.append(f"D{i:06d},路口摄像头 {i} Crossing camera with a long name,{LKP[0] + rnd.uniform(-0.05, 0.05):.6f},"
                     f"{lat},public_security,Fangshan branch station,010-6935 0000 ext {i % 1000},"
                     f"{rnd.uniform(0, 360):.0f},70,40,30,pole {i % 97} at the crossing of two roads")
    return ("\n".join(lines) + "\n").encode()


def _post(client, raw: bytes, stream: bool):
    headers = {"X-CSRF-Token": client.token}
    if stream:
        headers["Accept"] = "application/x-ndjson"
    return client.client.post("/api/v1/cameras/import?format=csv", data={"file": (io.BytesIO(raw), "district.csv")},
                              headers=headers, content_type="multipart/form-data")


def test_a_big_file_imports_with_its_progress_streamed(app, login):
    disp = login("disp")
    raw = _csv(25_000)
    assert len(raw) > 4_000_000           # twice the old ceiling
    r = _post(disp, raw, stream=True)
    assert r.status_code == 200 and r.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    stages = [x["stage"] for x in lines if "stage" in x]
    assert stages[0] == "reading" and "checking" in stages and stages[-1] == "storing"
    storing = [x["done"] for x in lines if x.get("stage") == "storing"]
    assert storing == sorted(storing) and storing[-1] == 25_000 and len(storing) > 5   # stored in chunks
    assert lines[-1]["result"]["created"] == 25_000
    assert disp.get("/api/v1/cameras?limit=1").headers["X-Total-Count"] == "25000"
    # the same file again: every camera updated, none added (plain answer without the streaming Accept)
    r = _post(disp, raw, stream=False)
    assert r.status_code == 200 and {k: r.get_json()[k] for k in ("created", "updated")} == \
        {"created": 0, "updated": 25_000}
    # the map reads it by area
    view = disp.get(f"/api/v1/cameras/area?bbox={LKP[0] - 0.05},{LKP[1] - 0.05},{LKP[0] + 0.05},{LKP[1] + 0.05}"
                    f"&zoom=12").get_json()
    assert view["mode"] == "clusters" and sum(c["count"] for c in view["clusters"]) == view["total"] == 25_000


def test_a_bad_row_is_named_and_nothing_is_stored(app, login):
    disp = login("disp")
    r = _post(disp, _csv(5000, bad_at=4321), stream=True)
    last = json.loads(r.get_data(as_text=True).splitlines()[-1])
    assert last["error"]["status"] == 400 and set(last["error"]["errors"]) == {"row 4323.lat"}
    assert disp.get("/api/v1/cameras?limit=1").headers["X-Total-Count"] == "0"
    r = _post(disp, _csv(5000, bad_at=10), stream=False)
    assert r.status_code == 400 and set(r.get_json()["errors"]) == {"row 12.lat"}


def test_over_the_configured_limit_is_refused_and_officers_may_not_import(app, login):
    app.config["CAMERA_IMPORT_MAX_BYTES"] = 100_000
    disp = login("disp")
    r = _post(disp, _csv(2000), stream=True)
    assert r.status_code == 413
    assert disp.get("/api/v1/cameras?limit=1").headers["X-Total-Count"] == "0"
    r = _post(login("off1"), _csv(10), stream=True)
    assert r.status_code == 403 and r.mimetype == "application/json"


def test_the_area_api_checks_its_arguments(app, login):
    disp = login("disp")
    assert disp.get("/api/v1/cameras/area?bbox=116,39,117,40").status_code == 400       # no zoom
    assert disp.get("/api/v1/cameras/area?zoom=15").status_code == 400                 # no bbox
    assert disp.get("/api/v1/cameras/area?bbox=116,39,117,40&zoom=99").status_code == 400
    r = login("off1").get("/api/v1/cameras/area?bbox=116,39,117,40&zoom=17")
    assert r.status_code == 400 and "search_id" in r.get_json()["errors"]
    _post(disp, _csv(300), stream=False)
    box = f"{LKP[0] - 0.05},{LKP[1] - 0.05},{LKP[0] + 0.05},{LKP[1] + 0.05}"
    seen, cursor = [], None
    while True:
        page = disp.get(f"/api/v1/cameras/area?bbox={box}&zoom=17&limit=70"
                        + (f"&cursor={cursor}" if cursor else "")).get_json()
        assert page["mode"] == "cameras" and all(c["cone"]["type"] == "Polygon" for c in page["cameras"])
        seen += [c["code"] for c in page["cameras"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == page["total"] == 300
    bare = disp.get(f"/api/v1/cameras/area?bbox={box}&zoom=17&limit=5&cones=0").get_json()["cameras"]
    assert len(bare) == 5 and all(c["cone"] is None and c["fov_deg"] == 70 for c in bare)   # the map draws them
