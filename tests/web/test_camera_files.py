"""The camera registry's files through the API and the Cameras page: spreadsheets of every dialect imported (the
field-data cases too), errors by spreadsheet row and column with nothing stored, the export Excel opens, the registry
a page at a time, and recorder clocks years off accepted with a warning, the times read off them corrected."""
import codecs
import io
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from support import LKP, T0, FakeClock

CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data"
HEADER = "code,name,lon,lat,kind,owner,direction_deg,range_m,clock_offset_s,covers_exit"
ROWS = ["G1,东门岗亭,116.3006,39.9004,residential,小区物业,90,40.5,0,是",
        "G2,菜市场入口,116.3010,39.9008,shop,菜市场管理处,180,30,-35,"]


def case(name: str) -> bytes:
    path = CASES / name
    if not path.exists():
        if os.environ.get("SEARCH_COORD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{path} is required here (SEARCH_COORD_REQUIRE_SERVICES=1)")
        pytest.skip(f"{path} is not here")
    return path.read_bytes()


def upload(client, raw: bytes, filename="cameras.csv", fmt=None):
    url = "/api/v1/cameras/import" + (f"?format={fmt}" if fmt else "")
    return client.client.post(url, data={"file": (io.BytesIO(raw), filename)}, headers={"X-CSRF-Token": client.token},
                              content_type="multipart/form-data")


def registry(client) -> dict:
    return {c["code"]: c for c in client.get("/api/v1/cameras?active=all").get_json()}


def test_the_chinese_excel_and_blank_rows_cases_import(login):
    disp = login("disp")
    r = upload(disp, case("camera-gbk.csv"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"created": 2, "updated": 0, "skipped_rows": 0, "encoding": "gb18030",
                            "separator": "comma", "warnings": {}}
    cams = registry(disp)
    assert (cams["G1"]["name"], cams["G1"]["owner"], cams["G1"]["notes"]) == ("东门岗亭", "小区物业", "新增")
    assert cams["G2"]["name"] == "菜市场入口" and cams["G2"]["clock_offset_s"] == -35
    r = upload(disp, case("camera-blank-rows.csv"))
    assert r.status_code == 200 and r.get_json()["created"] == 1 and r.get_json()["skipped_rows"] >= 1
    assert registry(disp)["T1"]["name"] == "Kiosk 报刊亭"


@pytest.mark.parametrize("raw, separator", [
    (codecs.BOM_UTF16_LE + "\r\n".join([HEADER] + ROWS).replace(",", "\t").encode("utf-16-le"), "tab"),
    ("\r\n".join([HEADER] + ROWS).replace(",", ";").replace("116.", "116,").replace("39.", "39,")
     .replace("40.5", "40,5").encode("gbk"), "semicolon"),
    (codecs.BOM_UTF8 + "\n".join([HEADER + ",,"] + [r + ",," for r in ROWS] + [",,,,,,,,,,,,"] * 3).encode(), "comma"),
], ids=["utf16-tab", "gbk-semicolon-decimal-comma", "utf8-bom-trailing-blank"])
def test_spreadsheet_dialects_through_the_api(login, raw, separator):
    disp = login("disp")
    r = disp.client.post("/api/v1/cameras/import?format=csv", data=raw,
                         headers={"X-CSRF-Token": disp.token, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["separator"] == separator and r.get_json()["created"] == 2
    g1 = registry(disp)["G1"]
    assert g1["name"] == "东门岗亭" and g1["location"]["coordinates"] == [116.3006, 39.9004] and g1["range_m"] == 40.5


def test_errors_name_row_and_column_and_nothing_is_stored(login):
    disp = login("disp")
    raw = "\n".join([HEADER, ROWS[0], ",,,,,,,,,", "B1,,116.3,95,drone,,east,,,maybe", "B2,x,abc,39.9,shop"])
    r = upload(disp, raw.encode("gb18030"))
    assert r.status_code == 400
    errors = r.get_json()["errors"]
    assert set(errors) == {"row 4.name", "row 4.lat", "row 4.kind", "row 4.direction_deg", "row 4.covers_exit",
                           "row 5.lon"}
    assert errors["row 4.lat"].endswith("(column D)") and errors["row 5.lon"] == "must be a number (column C)"
    assert registry(disp) == {}
    r = upload(disp, b"code,name,lon\nA,B,1\n")
    assert r.status_code == 400 and "lat" in r.get_json()["errors"]["_header"]
    assert upload(disp, b"{}", "c.geojson").get_json()["errors"]["_body"].startswith("must be a GeoJSON")
    assert upload(login("off1"), case("camera-gbk.csv")).status_code == 403


def test_export_keeps_its_bom_and_round_trips_with_chinese_names(login):
    disp = login("disp")
    upload(disp, "\n".join([HEADER] + ROWS).encode("gbk"))
    r = disp.get("/api/v1/cameras/export?format=csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8" and r.data.startswith(codecs.BOM_UTF8)
    assert "东门岗亭" in r.data.decode("utf-8-sig")
    again = upload(disp, r.data.replace("东门岗亭".encode(), "东门岗亭 (新)".encode()))
    assert (again.get_json()["created"], again.get_json()["updated"]) == (0, 2)
    geo = disp.get("/api/v1/cameras/export?format=geojson")
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    doc = json.loads(geo.data)
    doc["features"][0]["properties"]["name"] = "北门"
    r = upload(disp, json.dumps(doc, ensure_ascii=False).encode(), "cameras.geojson")
    assert r.get_json()["updated"] == 2 and registry(disp)["G1"]["name"] == "北门"
    assert disp.get("/api/v1/cameras/export?format=xls").status_code == 400


def test_the_registry_a_page_at_a_time(login):
    disp = login("disp")
    lines = [HEADER] + [f"P{i:04d},Gate {i} 门,116.{3000 + i},39.9,shop,,,,," for i in range(260)]
    assert upload(disp, "\n".join(lines).encode()).get_json()["created"] == 260
    page = disp.get("/api/v1/cameras/page?limit=50&offset=100").get_json()
    assert page["total"] == 260 and len(page["cameras"]) == 50 and page["cameras"][0]["code"] == "P0100"
    found = disp.get("/api/v1/cameras/page?q=gate 25").get_json()
    assert [c["code"] for c in found["cameras"]] == ["P0025"] + [f"P02{i}" for i in range(50, 60)]
    assert disp.get("/api/v1/cameras/page?q=p01").get_json()["total"] == 100
    assert disp.get("/api/v1/cameras/page?q=%25").get_json()["total"] == 0  # a % is looked for, not a wildcard
    bad = disp.get("/api/v1/cameras/page?limit=5000&offset=-1")
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"limit", "offset"}
    assert login("off1").get("/api/v1/cameras/page").status_code == 403


def test_the_cameras_page_is_for_dispatchers_and_admins(app, login):
    r = app.test_client().get("/cameras")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    page = login("disp").get("/cameras")
    assert page.status_code == 200 and b"cameras.js" in page.data and b'id="cam-file"' in page.data
    assert login("adm").get("/cameras").status_code == 200
    assert login("off1").get("/cameras").status_code == 403
    zh = login("disp")
    zh.client.set_cookie("lang", "zh-CN")
    assert "摄像头".encode() in zh.get("/cameras").data


@pytest.fixture
def reviewer(app, login, opened):
    """The search (LKP at T0, now T0 + 30 min), off1 on a video review team."""
    app.extensions["search_coord"].clock = FakeClock(T0 + timedelta(minutes=30))
    sid, disp = opened
    off1 = login("off1")
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "V1", "kind": "video_review", "leader_id": off1.user["id"]})
    return sid, disp, off1


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat()


@pytest.mark.parametrize("recorder_now", [datetime(2023, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))),
                                          T0 + timedelta(minutes=30, days=365)],
                         ids=["factory-date-2023", "a-year-ahead"])
def test_recorder_clocks_years_off_are_accepted_and_times_read_off_them_corrected(reviewer, recorder_now):
    sid, disp, off1 = reviewer
    now = T0 + timedelta(minutes=30)
    offset = (recorder_now - now).total_seconds()  # measured: what the recorder shows minus the true time
    r = disp.post("/api/v1/cameras", {"code": "F1", "name": "Factory clock", "location": LKP, "kind": "shop",
                                      "search_id": sid, "clock_offset_s": offset})
    assert r.status_code == 201, r.get_json()
    cam = r.get_json()
    assert cam["clock_offset_s"] == offset and "years" in cam["clock_warning"]
    assert ("behind" if offset < 0 else "ahead") in cam["clock_warning"]
    seen = T0 + timedelta(minutes=10)
    r = off1.post(f"/api/v1/searches/{sid}/video/sightings", {
        "camera_id": cam["id"], "time": iso(seen + timedelta(seconds=offset)), "confidence": "probable"})
    assert r.status_code == 201, r.get_json()
    x = r.get_json()
    assert x["time"] == iso(seen).replace("+00:00", ".000Z")
    r = off1.post(f"/api/v1/searches/{sid}/video/intervals", {
        "camera_id": cam["id"], "start": iso(T0 + timedelta(seconds=offset)),
        "end": iso(T0 + timedelta(minutes=20, seconds=offset))})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["interval"]["start"] == iso(T0).replace("+00:00", ".000Z")
    # Read off the wrong clock as if it were right: the corrected time is years away and refused.
    r = off1.post(f"/api/v1/searches/{sid}/video/sightings", {
        "camera_id": cam["id"], "time": iso(seen), "confidence": "probable"})
    assert r.status_code == 400 and "time" in r.get_json()["errors"]
    # Re-measured to the small true offset: the stored times are corrected again, the warning goes.
    fixed = disp.patch(f"/api/v1/cameras/{cam['id']}", {"clock_offset_s": 30}).get_json()
    assert fixed["clock_warning"] is None
