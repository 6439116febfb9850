"""Sessions end at once: logout, deactivation, a password set or changed, a role changed (a password change
required keeps them, held at the gate). A cookie saved before any of them no longer works (the session version in
the signed cookie is checked on every request)."""
import pytest
from support import PASSWORD, cookie_copy, walk_east


def logged_in(client) -> bool:
    return client.get("/api/v1/session").get_json()["user"] is not None


def test_a_cookie_saved_before_logout_no_longer_works(app, login):
    off1 = login("off1")
    saved = cookie_copy(app, off1)
    assert logged_in(saved) and saved.get("/api/v1/searches").status_code == 200
    assert off1.delete("/api/v1/session").status_code == 200
    assert not logged_in(saved)
    assert saved.get("/api/v1/searches").status_code == 401
    assert saved.get("/").status_code == 302


def test_page_logout_ends_the_session_everywhere(app, login):
    off1 = login("off1")
    phone = login("off1")        # the same user on a second device
    saved = cookie_copy(app, off1)
    r = off1.client.post("/logout", data={"csrf_token": off1.token})
    assert r.status_code == 302
    assert not logged_in(saved) and not logged_in(phone.client)


def test_logging_in_again_after_logout_works(app, login):
    off1 = login("off1")
    off1.delete("/api/v1/session")
    again = login("off1")
    assert again.get("/api/v1/searches").status_code == 200


@pytest.mark.parametrize("change, ends", [
    ({"active": False}, True),
    ({"password": "a-brand-new-secret-7"}, True),
    ({"role": "dispatcher"}, True),
    ({"display_name": "Officer One"}, False),
    ({"unit": "Patrol"}, False),
    ({"must_change_password": False}, False),       # already false: nothing to end
])
def test_admin_changes_end_the_users_sessions(app, login, change, ends):
    adm, off1 = login("adm"), login("off1")
    saved = cookie_copy(app, off1)
    r = adm.patch(f"/api/v1/users/{off1.user['id']}", change)
    assert r.status_code == 200, r.get_json()
    assert logged_in(off1.client) is not ends
    assert logged_in(saved) is not ends
    assert logged_in(adm.client)        # the administrator's own session goes on


def test_requiring_a_password_change_keeps_the_session_at_the_gate(app, login):
    adm, off1 = login("adm"), login("off1")
    assert adm.patch(f"/api/v1/users/{off1.user['id']}", {"must_change_password": True}).status_code == 200
    assert logged_in(off1.client)
    r = off1.get("/api/v1/searches")
    assert r.status_code == 403 and r.get_json()["error"] == "password_change_required"


def test_reactivating_does_not_revive_old_cookies(app, login):
    adm, off1 = login("adm"), login("off1")
    saved = cookie_copy(app, off1)
    adm.patch(f"/api/v1/users/{off1.user['id']}", {"active": False})
    adm.patch(f"/api/v1/users/{off1.user['id']}", {"active": True})
    assert not logged_in(saved) and not logged_in(off1.client)
    assert login("off1").get("/api/v1/searches").status_code == 200


def test_changing_my_password_ends_my_other_sessions_but_not_this_one(app, login):
    off1, phone = login("off1"), login("off1")
    r = off1.post("/api/v1/account/password", {"old_password": PASSWORD, "new_password": "granite-harbour-19"})
    assert r.status_code == 200, r.get_json()
    off1.token = r.get_json()["csrf_token"]
    assert logged_in(off1.client) and off1.get("/api/v1/searches").status_code == 200
    assert not logged_in(phone.client)
    # the new CSRF token works for changes on the renewed session
    assert off1.post("/api/v1/account/password", {"old_password": "granite-harbour-19",
                                                  "new_password": "granite-harbour-20"}).status_code == 200


def test_a_cookie_from_before_session_versions_is_logged_out(app, login):
    off1 = login("off1")
    with off1.client.session_transaction() as sess:
        sess.pop("sv")
    assert not logged_in(off1.client)


# --- the track route: the session is checked in the batch's own transaction, refused as by every other route ----

def track_batch(n: int) -> dict:
    return {"client_id": f"session-batch-{n}", "points": walk_east(n, 2)}


def track_events(disp, sid) -> list:
    return [e for e in disp.get(f"/api/v1/searches/{sid}/events?after=0").get_json()["events"]
            if e["type"] == "track.points"]


@pytest.mark.parametrize("change, status, error, message", [
    ("logout", 401, "not_authenticated", "log in first"),
    ({"active": False}, 401, "not_authenticated", "log in first"),
    ({"role": "dispatcher"}, 401, "not_authenticated", "log in first"),
    ({"must_change_password": True}, 403, "password_change_required", None),
])
@pytest.mark.parametrize("good_body", [True, False])
def test_a_track_batch_is_refused_once_the_session_ended_or_a_password_change_is_due(
        app, login, opened, change, status, error, message, good_body):
    sid, disp = opened
    adm, off1 = login("adm"), login("off1")
    saved = cookie_copy(app, off1)
    if change == "logout":
        assert off1.delete("/api/v1/session").status_code == 200
    else:
        assert adm.patch(f"/api/v1/users/{off1.user['id']}", change).status_code == 200
    r = saved.post(f"/api/v1/searches/{sid}/tracks", json=track_batch(0) if good_body else ["not", "an", "object"],
                   headers={"X-CSRF-Token": off1.token})
    assert r.status_code == status and r.get_json()["error"] == error, r.get_json()
    assert message is None or r.get_json()["message"] == message
    assert track_events(disp, sid) == []


def test_a_track_batch_is_sent_with_the_role_and_name_of_the_account(app, login, opened):
    sid, disp = opened
    r = login("adm").post(f"/api/v1/searches/{sid}/tracks", track_batch(0))   # an administrator need not be on it
    assert r.status_code == 201, r.get_json()
    off1 = login("off1")
    assert off1.post(f"/api/v1/searches/{sid}/tracks", track_batch(1)).status_code == 201
    assert [e["actor"]["name"] for e in track_events(disp, sid)] == ["Adm", "Off1"]
    outsider = login("outsider")
    r = outsider.post(f"/api/v1/searches/{sid}/tracks", track_batch(2))
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden", r.get_json()


@pytest.mark.parametrize("uid, sv", [(True, 0), (True, True), ("2", 0), (2.0, 0), (None, 0)])
def test_a_cookie_whose_ids_are_not_whole_numbers_sends_nothing(app, login, opened, uid, sv):
    """Even signed with the app's key (which only the server has), a cookie whose user id or session version is not
    an int (True is one to isinstance) is no session: the track route, which takes them from the cookie without a
    read of its own, refuses it like every route."""
    sid, disp = opened
    off1 = login("off1")
    with off1.client.session_transaction() as sess:
        sess["uid"], sess["sv"] = uid, sv
    r = off1.post(f"/api/v1/searches/{sid}/tracks", track_batch(0))
    assert r.status_code == 401 and r.get_json()["error"] == "not_authenticated", r.get_json()
    assert off1.get("/api/v1/searches").status_code == 401
    assert track_events(disp, sid) == []
