"""Track files: GPX tracks, segments and routes; KML gx:Track, MultiTrack and LineString; times missing or wrong;
unsafe or foreign files refused."""
import io
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from search_coord.core import track_files as tf
from search_coord.core.errors import ValidationError

CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data"
T0 = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx(body: str) -> bytes:
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">{body}'
            "</gpx>").encode()


def trkpt(lon, lat, t=None, ele=None) -> str:
    return (f'<trkpt lat="{lat}" lon="{lon}">' + (f"<ele>{ele}</ele>" if ele is not None else "")
            + (f"<time>{z(t)}</time>" if t else "") + "</trkpt>")


def kml(placemarks: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" '
            f'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>{placemarks}</Document></kml>').encode()


def gx_track(name, pts) -> str:
    whens = "".join(f"<when>{z(t)}</when>" for _, _, t in pts)
    coords = "".join(f"<gx:coord>{lon} {lat} 40</gx:coord>" for lon, lat, _ in pts)
    return f"<Placemark><name>{name}</name><gx:Track>{whens}{coords}</gx:Track></Placemark>"


def walk(n, start=T0 + timedelta(minutes=10), step_s=15):
    return [(116.3 + i * 0.0001, 39.9 + i * 0.0001, start + timedelta(seconds=i * step_s)) for i in range(n)]


def test_the_handheld_case_file():
    track = tf.parse_track_file((CASES / "handheld.gpx").read_bytes(), "handheld.gpx")
    assert track.format == "gpx" and track.name == "Team 2 hasty search" and len(track.points) == 8
    assert track.points[5].ele is None and track.points[6].t is None
    plan = tf.plan_fixes(track, T0, NOW)
    assert plan.counts == {"read": 8, "taken": 7, "repeated": 1, "interpolated": 1}
    by_status = {n.status: n for n in plan.notes}
    assert by_status["repeated"].index == 3
    mid = by_status["interpolated"]
    assert mid.index == 6 and datetime(2026, 11, 29, 10, 11, tzinfo=timezone.utc) < mid.t < \
        datetime(2026, 11, 29, 10, 11, 30, tzinfo=timezone.utc)
    times = [f["t"] for f in plan.fixes]
    assert times == sorted(times) and len(set(times)) == 7
    assert all(f["acc"] is None and f["run"] == 0 for f in plan.fixes)


def test_gpx_segments_are_runs_and_routes_without_times_are_refused():
    a, b = walk(3), walk(3, start=T0 + timedelta(minutes=30))
    data = gpx("<trk><name>V3</name><trkseg>" + "".join(trkpt(*p) for p in a) + "</trkseg><trkseg>"
               + "".join(trkpt(*p) for p in b) + "</trkseg></trk>")
    plan = tf.plan_fixes(tf.parse_track_file(data), T0, NOW)
    assert [f["run"] for f in plan.fixes] == [0, 0, 0, 1, 1, 1]
    route = gpx('<rte><rtept lat="39.9" lon="116.3"/><rtept lat="39.91" lon="116.31"/></rte>')
    track = tf.parse_track_file(route)
    assert len(track.points) == 2
    with pytest.raises(ValidationError) as err:
        tf.plan_fixes(track, T0, NOW)
    assert "no times" in err.value.errors["file"]


def test_kml_gx_track_multitrack_and_linestring():
    pts = walk(4)
    data = kml(gx_track("Vehicle 3", pts) + "<Placemark><gx:MultiTrack>"
               + gx_track("x", walk(2, start=T0 + timedelta(hours=1)))[len("<Placemark><name>x</name>"):-len("</Placemark>")]
               + "</gx:MultiTrack></Placemark>"
               + "<Placemark><LineString><coordinates>116.3,39.9,0 116.31,39.91,0</coordinates></LineString></Placemark>"
               + "<Placemark><Point><coordinates>116.3,39.9</coordinates></Point></Placemark>")
    track = tf.parse_track_file(data, "v3.kml")
    assert track.format == "kml" and track.name == "Vehicle 3" and len(track.points) == 8
    assert track.points[0].t == pts[0][2] and track.points[0].ele == 40
    plan = tf.plan_fixes(track, T0, NOW)
    assert plan.counts["taken"] == 6 and plan.counts["no_time"] == 2   # the line's points have no time
    assert sorted({f["run"] for f in plan.fixes}) == [0, 1]


def test_a_kml_linestring_alone_is_refused_and_a_kmz_is_opened():
    line = kml("<Placemark><LineString><coordinates>116.3,39.9 116.31,39.91</coordinates></LineString></Placemark>")
    with pytest.raises(ValidationError, match="no times"):
        tf.plan_fixes(tf.parse_track_file(line), T0, NOW)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("doc.kml", kml(gx_track("T", walk(3))))
    assert len(tf.parse_track_file(buf.getvalue(), "t.kmz").points) == 3


def test_times_before_the_disappearance_in_the_future_and_out_of_order_are_reported():
    pts = [(116.3, 39.9, T0 - timedelta(minutes=5)), (116.3001, 39.9001, T0 + timedelta(minutes=1)),
           (116.3002, 39.9002, T0 + timedelta(seconds=30)), (116.3003, 39.9003, T0 + timedelta(minutes=2)),
           (116.3004, 39.9004, NOW + timedelta(hours=1)), (0, 0, T0 + timedelta(minutes=3)),
           (116.3005, 39.9005, T0 + timedelta(minutes=4))]
    plan = tf.plan_fixes(tf.parse_track_file(gpx("<trk><trkseg>" + "".join(trkpt(*p) for p in pts)
                                                 + "</trkseg></trk>")), T0, NOW)
    status = {n.index: n.status for n in plan.notes}
    assert status == {0: "before_missing", 2: "out_of_order", 4: "in_future", 5: "bad_position"}
    assert [f["index"] for f in plan.fixes] == [1, 3, 6]
    with pytest.raises(ValidationError, match="before_missing 1"):
        tf.plan_fixes(tf.parse_track_file(gpx("<trk><trkseg>" + trkpt(*pts[0]) + "</trkseg></trk>")), T0, NOW)


def test_untimed_points_at_the_ends_of_a_run_are_dropped_and_the_middle_interpolated_by_distance():
    a, b = walk(2)
    pts = [(116.2999, 39.8999, None), a, (116.30005, 39.90005, None), (116.30008, 39.90008, None), b,
           (116.3002, 39.9002, None)]
    plan = tf.plan_fixes(tf.parse_track_file(gpx("<trk><trkseg>" + "".join(trkpt(*p) for p in pts)
                                                 + "</trkseg></trk>")), T0, NOW)
    status = {n.index: n.status for n in plan.notes}
    assert status == {0: "no_time", 2: "interpolated", 3: "interpolated", 5: "no_time"}
    t2, t3 = (f["t"] for f in plan.fixes[1:3])
    assert a[2] < t2 < t3 < b[2]
    assert abs((t2 - a[2]).total_seconds() - 7.5) < 0.2 and abs((t3 - a[2]).total_seconds() - 12) < 0.2


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"not xml at all", "not well-formed"),
    (b"<html><body>hi</body></html>", "neither GPX nor KML"),
    (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b'<gpx version="1.1"><trk><name>&b;</name></trk></gpx>', "DTD"),
    (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&x;</name></Document></kml>', "DTD"),
    (b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"></gpx>', "no track"),
    (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="abc" lon="1"/>'
     b"</trkseg></trk></gpx>", "GPX"),
    (b"PK\x03\x04garbage", "zip"),
])
def test_bad_and_unsafe_files_are_refused(data, words):
    with pytest.raises(ValidationError) as err:
        tf.parse_track_file(data, "x.gpx")
    assert err.value.status == 400 and words in err.value.errors["file"]


def test_too_large_files_are_413():
    with pytest.raises(tf.FileTooLarge) as err:
        tf.parse_track_file(b" " * (tf.MAX_FILE_BYTES + 1))
    assert err.value.status == 413


def test_track_files_and_photos_stay_pure():
    import subprocess
    import sys

    code = ("import sys, search_coord.core.track_files, search_coord.core.photos\n"
            "print(','.join(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'socketio', "
            "'werkzeug', 'requests')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
