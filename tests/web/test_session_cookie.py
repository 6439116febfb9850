"""The session cookie slides (a session lasts PERMANENT_SESSION_LIFETIME after its last request) without being signed
again for every request: an unchanged cookie is sent again once it is a minute old (web/session_cookie.py)."""
from search_coord.web import session_cookie
from support import session_set_cookie, walk_east


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


def test_a_cookie_a_minute_old_is_signed_again_and_slides(app, login, later):
    off1 = login("off1")
    later(session_cookie.REFRESH_AFTER_S + 5)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 200
    refreshed = session_set_cookie(r)
    assert refreshed is not None and "Expires=" in refreshed and "HttpOnly" in refreshed
    later(0)
    assert session_set_cookie(off1.get("/api/v1/searches")) is None   # young again
    assert off1.get("/api/v1/session").get_json()["user"]["id"] == off1.user["id"]


def test_a_changed_session_is_sent_at_once(app, login):
    off1 = login("off1")
    r = off1.delete("/api/v1/session")   # logout clears it
    assert r.status_code == 200
    assert session_set_cookie(r) is not None
    again = login("off1")
    assert again.client.get_cookie("session") is not None


def test_a_cookie_past_the_lifetime_is_no_session(app, login, later):
    lifetime = app.permanent_session_lifetime.total_seconds()
    off1 = login("off1")
    assert off1.get("/api/v1/searches").status_code == 200   # its signature checked and remembered
    later(lifetime + 10)
    assert off1.get("/api/v1/session").get_json()["user"] is None
    assert off1.get("/api/v1/searches").status_code == 401


def test_a_cookie_inside_the_lifetime_still_works_and_slides(app, login, later):
    off1 = login("off1")
    later(app.permanent_session_lifetime.total_seconds() - 120)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 200
    assert session_set_cookie(r) is not None   # signed again: a fresh lifetime from its new signature


def test_a_remembered_cookie_changed_by_one_character_is_refused(app, login):
    off1 = login("off1")
    good = off1.client.get_cookie("session").value
    assert off1.get("/api/v1/searches").status_code == 200
    forged = app.test_client()
    # a character inside the signed data (the last one of the signature may carry only base64 padding bits: changing
    # it can leave the signature's bytes, and so its validity, as they were)
    i = 10
    forged.set_cookie("session", good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1:])
    assert forged.get("/api/v1/session").get_json()["user"] is None
    assert forged.get("/api/v1/searches").status_code == 401


def test_a_cookie_signed_with_another_key_is_refused_though_its_twin_was_remembered(app, login):
    off1 = login("off1")
    cookie = off1.client.get_cookie("session").value
    assert off1.get("/api/v1/searches").status_code == 200
    app.secret_key = "another-key"
    try:
        copy = app.test_client()
        copy.set_cookie("session", cookie)
        assert copy.get("/api/v1/session").get_json()["user"] is None
    finally:
        app.secret_key = "test-secret"


def test_each_request_gets_its_own_copy_of_a_remembered_session(app, login):
    off1 = login("off1")
    cookie = off1.client.get_cookie("session").value
    phone = app.test_client()
    phone.set_cookie("session", cookie)
    token = phone.get("/api/v1/session").get_json()["csrf_token"]
    assert phone.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 200   # clears its copy
    again = app.test_client()
    again.set_cookie("session", cookie)
    assert again.get("/api/v1/session").get_json()["csrf_token"] == token   # the remembered data is untouched
