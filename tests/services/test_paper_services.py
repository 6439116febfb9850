"""The exports, the briefing sheets and the report on SQLite and PostgreSQL: every format streams to the end and
reads back; a team's file holds only its people's tracks; the report counts the effort and names the devices."""
import csv
import io
import json
from datetime import timedelta

import gpxpy
from lxml import etree

from search_coord.adapters.models import Search
from search_coord.adapters.street_models import StreetLayer, StreetWay
from search_coord.core import record
from search_coord.services import (broadcasts, exports, exports_data, field, report, report_sheets, report_text,
                                   searched_areas, searches, teams)
from search_coord.services.basis import projection
from support import LKP, T0, search_payload, square

TZ = record.zone("Asia/Shanghai")


def _night(svc, people):
    disp, off1, off2 = people["disp"], people["off1"], people["off2"]
    sid = searches.open_search(svc, disp, search_payload(subject={"name": "张桂林", "age": 80, "category": "dementia"}))["id"]
    for who in (off1, off2):
        searches.add_member(svc, disp, sid, who.user_id)
    team = teams.create_team(svc, disp, sid, {"name": "Foot A", "kind": "foot_patrol", "callsign": "Bravo-1",
                                              "leader_id": off1.user_id, "member_ids": [off1.user_id]})
    teams.create_assignment(svc, disp, sid, {"title": "Garages", "kind": "area", "geometry": square(),
                                             "team_id": team["id"]})
    start = T0 + timedelta(minutes=10)   # before the clock (T0 + 30 min)
    for who, d_lat, cid in ((off1, 0.0, "b-0000001"), (off2, 0.001, "b-0000002")):
        pts = [{"t": (start + timedelta(seconds=5 * i)).isoformat(), "lon": LKP[0] + 0.00003 * i,
                "lat": LKP[1] + d_lat, "acc": 6} for i in range(40)]
        field.add_track_batch(svc, who, sid, {"client_id": cid, "points": pts})
    searched_areas.mark_searched(svc, off1, sid, {"geometry": square(), "pod": 0.6, "team_id": team["id"]})
    b = broadcasts.send(svc, disp, sid, {"kind": "description", "text": "He may be confused"})
    broadcasts.acknowledge(svc, off1, sid, b["id"])
    return sid, team["id"]


def _text(svc, scope, fmt):
    return "".join(exports.chunks(svc, scope, fmt, TZ, report_text.both()))


def test_exports_stream_and_read_back_on_both_databases(svc, people):
    sid, team_id = _night(svc, people)
    disp = people["disp"]
    whole = exports_data.resolve_scope(svc, disp, sid)
    doc = gpxpy.parse(_text(svc, whole, "gpx"))
    assert sorted(t.name for t in doc.tracks) == ["Off1", "Off2"]
    assert sum(len(s.points) for t in doc.tracks for s in t.segments) == 80
    team = exports_data.resolve_scope(svc, disp, sid, team_id=team_id)
    assert [t.name for t in gpxpy.parse(_text(svc, team, "gpx")).tracks] == ["Off1"]
    assert etree.fromstring(_text(svc, team, "kml").encode()).tag.endswith("kml")
    kinds = {f["properties"]["kind"] for f in json.loads(_text(svc, whole, "geojson"))["features"]}
    assert {"lkp", "assignment", "searched_area", "track"} <= kinds
    rows = list(csv.DictReader(io.StringIO(_text(svc, whole, "csv").lstrip("\ufeff"))))
    area = next(r for r in rows if r["type"] == "area.searched")
    assert "Bravo-1" in area["summary_en"] and area["device"] == "Off1's phone 1" and area["device_id"] == "dev-off1"


def test_briefing_and_report_on_both_databases(svc, people):
    sid, _ = _night(svc, people)
    sheets = report_sheets.briefing(svc, people["disp"], sid, TZ)["sheets"]
    assert [s["team"]["callsign"] for s in sheets] == ["Bravo-1"] and "<svg" in sheets[0]["map_svg"]
    data = report.build(svc, people["disp"], sid, TZ, "zh-CN")
    team = data["teams"][0]
    assert team["callsign"] == "Bravo-1" and 0.05 < team["km"] < 0.2 and team["area_pod"] == 0.6
    assert data["numbers"]["fixes"] == 80 and data["numbers"]["officers"] == 2
    assert data["broadcasts"][0]["acks"][0]["who"] == "Off1" and data["broadcasts"][0]["missing"] == ["Off2"]
    assert all(line["at"].endswith("+8") for line in data["timeline"])
    assert any("发现概率 60%" in line["text"] for line in data["timeline"])


def test_the_reports_one_pass_reader_cuts_tracks_as_the_exports_do(svc, people):
    sid, _ = _night(svc, people)
    off1 = people["off1"]
    later = [{"t": (T0 + timedelta(minutes=25, seconds=5 * i)).isoformat(), "lon": LKP[0] + 0.002,
              "lat": LKP[1] + 0.00003 * i, "acc": 6 if i % 7 else 80} for i in range(30)]   # a gap, coarse fixes
    field.add_track_batch(svc, off1, sid, {"client_id": "b-0000003", "points": later})
    with svc.reading() as s:
        search = s.get(Search, sid)
        proj = projection(search)
    for trk in exports_data.device_tracks(svc, sid, proj):
        cut = list(exports_data.runs(exports_data.track_fixes(svc, sid, trk.user_id, trk.device)))
        assert [len(p[0]) for p in trk.pieces] == [len(r) for r in cut]
        assert trk.fixes == sum(len(r) for r in cut)


def test_paper_maps_name_the_streets_of_a_loaded_layer(svc, people):
    sid, _ = _night(svc, people)
    with svc.transaction() as s:
        layer = StreetLayer(name="Changyang", source="geojson", filename="c.geojson", sha256="0" * 64,
                            min_lon=LKP[0] - 0.02, min_lat=LKP[1] - 0.02, max_lon=LKP[0] + 0.02,
                            max_lat=LKP[1] + 0.02, counts={}, load_seconds=0.1, active=True,
                            created_by=people["disp"].user_id, created_at=T0.replace(tzinfo=None))
        s.add(layer)
        s.flush()
        s.add_all([StreetWay(layer_id=layer.id, way_id=1, nodes=[1, 2], highway="residential", walk=True,
                             drive=True, name="长阳路", name_zh="长阳路", name_en="Changyang Road",
                             coords=[[LKP[0] - 0.01, LKP[1] + 0.0005], [LKP[0] + 0.01, LKP[1] + 0.0005]]),
                   StreetWay(layer_id=layer.id, way_id=2, nodes=[3, 4], highway="residential", walk=True,
                             drive=True, name="远方路", name_zh="远方路", name_en="Far Road",
                             coords=[[LKP[0] + 0.5, LKP[1]], [LKP[0] + 0.51, LKP[1]]])])
    sheet = report_sheets.briefing(svc, people["disp"], sid, TZ)["sheets"][0]
    assert "长阳路" in sheet["map_svg"] and "远方路" not in sheet["map_svg"] and 'class="pm-street"' in sheet["map_svg"]
    assert "长阳路" in report.build(svc, people["disp"], sid, TZ, "zh-CN")["map_svg"]
