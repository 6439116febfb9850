"""Security headers on every response (one after_request hook), the CSP report endpoint, no inline script in pages,
and user text in the page's JSON data blocks that cannot close its <script> tag."""
import json
import logging
import re
from pathlib import Path

import pytest

from support import PASSWORD, search_payload

from search_coord.web.security import content_security_policy, tile_source

ROOT = Path(__file__).resolve().parents[2]


def _csp(resp) -> dict[str, list[str]]:
    policy = resp.headers["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_every_kind_of_response_has_the_headers(app, opened):
    sid, disp = opened
    anon = app.test_client()
    responses = {
        "login page": anon.get("/login"),
        "console": disp.get(f"/searches/{sid}"),
        "field": disp.get(f"/field/{sid}"),
        "api": disp.get(f"/api/v1/searches/{sid}"),
        "api 404": disp.get("/api/v1/searches/999999"),
        "page 404": disp.get("/no-such-page"),
        "static": anon.get("/static/js/lib/api.js"),
        "vendor": anon.get("/vendor/leaflet/leaflet.js"),
        "redirect": anon.get("/searches/new"),
    }
    for what, r in responses.items():
        h = r.headers
        assert "Content-Security-Policy" in h, what
        csp = _csp(r)
        assert csp["default-src"] == ["'self'"], what
        assert csp["script-src"] == ["'self'"], what            # no 'unsafe-inline', no 'unsafe-eval'
        assert csp["style-src"] == ["'self'"], what
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], what
        assert csp["form-action"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], what
        assert csp["img-src"] == ["'self'", "data:", "blob:"], what   # TILE_URL is empty in tests: no tile server
        assert csp["connect-src"][0] == "'self'" and "ws://localhost" in csp["connect-src"], what
        assert csp["report-uri"] == ["/csp-report"], what
        assert h["X-Content-Type-Options"] == "nosniff", what
        assert h["Referrer-Policy"] == "same-origin", what
        assert h["X-Frame-Options"] == "DENY", what
        assert h["Cross-Origin-Opener-Policy"] == "same-origin", what
        pp = h["Permissions-Policy"]
        assert "geolocation=(self)" in pp and "camera=(self)" in pp and "microphone=()" in pp, what
    assert responses["api"].headers["Cache-Control"] == "no-store"


def test_tile_server_origin_is_allowed_for_images_and_the_phones_tile_cache_only():
    assert tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert tile_source("http://tiles.local:8080/{z}/{x}/{y}.png") == "http://tiles.local:8080"
    assert tile_source("") is None and tile_source(None) is None
    assert tile_source("javascript:alert(1)//{z}") is None
    assert tile_source("https://a.{s}.example.org/{z}") is None       # CSP cannot name it
    assert tile_source("https://x; script-src *") is None             # cannot add a directive
    csp = content_security_policy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "demo:5071")
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp and "*.tile" not in csp.split("img-src")[0]
    # the phone keeps the search area's tiles (static/js/offline/tiles.js fetches them): tiles only, never scripts
    assert "connect-src 'self' https://*.tile.openstreetmap.org ws://demo:5071 wss://demo:5071;" in csp
    assert "connect-src 'self' ws://demo:5071 wss://demo:5071;" in content_security_policy("", "demo:5071")
    # a Host header cannot add anything to the policy
    assert "evil" not in content_security_policy("", "x; script-src evil")


def test_configured_tile_server_reaches_the_page_header(tmp_path):
    from search_coord import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True, "SECRET_KEY": "k",
                      "TILE_URL": "https://{s}.tiles.example.net/{z}/{x}/{y}.png"})
    try:
        r = app.test_client().get("/login")
        assert _csp(r)["img-src"] == ["'self'", "data:", "blob:", "https://*.tiles.example.net"]
    finally:
        app.extensions["search_coord_engine"].dispose()


def test_csp_report_is_logged_without_session_or_csrf(app, caplog):
    c = app.test_client()
    report = {"csp-report": {"document-uri": "http://x/searches/1", "violated-directive": "script-src-elem",
                             "blocked-uri": "inline", "source-file": "http://x/\nFAKE LOG LINE"}}
    with caplog.at_level(logging.WARNING):
        r = c.post("/csp-report", data=json.dumps(report), content_type="application/csp-report")
        assert r.status_code == 204
        r = c.post("/csp-report", data=b"not json", content_type="application/csp-report")
        assert r.status_code == 204
        r = c.post("/csp-report", data=b"x" * 20000, content_type="application/csp-report")
        assert r.status_code == 204
    lines = [rec.getMessage() for rec in caplog.records if "CSP violation" in rec.getMessage()]
    assert len(lines) == 3
    assert "script-src-elem" in lines[0] and "\n" not in lines[0]    # a forged newline stays inside the line
    assert "too large" in lines[2]
    # only this path skips the CSRF check
    assert c.post("/csp-report/x", data="{}").status_code in (400, 404)


def _attributes(html: str, wanted) -> list:
    from html.parser import HTMLParser

    found = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, name) for name, _ in attrs if wanted(name))

    P().feed(html)
    return found


PAYLOAD = '</script><script>window.__xss=1</script><img src=x onerror=window.__xss=1>'


@pytest.mark.parametrize("page", ["/", "/searches/{sid}", "/field/{sid}", "/searches/new", "/cameras",
                                  "/admin/users", "/login", "/no-such-page"])
def test_pages_have_no_inline_script_and_data_blocks_cannot_be_closed(app, login, page):
    from search_coord.services import users

    svc = app.extensions["search_coord"]
    adm_user = users.create_user(svc, None, {"username": "xadm", "display_name": PAYLOAD[:60], "role": "admin",
                                             "password": PASSWORD})
    assert adm_user
    adm = login("xadm")
    r = adm.post("/api/v1/searches", search_payload(title=PAYLOAD[:80],
                                                    subject={**search_payload()["subject"], "name": PAYLOAD[:80]}))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    html = adm.get(page.format(sid=sid)).get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attrs, body in scripts:
        if 'type="application/json"' in attrs:
            json.loads(body)                     # data, readable as JSON
            assert "<" not in body               # |tojson escapes < > & ': "</script>" cannot end the block
        else:
            assert "src=" in attrs and not body.strip(), (attrs, body[:80])   # only <script src>, nothing inline
    assert _attributes(html, lambda name: name.startswith("on") or name == "style") == [], \
        "an inline event handler or style attribute (CSP blocks them)"
    assert "<style" not in html                  # nor a <style> element: styles come from stylesheets
    assert "<img src=x" not in html and "<script>window.__xss" not in html   # Jinja autoescape / |tojson


def test_static_scripts_do_not_build_html_from_strings():
    """One way to build DOM (SC.el): no innerHTML & co., no HTML strings to Leaflet, no escapeHtml helpers."""
    banned = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|"
                        r"escapeHtml|\bhtml:\s*[`'\"]|bind(Tooltip|Popup)\(\s*(\(\)\s*=>\s*)?[`'\"]|set(Tooltip|Popup)Content\(\s*[`'\"]|"
                        r"new Function|\beval\(|setAttribute\(\s*['\"](style|on)")
    found = []
    js = ROOT / "static" / "js"
    paths = sorted(js.rglob("*.js"))
    assert any(p.parent != js for p in paths), "the walk reaches the feature folders (lib/, map/, ...)"
    for path in paths:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if banned.search(line):
                found.append(f"{path.relative_to(js)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
