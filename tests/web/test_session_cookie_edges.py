"""The session cookie that is re-signed once a minute and remembered once verified (web/session_cookie.py), at its
edges: Vary, key rotation, flags, logout and login, deactivation, expiry, memory; and, next to it, a write meeting a
database another process holds (a 503 to send again) and limits an operator sets for the whole app."""
import sqlite3
from contextlib import closing, contextmanager

import pytest

from search_coord import create_app
from search_coord.services import users
from search_coord.web import session_cookie
from support import FAST_HASH, PASSWORD, cookie_copy, migrated_sqlite, search_payload, session_set_cookie


def test_a_response_without_a_new_cookie_still_varies_on_the_cookie(app, login):
    off1 = login("off1")
    for path in ("/", "/api/v1/session", "/api/v1/searches"):
        r = off1.get(path)
        assert session_set_cookie(r) is None, path
        assert "Cookie" in r.headers.get("Vary", ""), path


def test_an_old_key_in_the_fallbacks_still_opens_a_remembered_cookie_and_not_once_dropped(app, login):
    cookie = login("off1").client.get_cookie("session").value

    def status():   # the same cookie each time, from a client of its own (nothing sent back is kept)
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.get("/api/v1/searches").status_code
    assert status() == 200                                           # remembered under the first key
    app.secret_key = app.config["SECRET_KEY"] = "the-new-key"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    try:
        assert status() == 200                                       # the old key is a fallback
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert status() == 401                                       # dropped: refused, remembered or not
        app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
        assert status() == 200
    finally:
        app.secret_key = app.config["SECRET_KEY"] = "test-secret"
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_the_cookie_sent_again_after_a_minute_keeps_its_flags(app, login, later):
    app.config["SESSION_COOKIE_SECURE"] = True
    off1 = login("off1")
    later(session_cookie.REFRESH_AFTER_S + 1)
    header = session_set_cookie(off1.get("/api/v1/searches", base_url="https://localhost"))
    assert header is not None
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header


def test_logout_replaces_the_cookie_and_a_remembered_copy_is_logged_out(app, login):
    off1 = login("off1")
    saved = cookie_copy(app, off1)
    assert saved.get("/api/v1/searches").status_code == 200
    r = off1.delete("/api/v1/session")
    assert session_set_cookie(r) is not None   # replaced by a session of nobody (a fresh CSRF token)
    assert off1.get("/api/v1/session").get_json()["user"] is None
    assert saved.get("/api/v1/searches").status_code == 401
    assert saved.get("/api/v1/session").get_json()["user"] is None


def test_login_rotates_the_cookie_and_its_csrf_token(app):
    client = app.test_client()
    before = client.get("/api/v1/session").get_json()["csrf_token"]
    anonymous = client.get_cookie("session").value
    r = client.post("/api/v1/session", json={"username": "off1", "password": PASSWORD},
                    headers={"X-CSRF-Token": before})
    assert r.status_code == 200
    assert client.get_cookie("session").value != anonymous and r.get_json()["csrf_token"] != before
    replay = app.test_client()
    replay.set_cookie("session", anonymous)    # the cookie from before the login: still nobody's
    assert replay.get("/api/v1/session").get_json()["user"] is None


def test_the_page_login_form_works_with_a_remembered_anonymous_cookie(app):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.get("/login").status_code == 200          # the same cookie again: remembered
    r = client.post("/login", data={"username": "off1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.data[:300]
    assert client.get("/api/v1/session").get_json()["user"]["username"] == "off1"


def test_a_deactivated_accounts_remembered_cookie_is_refused_at_once(app, login):
    adm, off1 = login("adm"), login("off1")
    saved = cookie_copy(app, off1)
    assert saved.get("/api/v1/searches").status_code == 200
    r = adm.patch(f"/api/v1/users/{off1.user['id']}", {"active": False})
    assert r.status_code == 200, r.get_json()
    assert saved.get("/api/v1/searches").status_code == 401


def test_a_cookie_past_the_lifetime_is_refused_though_remembered_and_not_sent_again(app, login, later):
    off1 = login("off1")
    assert off1.get("/api/v1/searches").status_code == 200
    later(app.permanent_session_lifetime.total_seconds() + 1)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 401


def test_memory_stays_bounded_with_many_distinct_valid_cookies(app, monkeypatch):
    monkeypatch.setattr(session_cookie, "VERIFIED_MAX", 8)
    for _ in range(30):
        app.test_client().get("/api/v1/session")   # an anonymous session with a CSRF token: a fresh valid cookie
        c = app.test_client()
        c.get("/api/v1/session")
        c.get("/api/v1/session")                   # sent back: verified, remembered
    assert len(app.session_interface._verified) <= 8


# --- SQLite: BEGIN IMMEDIATE sent on the driver's connection (1cdaa15) -------------------------------------------

@pytest.fixture
def locked_app(tmp_path):
    """The app on SQLite with a 0.2 s busy timeout, and a function holding its database's write lock (as another
    process would: a command-line import, a second server process) while a block runs."""
    instance = tmp_path / "instance"
    migrated_sqlite(instance / "search-coord.db")
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "TILE_URL": "", "SECRET_KEY": "test-secret",
                      "SQLITE_BUSY_TIMEOUT_MS": 200})

    @contextmanager
    def held():
        with closing(sqlite3.connect(instance / "search-coord.db", isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
    yield app, held
    app.extensions["search_coord_engine"].dispose()


def test_a_write_while_another_process_holds_the_database_is_a_503_to_retry(locked_app):
    app, held = locked_app
    app.extensions["search_coord"].password_method = FAST_HASH
    users.create_user(app.extensions["search_coord"], None, {"username": "disp", "display_name": "Disp",
                                                             "role": "dispatcher", "password": PASSWORD})
    client = app.test_client()
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    token = client.post("/api/v1/session", json={"username": "disp", "password": PASSWORD},
                        headers={"X-CSRF-Token": token}).get_json()["csrf_token"]
    with held():
        r = client.post("/api/v1/searches", json=search_payload(), headers={"X-CSRF-Token": token})
    assert r.status_code == 503 and r.headers.get("Retry-After"), (r.status_code, r.get_json())
    assert client.post("/api/v1/searches", json=search_payload(), headers={"X-CSRF-Token": token}).status_code == 201


# --- the login throttle's request filter (56b5bb6) ----------------------------------------------------------------

def test_limits_an_operator_configured_for_the_whole_app_still_apply(tmp_path):
    instance = tmp_path / "instance"
    migrated_sqlite(instance / "search-coord.db")
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "TILE_URL": "", "SECRET_KEY": "k",
                      "RATELIMIT_DEFAULT": "3 per minute"})
    try:
        client = app.test_client()
        assert [client.get("/api/v1/session").status_code for _ in range(4)] == [200, 200, 200, 429]
    finally:
        app.extensions["search_coord_engine"].dispose()
