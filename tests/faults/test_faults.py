"""Faults the service must survive: a locked or unreachable database, a server killed while phones send."""
import signal
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
import requests

from support import FAST_HASH, LKP, search_payload
from procs import Server


def test_a_locked_database_gives_a_clear_retryable_error_and_nothing_half_written(tmp_path, login):
    from search_coord import create_app
    from search_coord.services import users

    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TILE_URL": "", "PASSWORD_HASH_METHOD": FAST_HASH,
                      "SECRET_KEY": "k", "SQLITE_BUSY_TIMEOUT_MS": 200, "RECOMPUTE_INLINE": True})
    svc = app.extensions["search_coord"]
    users.create_user(svc, None, {"username": "disp", "display_name": "D", "role": "dispatcher",
                                  "password": "tundra-lantern-42"})
    from support import ApiClient

    disp = ApiClient(app, "disp")
    sid = disp.post("/api/v1/searches", search_payload()).get_json()["id"]
    clue = {"kind": "clue", "time": "2026-11-28T18:00:00+08:00", "location": LKP, "text": "a glove",
            "client_id": "clue-locked-01"}
    blocker = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        r = disp.post(f"/api/v1/searches/{sid}/clues", clue)
        assert r.status_code == 503 and r.get_json()["error"] == "unavailable"
        assert "try again" in r.get_json()["message"] and r.headers["Retry-After"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert disp.get(f"/api/v1/searches/{sid}/clues").get_json() == []
    assert [e["type"] for e in disp.get(f"/api/v1/searches/{sid}/events").get_json()["events"]] == ["search.opened"]
    r = disp.post(f"/api/v1/searches/{sid}/clues", clue)  # the client's retry
    assert r.status_code == 201 and len(disp.get(f"/api/v1/searches/{sid}/clues").get_json()) == 1
    app.extensions["search_coord_engine"].dispose()


def test_an_unreachable_database_is_a_503_not_a_crash(tmp_path):
    from search_coord.adapters.db import make_engine, make_session_factory
    from search_coord.core.errors import Unavailable
    from search_coord.services import searches
    from search_coord.services.context import Actor, Services

    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True))
    with pytest.raises(Unavailable, match="try again"):
        searches.list_searches(svc, Actor(1, "dispatcher"))
    with pytest.raises(Unavailable, match="nothing was saved"):
        searches.open_search(svc, Actor(1, "dispatcher"), search_payload())


def _batch(k: int, start: datetime) -> dict:
    return {"client_id": f"kill-{k:06d}", "points": [
        {"t": (start + timedelta(seconds=5 * k + i)).isoformat(), "lon": LKP[0] + 1e-5 * (5 * k + i),
         "lat": LKP[1], "acc": 5} for i in range(5)]}


def test_sigkill_while_phones_send_loses_nothing_acknowledged_and_stores_nothing_twice(tmp_path):
    server = Server(tmp_path, demo=True, name="kill")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    acked, unacked = set(), set()
    try:
        officer = server.login("patrol1", "demo-pass-2026")
        disp = server.login("dispatch", "demo-pass-2026")
        sid = disp.call("POST", "/api/v1/searches", search_payload()).json()["id"]  # last seen 2026-11-28 17:30
        disp.call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer.user["id"]})
        for k in range(400):
            if k == 150:
                server.proc.send_signal(signal.SIGKILL)   # mid-stream, no warning
            try:
                r = officer.call("POST", f"/api/v1/searches/{sid}/tracks", _batch(k, start))
                (acked if r.status_code in (200, 201) else unacked).add(k)
            except requests.RequestException:
                unacked.add(k)
        assert len(acked) >= 100 and unacked
    finally:
        server.stop()
    again = Server(tmp_path, name="restarted")  # same instance folder: the same SQLite file
    try:
        officer = again.login("patrol1", "demo-pass-2026")
        # phones resend what was not acknowledged, and (answers lost) some that were
        for k in sorted(unacked) + sorted(acked)[:20]:
            r = officer.call("POST", f"/api/v1/searches/{sid}/tracks", _batch(k, start))
            assert r.status_code in (200, 201), r.text
            assert r.json()["duplicate"] is (k in acked)
        state = officer.call("GET", f"/api/v1/searches/{sid}/state").json()
        mine = state["tracks"][str(officer.user["id"])]
        assert len(mine) == 400 * 5                       # every batch exactly once
        assert len({p[2] for p in mine}) == 400 * 5
        events = officer.call("GET", f"/api/v1/searches/{sid}/events?after=0&limit=5000").json()["events"]
        assert sum(e["type"] == "track.points" for e in events) == 400
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    finally:
        again.stop()
