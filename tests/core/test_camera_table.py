"""Camera CSV files as spreadsheets write them: every encoding, separator and decimal mark, blank rows, trailing empty
columns, loose headers; errors by spreadsheet row and column; GeoJSON; recorder clocks years off."""
import codecs
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from search_coord.core import camera_table as ct
from search_coord.core.errors import ValidationError
from search_coord.core.video import clean_camera, clock_warning

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "field-data"
HEADER = ["code", "name", "lon", "lat", "kind", "owner", "direction_deg", "range_m", "clock_offset_s", "covers_exit"]
ROWS = [["G1", "东门岗亭", "116.3006", "39.9004", "residential", "小区物业", "90", "40.5", "0", "是"],
        ["G2", "菜市场入口 (北)", "116.3010", "39.9008", "shop", "菜市场管理处", "180", "30", "-35", ""],
        ["K3", "Kiosk 报刊亭", "116.2999", "39.8999", "shop", "", "", "", "", "no"]]


def table(sep=",", decimal=".", rows=ROWS, header=HEADER, trailing=0, blank=0, crlf=True):
    """The same registry as a spreadsheet saves it: ``sep`` between cells, ``decimal`` as the decimal mark,
    ``trailing`` empty columns on every line, ``blank`` rows of separators after each row."""
    def line(cells):
        cells = [c.replace(".", decimal) if c[:1].isdigit() or c[:1] == "-" else c for c in cells]
        return sep.join(cells + [""] * trailing)
    nl = "\r\n" if crlf else "\n"
    out = [sep.join(header + [""] * trailing)]
    for r in rows:
        out.append(line(r))
        out += [sep * (len(header) + trailing - 1)] * blank
    return nl.join(out) + nl


def names(parsed):
    return {c["code"]: c["name"] for c in parsed.cameras}


EXPECTED = {"G1": "东门岗亭", "G2": "菜市场入口 (北)", "K3": "Kiosk 报刊亭"}


@pytest.mark.parametrize("encoded, encoding, sep", [
    (table().encode("utf-8"), "utf_8", ","),
    (codecs.BOM_UTF8 + table().encode("utf-8"), "utf-8", ","),
    (table().encode("gbk"), "gb18030", ","),
    (table().encode("gb18030"), "gb18030", ","),
    (codecs.BOM_UTF16_LE + table("\t").encode("utf-16-le"), "utf-16-le", "\t"),
    (codecs.BOM_UTF16_BE + table("\t").encode("utf-16-be"), "utf-16-be", "\t"),
    (table(";", ",").encode("utf-8"), "utf_8", ";"),
    (table(";", ",").encode("gbk"), "gb18030", ";"),
    (codecs.BOM_UTF16_LE + table("\t", ",").encode("utf-16-le"), "utf-16-le", "\t"),
    (table(",", trailing=3, blank=2).encode("gbk"), "gb18030", ","),
    (table(";", ",", trailing=2, blank=1, crlf=False).encode("utf-8"), "utf_8", ";"),
], ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16le-tab", "utf16be-tab", "semicolon-decimal-comma",
        "gbk-semicolon-decimal-comma", "utf16-tab-decimal-comma", "gbk-trailing-blank", "semicolon-trailing-blank-lf"])
def test_every_dialect_reads_the_same_registry(encoded, encoding, sep):
    table_ = ct.read_table(encoded)
    assert (table_.encoding, table_.delimiter) == (encoding, sep)
    parsed = ct.parse_csv(encoded, NOW)
    assert names(parsed) == EXPECTED
    g1 = parsed.cameras[0]
    assert g1["location"]["coordinates"] == [116.3006, 39.9004]
    assert g1["range_m"] == 40.5 and g1["covers_exit"] is True and g1["owner"] == "小区物业"
    assert parsed.cameras[1]["clock_offset_s"] == -35.0 and parsed.cameras[2]["covers_exit"] is False


def test_gb18030_beyond_gbk_and_a_quoted_cell_with_the_separator():
    rows = [["C1", "𠀀 Lane; 东门", "116,3", "39,9", "shop"]]
    raw = ('code;name;lon;lat;kind\r\nC1;"𠀀 Lane; 东门";116,3;39,9;shop\r\n').encode("gb18030")
    assert ct.parse_csv(raw, NOW).cameras[0]["name"] == rows[0][1]
    raw = codecs.BOM_UTF8 + 'code,name,lon,lat,kind\n"C2","Gate, ""east""",116.3,39.9,shop\n'.encode()
    assert ct.parse_csv(raw, NOW).cameras[0]["name"] == 'Gate, "east"'


def test_header_names_are_trimmed_and_case_insensitive_and_a_sep_line_is_honoured():
    raw = " Code ; NAME;Lon ;LAT; Kind \n\nA1;Gate;116,3;39,9;shop\n".encode()
    assert ct.parse_csv(raw, NOW).cameras[0]["_row"] == 3
    raw = b"sep=;\ncode;name;lon;lat;kind\nA1;Gate;116,3;39,9;shop\n"
    parsed = ct.parse_csv(raw, NOW)
    assert parsed.cameras[0]["location"]["coordinates"] == [116.3, 39.9] and parsed.cameras[0]["_row"] == 2


def test_a_western_excel_file_in_windows_1252():
    raw = "code,name,lon,lat,kind\r\nW1,Café Müller,116.3,39.9,shop\r\n".encode("cp1252")
    assert ct.parse_csv(raw, NOW).cameras[0]["name"] == "Café Müller"


def test_errors_name_the_spreadsheet_row_and_column_every_bad_value_at_once():
    raw = table(rows=[ROWS[0],
                      ["B1", "", "116.3", "95", "drone", "", "east", "-1", "", "maybe"],
                      ROWS[1],
                      ["G1", "again", "x", "39.9", "shop", "", "", "", "", ""]], blank=1).encode("gbk")
    with pytest.raises(ValidationError) as exc:
        ct.parse_csv(raw, NOW)
    errors = exc.value.errors
    # header row 1, G1 row 2, blank 3, B1 row 4, blank 5, G2 row 6, blank 7, the second G1 row 8
    assert set(errors) == {"row 4.name", "row 4.lat", "row 4.kind", "row 4.direction_deg", "row 4.range_m",
                           "row 4.covers_exit", "row 8.lon"}
    assert errors["row 4.lat"].endswith("(column D)") and "90" in errors["row 4.lat"]
    assert errors["row 4.covers_exit"].endswith("(column J)")
    with pytest.raises(ValidationError) as exc:
        ct.parse_csv(table(rows=[ROWS[0], ROWS[0]]).encode(), NOW)
    assert exc.value.errors == {"row 3.code": "G1 is already on row 2"}


def test_header_problems_and_stray_values():
    with pytest.raises(ValidationError) as exc:
        ct.parse_csv(b"code,name,lon,kind,colour\nA,B,1,shop,red\n", NOW)
    assert "lat" in exc.value.errors["_header"] and "colour (column E)" in exc.value.errors["_header_unknown"]
    with pytest.raises(ValidationError) as exc:
        ct.parse_csv(b"code,name,lon,lat,kind,,\nA,B,116.3,39.9,shop,,oops\n", NOW)
    assert exc.value.errors == {"row 2._row": "has values under no named column (column G)"}
    for empty in (b"", b"code,name,lon,lat,kind\n,,,,\n , ,\t\n", codecs.BOM_UTF8):
        with pytest.raises(ValidationError) as exc:
            ct.parse_csv(empty, NOW)
        assert "_body" in exc.value.errors


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(ValidationError) as exc:
        ct.decode(codecs.BOM_UTF8 + b"code,name\n\xff\xfe\xfa")
    assert "utf-8" in exc.value.errors["_body"]


def test_column_letters():
    assert [ct.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_decimal_commas_only_where_they_are_decimals():
    assert ct.parse_number("116,3012") == 116.3012 and ct.parse_number("-35") == -35.0
    assert ct.parse_number(" 1 000,5 ") == 1000.5
    for bad in ("1,234,5", "nan", "inf", "abc", ""):
        with pytest.raises(ValueError):
            ct.parse_number(bad)


def test_geojson_features_are_numbered_and_checked():
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.3, 39.9]},
         "properties": {"code": "J1", "name": "北门", "kind": "shop", "clock_offset_s": -94_608_000}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.3, 99]},
         "properties": {"code": "J2", "name": "x", "kind": "shop"}}]}
    with pytest.raises(ValidationError) as exc:
        ct.parse_geojson(json.dumps(fc, ensure_ascii=False).encode("gb18030"), NOW)
    assert set(exc.value.errors) == {"row 2.location"}
    fc["features"].pop()
    parsed = ct.parse_geojson(json.dumps(fc, ensure_ascii=False).encode(), NOW)
    assert names(parsed) == {"J1": "北门"} and "years behind" in parsed.warnings["row 1.clock_offset_s"]


def test_recorder_clocks_years_off_are_accepted_with_a_warning():
    three_years = -(NOW - datetime(2023, 11, 28, 10, 0, tzinfo=timezone.utc)).total_seconds()
    cam = clean_camera({"code": "F1", "name": "Factory date", "location": [116.3, 39.9], "kind": "shop",
                        "clock_offset_s": three_years}, NOW)
    assert cam["clock_offset_s"] == three_years
    assert "3.0 years behind" in clock_warning(three_years)
    assert "1.0 years ahead" in clock_warning(365.25 * 86400)
    assert "2.0 days ahead" in clock_warning(2 * 86400) and clock_warning(86400) is None and clock_warning(None) is None
    with pytest.raises(ValidationError):
        clean_camera({"code": "F2", "name": "x", "location": [116.3, 39.9], "kind": "shop",
                      "clock_offset_s": 200 * 365 * 86400.0}, NOW)
    raw = f"code,name,lon,lat,kind,clock_offset_s\nF1,Factory,116.3,39.9,shop,{three_years:.0f}\n".encode()
    assert set(ct.parse_csv(raw, NOW).warnings) == {"row 2.clock_offset_s"}


def test_the_field_data_cases():
    if not CASES.exists():
        if os.environ.get("SEARCH_COORD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CASES} is required here (SEARCH_COORD_REQUIRE_SERVICES=1)")
        pytest.skip(f"{CASES} is not here")
    parsed = ct.parse_csv((CASES / "camera-gbk.csv").read_bytes(), NOW)
    assert names(parsed) == {"G1": "东门岗亭", "G2": "菜市场入口"}
    assert parsed.cameras[0]["owner"] == "小区物业" and parsed.cameras[0]["notes"] == "新增"
    blank = ct.read_table((CASES / "camera-blank-rows.csv").read_bytes())
    assert blank.skipped >= 1 and [r.number for r in blank.rows] == [2]
    assert names(ct.parse_csv((CASES / "camera-blank-rows.csv").read_bytes(), NOW)) == {"T1": "Kiosk 报刊亭"}
