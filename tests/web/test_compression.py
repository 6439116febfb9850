"""Compressed responses: JSON above the minimum size is sent gzip/br/zstd as the client asks and decompresses to the
same document; the camera export stays streamed when compressed; the session's CSRF token and the pages are never
compressed (BREACH); the security headers are kept."""
import gzip
import io
import json
from datetime import datetime, timedelta, timezone

import brotli

from support import LKP


def _track(off1, sid, n=300):
    t0 = datetime(2026, 11, 28, 18, 0, tzinfo=timezone(timedelta(hours=8)))
    points = [{"t": (t0 + timedelta(seconds=5 * i)).isoformat(), "lon": LKP[0] + 0.00002 * i, "lat": LKP[1],
               "acc": 8} for i in range(n)]
    r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "b-000000001", "points": points})
    assert r.status_code == 201, r.get_json()


def test_a_big_state_is_sent_gzipped_when_asked_and_decompresses_to_the_same_json(opened, login):
    sid, disp = opened
    _track(login("off1"), sid)
    plain = disp.get(f"/api/v1/searches/{sid}/state")
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 20_000
    r = disp.get(f"/api/v1/searches/{sid}/state", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert int(r.headers["Content-Length"]) == len(r.data) < len(plain.data) / 4
    assert "Accept-Encoding" in r.headers["Vary"]
    assert json.loads(gzip.decompress(r.data)) == plain.get_json()
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Cache-Control"] == "no-store"
    br = disp.get(f"/api/v1/searches/{sid}/state", headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
    assert br.headers["Content-Encoding"] == "br" and json.loads(brotli.decompress(br.data)) == plain.get_json()


def test_small_answers_the_session_token_and_pages_are_not_compressed(opened, login):
    sid, disp = opened
    assert "Content-Encoding" not in disp.get("/api/v1/searches?status=closed",
                                              headers={"Accept-Encoding": "gzip"}).headers
    session = disp.get("/api/v1/session", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in session.headers and session.get_json()["csrf_token"]
    page = disp.get(f"/searches/{sid}", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_the_camera_export_stays_streamed_when_compressed(login):
    disp = login("disp")
    rows = "\n".join(f"C{i},Camera {i},{116.30 + i * 1e-4:.4f},39.9004,residential,owner,90,40,0,"
                     for i in range(200))
    raw = ("code,name,lon,lat,kind,owner,direction_deg,range_m,clock_offset_s,covers_exit\n" + rows).encode()
    r = disp.client.post("/api/v1/cameras/import", data={"file": (io.BytesIO(raw), "cameras.csv")},
                         headers={"X-CSRF-Token": disp.token}, content_type="multipart/form-data")
    assert r.status_code in (200, 201), r.get_json()
    plain = disp.get("/api/v1/cameras/export?format=csv")
    r = disp.get("/api/v1/cameras/export?format=csv", headers={"Accept-Encoding": "br"}, buffered=False)
    assert r.is_streamed and "Content-Length" not in r.headers and r.headers["Content-Encoding"] == "br"
    chunks = list(r.response)
    r.close()
    assert brotli.decompress(b"".join(chunks)) == plain.data
