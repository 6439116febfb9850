"""Bad input is a 400 (or 404 / 413), never a 500: hostile bodies, paths and queries on every API route, and the
login redirect. A property-based test throws generated junk at every route of ``api_routes()``."""
import io
import json
import logging
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from search_coord.web.openapi import api_routes

from support import LKP, square

BIG = 2**64
EDGE_TIMES = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00",
              "+275760-09-13T00:00:00Z", "2026-11-28T17:30:00+25:00", "2026-11-28T17:30:00+24:00",
              "٢٠٢٦-١١-٢٨T17:30:00Z", "2026-11-28T17:30:00", "", "Z"]
ODD_DIGITS = ["١٢٣", "²", "１２", "1_000", " 7 ", str(BIG), "-" + str(BIG), "9" * 5000, "1e400", "NaN", "0x1F"]


def _errors_logged(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def world(app, login, opened):
    sid, disp = opened
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "P1", "kind": "foot_patrol"}).get_json()
    a = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "geometry": square()})
    disp.post("/api/v1/cameras", {"code": "C1", "name": "Gate", "location": LKP, "kind": "residential"})
    return {"search_id": sid, "team_id": team["id"], "assignment_id": a.get_json()["id"], "camera_id": 1,
            "user_id": 2, "segment_id": 1, "broadcast_id": 1, "clue_id": 1, "photo_id": 1, "task_id": 1,
            "sighting_id": 1, "disp": disp}


def _send(c, method, path, raw: bytes | None = None, content_type="application/json", **kw):
    return c.client.open(path, method=method, data=raw, content_type=content_type,
                         headers={"X-CSRF-Token": c.token, "X-Device-Id": "junk"}, **kw)


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,                      # deeper than the parser's recursion
    b'{"notes": {"a": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}}",   # within the parser, deeper than any field
    b'{"notes": "\\ud800"}', b'{"\\udfff": 1}', b'{"risk": NaN}', b'{"risk": Infinity}', b'{"notes": 1e400}',
    b'{"notes": ' + str(BIG).encode() + b"}", b"\xff\xfe{}", b'{"notes": "x"', b"null", b"[]", b'"str"', b"",
])
def test_hostile_json_bodies_are_400_and_change_nothing(app, opened, raw, caplog):
    sid, disp = opened
    before = disp.get(f"/api/v1/searches/{sid}").get_json()
    r = _send(disp, "PATCH", f"/api/v1/searches/{sid}", raw)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"] == "invalid" and r.get_json()["errors"]
    assert disp.get(f"/api/v1/searches/{sid}").get_json() == before
    assert not _errors_logged(caplog)


@pytest.mark.parametrize("when", EDGE_TIMES)
def test_times_at_the_ends_of_the_calendar_are_400(app, opened, when, caplog):
    sid, disp = opened
    for url, body in ((f"/api/v1/searches/{sid}", {"lkp_time": when, "lkp_time_confirmed": True}),
                      (f"/api/v1/searches/{sid}/clues", {"kind": "clue", "time": when, "location": LKP, "text": "x"}),
                      (f"/api/v1/searches/{sid}/tracks", {"client_id": "batch-00001", "sent_at": when,
                                                          "points": [{"t": when, "lon": LKP[0], "lat": LKP[1]}]})):
        r = disp.patch(url, body) if url.endswith(str(sid)) else disp.post(url, body)
        assert r.status_code in (200, 201, 400), (url, when, r.status_code, r.get_json())
        if url.endswith(str(sid)):
            assert r.status_code == 400 and "lkp_time" in r.get_json()["errors"]
    assert not _errors_logged(caplog)


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_odd_numbers_in_queries_paths_and_forms_are_400_or_404(app, opened, value, caplog):
    sid, disp = opened
    for q in ("after", "limit"):
        r = disp.get(f"/api/v1/searches/{sid}/events", query_string={q: value})
        assert r.status_code == 400 and q in r.get_json()["errors"], (q, value, r.get_json())
    r = disp.get("/api/v1/cameras/page", query_string={"offset": value})
    assert r.status_code == 400
    r = disp.get(f"/api/v1/searches/{value}")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = disp.client.post("/api/v1/photos", data={"photo": (io.BytesIO(b"x"), "p.png"), "search_id": value},
                         headers={"X-CSRF-Token": disp.token})
    assert r.status_code == 400, r.get_json()
    r = disp.client.post(f"/api/v1/searches/{sid}/tracks/import",
                         data={"file": (io.BytesIO(b"<gpx/>"), "t.gpx"), "unit": "U", "team_id": value},
                         headers={"X-CSRF-Token": disp.token})
    assert r.status_code == 400, r.get_json()
    assert not _errors_logged(caplog)


def test_huge_ids_in_paths_and_bodies(app, opened, caplog):
    sid, disp = opened
    assert disp.get(f"/api/v1/searches/{BIG}").status_code == 404
    assert disp.patch(f"/api/v1/searches/{sid}/teams/{BIG}", {"name": "x"}).status_code == 404
    assert disp.delete(f"/api/v1/searches/{sid}/members/{BIG * BIG}").status_code == 404
    for body in ({"user_id": BIG}, {"user_id": -BIG}):
        r = disp.post(f"/api/v1/searches/{sid}/members", body)
        assert r.status_code == 400 and "user_id" in r.get_json()["errors"], r.get_json()
    r = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T", "kind": "foot_patrol", "member_ids": [BIG]})
    assert r.status_code == 400
    r = disp.post("/api/v1/cameras", {"code": "C7", "name": "G", "location": LKP, "kind": "shop", "search_id": BIG})
    assert r.status_code == 400
    assert not _errors_logged(caplog)


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/%0d%0aSet-Cookie:x", "/ok\nLocation: //evil",
                                    "/\\evil.example", "//evil.example", "https://evil.example/", "/\x00"])
def test_crlf_and_other_sites_in_next_go_home(app, login, target, caplog):
    c = login(None)
    r = c.client.get("/lang/en", query_string={"next": target})
    assert r.status_code == 302 and "\n" not in r.headers["Location"] and "evil" not in r.headers["Location"]
    r = c.client.post("/login", data={"username": "disp", "password": "wrong", "next": target, "csrf_token": c.token})
    assert r.status_code < 500 and "evil" not in r.headers.get("Location", "")
    assert not _errors_logged(caplog)


@pytest.mark.parametrize("ctype", ["application/json", "text/plain", "application/octet-stream",
                                   "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_bodies_over_the_limit_are_413_whatever_their_type(app, opened, ctype, caplog):
    sid, disp = opened
    big = b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 10) + b"}"
    r = _send(disp, "PATCH", f"/api/v1/searches/{sid}", big, content_type=ctype)
    assert r.status_code == 413, (ctype, r.status_code)
    assert not _errors_logged(caplog)


def test_a_chunked_body_over_the_limit_is_413(app, opened, caplog):
    sid, disp = opened
    big = b'{"notes": "' + b"x" * (app.config["MAX_JSON_BYTES"] + 10) + b'"}'
    r = disp.client.open(f"/api/v1/searches/{sid}", method="PATCH", input_stream=io.BytesIO(big),
                         content_type="application/json",
                         headers={"X-CSRF-Token": disp.token, "Transfer-Encoding": "chunked"},
                         environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 413, r.get_json()
    assert r.get_json()["error"] == "too_large"
    assert disp.get(f"/api/v1/searches/{sid}").get_json()["notes"] == "-3 °C"
    # a chunked body within the limit is read
    r = disp.client.open(f"/api/v1/searches/{sid}", method="PATCH", input_stream=io.BytesIO(b'{"notes": "ok"}'),
                         content_type="application/json",
                         headers={"X-CSRF-Token": disp.token, "Transfer-Encoding": "chunked"},
                         environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 200 and r.get_json()["notes"] == "ok"
    assert not _errors_logged(caplog)


# --- generated junk at every route ---------------------------------------------------------------------------------

FIELDS = ["subject", "lkp", "lkp_time", "risk", "risk_reasons", "notes", "name", "kind", "leader_id", "member_ids",
          "title", "geometry", "team_id", "segment_id", "places", "instructions", "status", "debrief", "client_id",
          "points", "t", "lon", "lat", "text", "time", "location", "user_id", "walking_speed_ms", "sweep_width_m",
          "shape", "cell_m", "evaluations", "pod", "camera_id", "start", "end", "confidence", "decision", "version",
          "photo_id", "code", "retention_days", "reason", "condition", "sent_at", "username", "password",
          "display_name", "role", "footage", "reviewer_id", "clock", "direction_deg", "confirm_overlap", "age",
          "category", "width_m", "max_reach_m", "offset_measured_at", "clock_offset_s", "active", "search_id"]
ODD_TEXT = ["\ud800", "١٢٣", "²", "\u202e", "\x00", "<script>", "a" * 5000] + EDGE_TIMES
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.sampled_from([BIG, -BIG, 2**53, 2**53 + 1])
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | st.sampled_from(ODD_TEXT))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=4),
                    max_leaves=12)
bodies = st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6) | junk
path_ids = st.sampled_from(["real", "0", str(BIG), "١٢٣", "²", "-1", "99999"])
queries = st.dictionaries(st.sampled_from(["after", "limit", "offset", "q", "status", "role", "bbox", "format",
                                           "active", "original"]),
                          st.sampled_from(ODD_DIGITS + ["1", "0", "-5", "csv", "nan,nan,inf,1", "\ud800x"])
                          | st.text(max_size=8), max_size=3)


def _url(path, ids, world):
    out = path
    for name in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
        value = ids.pop(0) if ids else "real"
        out = out.replace("{" + name + "}", str(world.get(name, 1)) if value == "real" else value)
    return out


EXAMPLES_PER_ROUTE = 12
SKIPPED = {("DELETE", "/api/v1/session")}   # logging out would turn the rest into 401s


def test_generated_junk_at_every_route_finds_no_500(app, world, caplog):
    disp = world["disp"]
    routes = [r for r in api_routes(app) if r not in SKIPPED]
    assert len(routes) > 50
    seen: dict[int, int] = {}
    for method, path in routes:
        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(body=bodies, ids=st.lists(path_ids, max_size=3), query=queries)
        def fire(body, ids, query):
            url = _url(path, list(ids), world)
            try:
                raw = json.dumps(body).encode()   # lone surrogates go out as \ud800 escapes
            except ValueError:
                raw = b"{}"
            qs = urlencode(query, errors="surrogatepass")   # a lone surrogate goes out as invalid UTF-8 bytes
            r = _send(disp, method, url, None if method == "GET" else raw, query_string=qs)
            seen[r.status_code] = seen.get(r.status_code, 0) + 1
            assert r.status_code < 500, (method, url, query, body, r.status_code, r.get_data()[:300])
            if r.status_code >= 400:
                assert r.get_json()["error"], (method, url, r.get_json())

        fire()
    assert not _errors_logged(caplog), [r.getMessage() for r in _errors_logged(caplog)][:5]
    assert sum(seen.values()) >= len(routes) * 5 and seen.get(400), seen
