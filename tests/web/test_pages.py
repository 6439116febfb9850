"""Pages: login flow, role-based access, language, config layering, the CLI."""
import re

import pytest

from support import PASSWORD

from search_coord import create_app


def test_pages_require_login_and_redirect_back(app):
    c = app.test_client()
    r = c.get("/searches/new")
    assert r.status_code == 302 and "/login?next=/searches/new" in r.headers["Location"]


def test_login_form_with_csrf_then_role_pages(app):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert c.post("/login", data={"username": "off1", "password": PASSWORD}).status_code == 400  # no token
    r = c.post("/login", data={"username": "off1", "password": "nope", "csrf_token": token})
    assert r.status_code == 401
    r = c.post("/login", data={"username": "off1", "password": PASSWORD, "csrf_token": token,
                               "next": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert c.get("/").status_code == 200
    assert c.get("/searches/new").status_code == 403
    assert c.get("/admin/users").status_code == 403


def test_dispatcher_and_admin_pages(app, login, opened):
    sid, disp = opened
    assert disp.get("/searches/new").status_code == 200
    assert disp.get(f"/searches/{sid}").status_code == 200
    assert disp.get(f"/field/{sid}").status_code == 200
    assert disp.get("/searches/999").status_code == 404
    off1 = login("off1")
    assert off1.get(f"/searches/{sid}").headers["Location"].endswith(f"/field/{sid}")
    assert off1.get(f"/field/{sid}").status_code == 200
    assert login("outsider").get(f"/field/{sid}").status_code == 403
    assert login("adm").get("/admin/users").status_code == 200


def test_language_follows_the_browser_and_can_be_switched(app):
    c = app.test_client()
    zh = c.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in zh
    en = c.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert 'lang="en"' in en
    c.get("/lang/zh-CN?next=/login")
    assert 'lang="zh-CN"' in c.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)


def test_translations_have_the_same_keys():
    import json
    from pathlib import Path

    d = Path(__file__).resolve().parents[2] / "search_coord" / "i18n"
    en = json.loads((d / "en.json").read_text())
    zh = json.loads((d / "zh-CN.json").read_text())
    assert en and set(en) == set(zh)


def test_vendor_assets_come_from_node_modules(app):
    from pathlib import Path

    if not (Path(app.config["NODE_MODULES"]) / "leaflet").exists():
        pytest.skip("npm ci has not been run")
    c = app.test_client()
    assert c.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert c.get("/vendor/socket.io/socket.io.min.js").status_code == 200
    assert c.get("/vendor/geoman/leaflet-geoman.min.js").status_code == 200
    assert c.get("/vendor/evil/../../setup.cfg").status_code == 404


def test_config_layers(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("TILE_URL = 'https://tiles.intranet/{z}/{x}/{y}.png'\nTILE_MAX_ZOOM = 17\n")
    monkeypatch.setenv("SEARCH_COORD_TILE_MAX_ZOOM", "18")
    app = create_app({"INSTANCE_PATH": str(inst), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    assert app.config["TILE_URL"] == "https://tiles.intranet/{z}/{x}/{y}.png"  # instance file
    assert app.config["TILE_MAX_ZOOM"] == 18  # environment beats the instance file
    assert app.config["DATABASE_URL"].endswith("inst/search-coord.db")
    assert (inst / "secret_key").exists()
    app.extensions["search_coord_engine"].dispose()
    monkeypatch.setenv("SEARCH_COORD_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    app2 = create_app({"INSTANCE_PATH": str(inst), "TILE_MAX_ZOOM": 12})
    assert app2.config["DATABASE_URL"].endswith("other.db") and app2.config["TILE_MAX_ZOOM"] == 12
    app2.extensions["search_coord_engine"].dispose()


def test_cli_creates_users(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "chief", "--role", "admin", "--display-name", "Chief",
                            "--password", "long-password"])
    assert r.exit_code == 0 and "created admin chief" in r.output
    r = runner.invoke(args=["users", "create", "chief", "--role", "admin", "--display-name", "Chief",
                            "--password", "long-password"])
    assert r.exit_code != 0 and "taken" in r.output
    assert "chief" in runner.invoke(args=["users", "list"]).output
