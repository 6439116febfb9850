"""Exports open in readers other than ours: GPX in gpxpy and lxml (the GPX 1.1 structure: namespace, element order,
attributes), KML in fastkml and lxml, GeoJSON in shapely, the CSV log in the csv module; names carry the search and
the time; officers export only their own tracks; bad requests are 400s that name the argument."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import gpxpy
import pytest
import shapely
from fastkml import kml
from lxml import etree
from shapely.geometry import shape

from paper_support import CALLSIGNS, SUBJECT_ZH, evening, flask_call

GPX = "{http://www.topografix.com/GPX/1/1}"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def night(app, login):
    disp, off1, off2 = login("disp"), login("off1"), login("off2")
    ev = evening(flask_call(disp), {"off1": (flask_call(off1), off1.user["id"]),
                                    "off2": (flask_call(off2), off2.user["id"])})
    return ev, disp, off1, off2


def _get(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r


def test_gpx_is_read_by_gpxpy_and_has_the_gpx_1_1_structure(night):
    ev, disp, *_ = night
    r = _get(disp, f"/api/v1/searches/{ev['sid']}/export/gpx")
    assert r.mimetype == "application/gpx+xml"
    doc = gpxpy.parse(r.get_data(as_text=True))
    assert {t.name for t in doc.tracks} == {"Off1", "Off2"}
    off1 = next(t for t in doc.tracks if t.name == "Off1")
    assert sum(len(s.points) for s in off1.segments) == 90
    assert all(p.time.tzinfo is not None for s in off1.segments for p in s.points)
    assert doc.waypoints[0].name == "LKP" and SUBJECT_ZH in doc.waypoints[0].description
    # a second parser: the GPX 1.1 structure (no XSD is bundled by any package we install: checked by hand here)
    root = etree.fromstring(r.data)
    assert root.tag == GPX + "gpx" and root.get("version") == "1.1" and root.get("creator")
    order = [child.tag.replace(GPX, "") for child in root]
    assert order == sorted(order, key=["metadata", "wpt", "rte", "trk", "extensions"].index)
    for pt in root.iter(GPX + "trkpt"):
        assert -90 <= float(pt.get("lat")) <= 90 and -180 <= float(pt.get("lon")) <= 180
        assert [c.tag for c in pt] == [GPX + "time"]


def test_kml_is_read_by_fastkml_and_lxml(night):
    ev, disp, *_ = night
    r = _get(disp, f"/api/v1/searches/{ev['sid']}/export/kml?team={ev['teams'][0]}")
    root = etree.fromstring(r.data)
    names = [p.findtext(KML + "name") for p in root.iter(KML + "Placemark")]
    assert "LKP" in names and "Off1" in names and "Off2" not in names
    k = kml.KML.from_string(r.data)
    doc = k.features[0]
    marks = {f.name: f for f in doc.features}
    assert marks["Off1"].geometry.geom_type == "MultiLineString"
    assert len(list(marks["Off1"].geometry.geoms)) == 2   # a gap of 25 min: two runs


def test_geojson_of_everything_is_read_by_shapely(night):
    ev, disp, *_ = night
    r = _get(disp, f"/api/v1/searches/{ev['sid']}/export/geojson")
    data = json.loads(r.data)
    kinds = {}
    for f in data["features"]:
        geom = shape(f["geometry"])
        assert geom.is_valid, f["properties"]
        kinds.setdefault(f["properties"]["kind"], []).append(f)
    assert {"lkp", "segment", "assignment", "searched_area", "clue", "track"} <= set(kinds)
    seg = kinds["segment"][0]["properties"]
    assert {"poa0", "poa", "coverage", "pod", "pos", "name"} <= set(seg)
    assert kinds["searched_area"][0]["properties"]["pod"] == 0.6
    tracks = {f["properties"]["user"]: f for f in kinds["track"]}
    assert shapely.get_num_geometries(shape(tracks["Off1"]["geometry"])) == 2
    assert [len(x) for x in tracks["Off1"]["properties"]["times"]] == [60, 30]


def test_csv_log_names_areas_devices_and_is_bilingual(night):
    ev, disp, off1, _ = night
    r = _get(disp, f"/api/v1/searches/{ev['sid']}/export/csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(x["seq"]) for x in rows] == list(range(1, len(rows) + 1))
    area = next(x for x in rows if x["type"] == "area.searched")
    assert "60%" in area["summary_en"] and "60%" in area["summary_zh"] and "Foot A" in area["summary_en"]
    # the local time is the UTC time in the search's zone (+8), whatever the hour the suite runs at
    utc = datetime.fromisoformat(area["time_utc"].replace("Z", "+00:00"))
    local = utc.astimezone(timezone(timedelta(hours=8)))
    assert area["time_local"] == local.strftime("%Y-%m-%d %H:%M:%S") + " +8", (area["time_utc"], area["time_local"])
    assert area["device"] == "Off1's phone 1" and area["device_id"] == "test-device-1"
    assert any(CALLSIGNS[0] in x["summary_en"] for x in rows if x["type"] == "team.created")


def test_file_names_carry_the_search_and_time_in_ascii_and_utf8(night):
    ev, disp, *_ = night
    r = _get(disp, f"/api/v1/searches/{ev['sid']}/export/gpx?officer={ev['users'][0]}")
    cd = r.headers["Content-Disposition"]
    assert cd.startswith('attachment; filename="Changyang-11-28_officer-Off1_') and ".gpx\"" in cd
    assert unquote(cd.split("filename*=UTF-8''")[1]).startswith("Changyang 11-28_officer-Off1_")


def test_officers_export_only_their_own_tracks_and_bad_requests_are_named(night):
    ev, disp, off1, off2 = night
    sid = ev["sid"]
    assert off1.get(f"/api/v1/searches/{sid}/export/gpx").status_code == 403
    assert off1.get(f"/api/v1/searches/{sid}/export/gpx?officer={ev['users'][1]}").status_code == 403
    own = gpxpy.parse(_get(off1, f"/api/v1/searches/{sid}/export/gpx?officer={ev['users'][0]}").get_data(True))
    assert [t.name for t in own.tracks] == ["Off1"]
    r = disp.get(f"/api/v1/searches/{sid}/export/pdf")
    assert r.status_code == 400 and "format" in r.get_json()["errors"]
    r = disp.get(f"/api/v1/searches/{sid}/export/gpx?team=x")
    assert r.status_code == 400 and "team" in r.get_json()["errors"]
    assert disp.get(f"/api/v1/searches/{sid}/export/gpx?team=999").status_code == 404
