"""The installable phone page's server side: the service worker at /sw.js (its precache list, each file by the hash
of its bytes, a new release name when a file changes, never cached by HTTP), the manifest in the user's language, the
icons, the local CA certificate, and the CSP that lets the phone fetch the tile server's tiles."""
import io
import json
import re
import shutil
from pathlib import Path

from PIL import Image

from search_coord.web import pwa
from search_coord.web.security import content_security_policy

ROOT = Path(__file__).resolve().parents[2]


def _precache(body: str) -> list[dict]:
    return json.loads(re.search(r"^self\.SC_PRECACHE = (.*);$", body, re.M).group(1))


def test_the_service_worker_precaches_the_shell_with_revisions_and_is_never_cached(app):
    client = app.test_client()
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"
    body = r.get_data(as_text=True)
    assert "importScripts(" in body and "/vendor/workbox-precaching/workbox-precaching.prod.js" in body
    entries = _precache(body)
    urls = {e["url"] for e in entries}
    assert {"/static/js/pages/field.js", "/static/js/reports/outbox.js", "/static/css/app.css", "/static/css/offline.css",
            "/vendor/leaflet/leaflet.js", "/vendor/socket.io/socket.io.min.js"} <= urls
    assert "/static/js/offline/sw.js" not in urls            # the worker itself is the browser's to keep
    assert all(re.fullmatch(r"[0-9a-f]{16}", e["revision"]) for e in entries)
    # every precached URL is served
    for url in ("/static/js/pages/field.js", "/vendor/leaflet/leaflet.css", "/vendor/workbox-core/workbox-core.prod.js"):
        assert client.get(url).status_code == 200, url
    assert r.headers["X-SC-Release"] == re.search(r'SC_VERSION = "([0-9a-f]+)"', body).group(1)


def test_a_changed_file_changes_its_revision_and_the_release(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    nm = str(ROOT / "node_modules")
    before = pwa.shell_manifest(str(static), nm)
    v1 = pwa.shell_version(before, b"sw", {})
    target = static / "js" / "field" / "units.js"
    target.write_text(target.read_text() + "\n// a release\n")
    after = pwa.shell_manifest(str(static), nm)
    changed = [a["url"] for a, b in zip(after, before) if a["revision"] != b["revision"]]
    assert changed == ["/static/js/field/units.js"]
    assert pwa.shell_version(after, b"sw", {}) != v1
    assert pwa.shell_version(after, b"sw", {"tileUrl": "x"}) != pwa.shell_version(after, b"sw", {})
    assert pwa.shell_size(str(static), nm) > 100_000


def test_the_manifest_is_installable_and_in_the_users_language(app):
    client = app.test_client()
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    m = r.get_json(force=True)
    assert m["display"] == "standalone" and m["start_url"] == "/" and m["scope"] == "/"
    assert m["name"] and m["short_name"] and m["theme_color"].startswith("#")
    sizes = {(i["sizes"], i["purpose"]) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    client.set_cookie("lang", "zh-CN")
    zh = client.get("/manifest.webmanifest").get_json(force=True)
    assert zh["lang"] == "zh-CN" and zh["name"] != m["name"]


def test_the_icons_are_pngs_of_their_size_and_others_are_404(app):
    client = app.test_client()
    for kind in ("icon", "maskable"):
        for n in (192, 512):
            r = client.get(f"/icons/{kind}-{n}.png")
            assert r.status_code == 200 and r.mimetype == "image/png"
            assert Image.open(io.BytesIO(r.data)).size == (n, n)
    assert client.get("/icons/icon-64.png").status_code == 404
    assert client.get("/icons/other-192.png").status_code == 404


def test_the_ca_certificate_is_served_only_when_there_is_one(app):
    client = app.test_client()
    assert client.get("/ca.crt").status_code == 404
    folder = Path(app.instance_path) / "tls"
    folder.mkdir()
    (folder / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    (folder / "ca.key").write_text("secret")
    r = client.get("/ca.crt")
    assert r.status_code == 200 and r.mimetype == "application/x-x509-ca-cert" and b"secret" not in r.data


def test_the_csp_lets_the_phone_fetch_tiles_and_run_its_worker():
    policy = content_security_policy("https://{s}.tiles.police.example/{z}/{x}/{y}.png", "desk:5000")
    parts = dict((p.split()[0], p.split()[1:]) for p in policy.split("; "))
    assert "https://*.tiles.police.example" in parts["connect-src"]
    assert "https://*.tiles.police.example" in parts["img-src"]
    assert parts["worker-src"] == ["'self'"] and parts["manifest-src"] == ["'self'"]
    assert "https://" not in " ".join(content_security_policy("", "desk:5000").split("connect-src")[1].split(";")[0])
