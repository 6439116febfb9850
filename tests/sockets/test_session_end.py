"""Sockets end with the session: logout, deactivation, a password or role change disconnect the user's open
sockets at once (one process) or within a second (several processes sharing Redis); a stale cookie cannot connect
and a stale socket's message is refused."""
import threading
import time
import uuid

import pytest
import socketio as sio_client
from support import PASSWORD, search_payload
from procs import Server

from search_coord.adapters.models import User
from search_coord.extensions import socketio
from search_coord.services import users


def connect(app, api_client):
    return socketio.test_client(app, namespace="/live", flask_test_client=api_client.client)


def joined(app, api_client, sid):
    sock = connect(app, api_client)
    ack = sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert ack["ok"], ack
    return sock


def names(sock):
    """What the socket received, also after it was disconnected (``get_received`` refuses then)."""
    got = [m["name"] for m in sock.queue if m["namespace"] == "/live"]
    sock.queue = []
    return got


@pytest.mark.parametrize("how", ["deactivate", "reset password", "change role", "logout", "own password",
                                 "require a change"])
def test_ending_the_session_disconnects_the_users_sockets_at_once(app, login, opened, how):
    sid, disp = opened
    adm, off1 = login("adm"), login("off1")
    sock, other = joined(app, off1, sid), joined(app, disp, sid)
    uid = off1.user["id"]
    if how == "deactivate":
        assert adm.patch(f"/api/v1/users/{uid}", {"active": False}).status_code == 200
    elif how == "reset password":
        assert adm.patch(f"/api/v1/users/{uid}", {"password": "set-by-the-admin-7"}).status_code == 200
    elif how == "change role":
        assert adm.patch(f"/api/v1/users/{uid}", {"role": "dispatcher"}).status_code == 200
    elif how == "require a change":
        assert adm.patch(f"/api/v1/users/{uid}", {"must_change_password": True}).status_code == 200
    elif how == "logout":
        assert login("off1").delete("/api/v1/session").status_code == 200     # from another device
    else:
        assert login("off1").post("/api/v1/account/password", {"old_password": PASSWORD,
                                                                "new_password": "granite-harbour-19"}).status_code == 200
    assert not sock.is_connected("/live")
    assert "session_ended" in names(sock)
    assert other.is_connected("/live")     # everyone else keeps streaming


def test_the_users_events_stop_after_deactivation(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    sock = joined(app, off1, sid)
    names(sock)
    login("adm").patch(f"/api/v1/users/{off1.user['id']}", {"active": False})
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "Night", "kind": "foot_patrol"})
    assert "event" not in names(sock)


def test_a_cookie_saved_before_logout_cannot_open_a_socket(app, login):
    off1 = login("off1")
    saved = app.test_client()
    saved.set_cookie("session", off1.client.get_cookie("session").value)
    off1.delete("/api/v1/session")
    sock = socketio.test_client(app, namespace="/live", flask_test_client=saved)
    assert not sock.is_connected("/live")


def test_a_stale_sockets_message_is_refused_and_the_socket_cut(app, login, opened):
    sid, _ = opened
    off1 = login("off1")
    sock = connect(app, off1)
    svc = app.extensions["search_coord"]
    hook, svc.on_sessions_ended = svc.on_sessions_ended, None     # as if ended by another process
    try:
        users.end_sessions(svc, off1.user["id"])
    finally:
        svc.on_sessions_ended = hook
    assert sock.is_connected("/live")
    ack = sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert not sock.is_connected("/live")
    assert ack is None or ack["error"] == "session_ended"


def test_the_sweep_cuts_sockets_ended_elsewhere(app, login):
    off1 = login("off1")
    sock = connect(app, off1)
    svc = app.extensions["search_coord"]
    registry = app.extensions["search_coord_session_sockets"]
    hook, svc.on_sessions_ended = svc.on_sessions_ended, None
    try:
        users.end_sessions(svc, off1.user["id"])
    finally:
        svc.on_sessions_ended = hook
    assert registry.sweep_once() == 1
    assert not sock.is_connected("/live") and registry.snapshot() == {}


def flag_without_ending(app, user_id):
    """Set must_change_password straight in the database, as a process without the session bump would."""
    svc = app.extensions["search_coord"]
    with svc.transaction() as s:
        s.get(User, user_id).must_change_password = True


def test_a_socket_of_a_user_who_must_change_the_password_is_refused_and_cut(app, login, opened):
    sid, disp = opened
    off1 = login("off1")
    sock = joined(app, off1, sid)
    flag_without_ending(app, off1.user["id"])
    assert off1.get("/api/v1/searches").status_code == 403
    ack = sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)
    assert not sock.is_connected("/live")
    assert ack is None or ack["error"] == "session_ended"
    names(sock)
    disp.post(f"/api/v1/searches/{sid}/teams", {"name": "Night", "kind": "foot_patrol"})
    assert "event" not in names(sock)


def test_the_sweep_cuts_sockets_of_users_who_must_change_the_password(app, login):
    off1 = login("off1")
    sock = connect(app, off1)
    flag_without_ending(app, off1.user["id"])
    registry = app.extensions["search_coord_session_sockets"]
    assert registry.sweep_once() == 1
    assert not sock.is_connected("/live")


def test_a_user_who_must_change_the_password_cannot_open_a_socket(app, login):
    adm, off1 = login("adm"), login("off1")
    adm.patch(f"/api/v1/users/{off1.user['id']}", {"must_change_password": True})
    assert not connect(app, off1).is_connected("/live")


@pytest.mark.postgres
def test_deactivation_through_one_process_cuts_a_socket_on_another_within_a_second(tmp_path, pg_schema):
    env = {"SEARCH_COORD_DATABASE_URL": pg_schema,
           "SEARCH_COORD_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
           "SEARCH_COORD_SOCKETIO_CHANNEL": "search-coord-test-" + uuid.uuid4().hex[:8]}
    a = Server(tmp_path, env, demo=True, name="a")
    b = Server(tmp_path, env, name="b")
    try:
        admin = a.login("admin", "demo-pass-2026")
        officer_b = b.login("patrol1", "demo-pass-2026")
        sid = a.login("dispatch", "demo-pass-2026").call("POST", "/api/v1/searches", search_payload()).json()["id"]
        gone = threading.Event()
        client = sio_client.Client(reconnection=False)
        client.on("disconnect", gone.set, namespace="/live")
        client.connect(b.url, headers={"Cookie": officer_b.cookie_header()}, namespaces=["/live"],
                       transports=["websocket"])
        assert client.connected
        started = time.monotonic()
        r = admin.call("PATCH", f"/api/v1/users/{officer_b.user['id']}", {"active": False})
        assert r.status_code == 200, r.text
        assert gone.wait(1.5), "the socket on process B was not cut"
        assert time.monotonic() - started < 1.5
        assert officer_b.call("GET", f"/api/v1/searches/{sid}").status_code == 401
    finally:
        a.stop()
        b.stop()
