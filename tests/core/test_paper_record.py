"""core/paper.py and core/record.py: file names and headers, the SVG map (escaped text, scale bar of a round
length, north arrow), the record's sentences, devices named, times on the station's clock, the log's filters."""
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree
from shapely.geometry import LineString, Point, box

from search_coord.core import paper, record
from search_coord.core.catalogue import CATALOGUE
from search_coord.core.errors import ValidationError

I18N = Path(__file__).resolve().parents[2] / "search_coord" / "i18n"
TZ = record.zone("Asia/Shanghai")


def test_file_names_are_ascii_and_utf8_with_the_station_time():
    when = datetime(2026, 11, 28, 21, 30, tzinfo=TZ)
    ascii_name, utf8 = paper.file_names("搜索 Zhāng/Guilin", when, "team-A1", "gpx")
    assert ascii_name == "Zhang-Guilin_team-A1_2026-11-28_2130.gpx"
    assert utf8 == "搜索 Zhāng-Guilin_team-A1_2026-11-28_2130.gpx"
    cd = paper.content_disposition(ascii_name, utf8)
    assert cd.startswith('attachment; filename="Zhang-Guilin_team-A1_2026-11-28_2130.gpx"; filename*=UTF-8\'\'')
    assert unquote(cd.split("''", 1)[1]) == utf8
    assert paper.file_names("张桂林", when, "", "csv")[0] == "search_2026-11-28_2130.csv"


@pytest.mark.parametrize("target, nice", [(0.7, 0.5), (3, 2), (180, 100), (260, 200), (740, 500), (1999, 1000)])
def test_scale_bar_lengths_are_round(target, nice):
    assert paper.nice_length(target) == nice


def test_svg_map_is_well_formed_escapes_labels_and_frames_the_focus():
    layers = [paper.Layer(box(-100, -100, 100, 100), "pm-assignment", '<script>alert("x")</script>'),
              paper.Layer(LineString([(0, 0), (300, 50)]), "pm-track", None, "#b91c1c"),
              paper.Layer(Point(0, 0), "pm-lkp", "LKP"),
              paper.Layer(LineString([(0, 0), (1, 1)]), "pm-track", None, 'red" onload="x')]
    svg = paper.svg_map(layers, 180, 120, focus=box(-100, -100, 100, 100), title='a"b')
    root = etree.fromstring(svg.encode())
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(ns + "text")]
    assert '<script>alert("x")</script>' in texts and "LKP" in texts and "N" in texts
    assert "<script>" not in svg and 'onload' not in svg
    assert any(t.endswith(" m") for t in texts if t)   # the scale bar's label
    x, y, w, h = map(float, root.get("viewBox").split())
    assert abs(w / h - 1.5) < 1e-6 and w >= 200 and x < -100 and x + w > 100
    strokes = [p.get("stroke") for p in root.iter(ns + "path") if p.get("class") == "pm-track"]
    assert strokes == ["#b91c1c", None]


def _event(type_, payload, actor=(2, "Off1"), device="a1b2c3"):
    return {"seq": 1, "type": type_, "at": "2026-11-28T10:05:07.000Z", "actor": {"id": actor[0], "name": actor[1]},
            "device": device, "payload": payload}


def test_record_names_the_area_its_team_segments_and_pod_in_both_languages():
    names = record.Names(users={2: "Off1"}, teams={5: "Foot A (Bravo-1)"}, segments={11: "E5", 12: "E6"})
    ev = _event("area.searched", {"area": {"pod": 0.6, "team_id": 5, "notes": None},
                                  "coverage": {"12": 0.3, "11": 0.4}})
    key, params = record.describe(ev, names, TZ)
    assert key == "rec.area.searched" and params["pod"] == "60%" and params["segments"] == "E5, E6"
    for lang in ("en", "zh-CN"):
        text = record.word(json.loads((I18N / f"{lang}.json").read_text("utf-8"))[key], params)
        assert "Foot A (Bravo-1)" in text and "60%" in text and "E5, E6" in text and "{" not in text


def test_every_sentence_key_exists_in_both_languages():
    en = json.loads((I18N / "en.json").read_text("utf-8"))
    zh = json.loads((I18N / "zh-CN.json").read_text("utf-8"))
    keys = {k for k in en if k.startswith(("rec.", "print.", "flyer.", "report.", "paper.", "replay."))}
    assert len(keys) > 100 and keys <= set(zh)
    for type_ in CATALOGUE:
        key, _ = record.describe(_event(type_, {}), record.Names(), TZ)
        assert key in en and key in zh, type_


def test_devices_are_named_by_user_and_browser_and_phones_numbered():
    ua = "web: Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
    named = record.device_names([(2, "phone-a"), (3, ua), (2, "phone-b"), (2, "phone-a"), (3, "phone-c")])
    assert named[(2, "phone-a")] == {"kind": "phone", "n": 1, "raw": "phone-a"}
    assert named[(2, "phone-b")]["n"] == 2 and named[(3, "phone-c")]["n"] == 1
    assert named[(3, ua)] == {"kind": "browser", "browser": "Chrome / Android", "raw": ua}


def test_times_are_dated_on_the_station_clock():
    assert record.stamp("2026-11-28T16:05:07.000Z", TZ) == "2026-11-29 00:05:07 +8"
    assert record.stamp(datetime(2026, 11, 28, 16, 5), TZ, seconds=False) == "2026-11-29 00:05 +8"
    assert record.stamp(None, TZ) == ""
    assert record.stamp(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), record.zone("Europe/London")).endswith("+1")
    with pytest.raises(ValidationError):
        record.zone("Mars/Olympus")


def test_filters_by_kind_person_and_team():
    ev = _event("area.searched", {"area": {"team_id": 5}})
    assert record.matches(ev, kind="area") and not record.matches(ev, kind="clue")
    assert record.matches(ev, user_id=2) and not record.matches(ev, user_id=3)
    assert record.matches(ev, team_members=frozenset({9}), team_id=5)          # about the team
    assert record.matches(ev, team_members=frozenset({2}), team_id=7)          # by one of its people
    assert not record.matches(ev, team_members=frozenset({9}), team_id=7)
