"""The session cookie slides (a session lasts PERMANENT_SESSION_LIFETIME after its last request) without being signed
again for every request: an unchanged cookie is sent again once it is a minute old (web/session_cookie.py)."""
import pytest
from itsdangerous import TimestampSigner

from search_coord.web import session_cookie
from support import walk_east


@pytest.fixture
def signed_ago(monkeypatch):
    """``signed_ago(s)``: cookies signed from now on carry a time ``s`` seconds ago (0: the real time again)."""
    real = TimestampSigner.get_timestamp

    def set_age(seconds: float):
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - int(seconds))
    return set_age


def session_set_cookie(response) -> str | None:
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert len(cookies) <= 1
    return cookies[0] if cookies else None


def test_a_young_unchanged_cookie_is_not_sent_again(app, login):
    off1 = login("off1")
    sid_cookie = off1.client.get_cookie("session").value
    for path in ("/api/v1/session", "/api/v1/searches"):
        r = off1.get(path)
        assert r.status_code == 200
        assert session_set_cookie(r) is None, path
    assert off1.client.get_cookie("session").value == sid_cookie


def test_a_track_batch_sends_no_cookie_while_the_session_is_young(app, login):
    disp = login("disp")
    sid = disp.post("/api/v1/searches", {"subject": {"name": "A", "category": "dementia"},
                                         "lkp": [116.1985, 39.7712], "lkp_time": "2026-11-28T17:30:00+08:00",
                                         "risk": "high"}).get_json()["id"]
    off1 = login("off1")
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off1.user["id"]}).status_code == 201
    r = off1.post(f"/api/v1/searches/{sid}/tracks", {"client_id": "batch-000001", "points": walk_east(0, 5)})
    assert r.status_code == 201, r.get_json()
    assert session_set_cookie(r) is None


def test_a_cookie_a_minute_old_is_signed_again_and_slides(app, login, signed_ago):
    signed_ago(session_cookie.REFRESH_AFTER_S + 5)
    off1 = login("off1")
    old = off1.client.get_cookie("session").value
    signed_ago(0)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 200
    refreshed = session_set_cookie(r)
    assert refreshed is not None and "Expires=" in refreshed and "HttpOnly" in refreshed
    new = off1.client.get_cookie("session").value
    assert new != old
    assert session_set_cookie(off1.get("/api/v1/searches")) is None   # young again
    assert off1.get("/api/v1/session").get_json()["user"]["id"] == off1.user["id"]


def test_a_changed_session_is_sent_at_once(app, login):
    off1 = login("off1")
    r = off1.delete("/api/v1/session")   # logout clears it
    assert r.status_code == 200
    assert session_set_cookie(r) is not None
    again = login("off1")
    assert again.client.get_cookie("session") is not None


def test_a_cookie_past_the_lifetime_is_no_session(app, login, signed_ago):
    lifetime = app.permanent_session_lifetime.total_seconds()
    signed_ago(lifetime + 10)
    off1 = login("off1")
    signed_ago(0)
    assert off1.get("/api/v1/session").get_json()["user"] is None
    assert off1.get("/api/v1/searches").status_code == 401


def test_a_cookie_inside_the_lifetime_still_works(app, login, signed_ago):
    signed_ago(app.permanent_session_lifetime.total_seconds() - 120)
    off1 = login("off1")
    signed_ago(0)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 200
    assert session_set_cookie(r) is not None   # and it slides: a fresh lifetime from now
