"""What the tests share besides fixtures (those are in conftest.py): the fixed time and place of the test search and
its payload, the test accounts' password, an API client, a fake clock, a PostgreSQL schema, and skipping (or failing
in CI) when a service is missing. Import it by name (``from support import LKP``): tests/ and tests/browser/ each have
a conftest.py, so ``from support import`` would find whichever was loaded first."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import tempfile
import uuid
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from search_coord import create_app
from search_coord.adapters import schema
from search_coord.adapters.db import make_engine
from search_coord.adapters.geocoder import FakeGeocoder
from search_coord.services import users

REQUIRE_SERVICES = os.environ.get("SEARCH_COORD_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("SEARCH_COORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FAST_HASH = "pbkdf2:sha256:1000"
T0 = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)  # 17:30 in Beijing
LKP = [116.1985, 39.7712]
# Every test account's password: it passes the password policy (core.accounts), which refuses "password-<name>".
PASSWORD = "tundra-lantern-42"


def service_unavailable(what: str):
    """Skip on a laptop without the service; fail in CI (SEARCH_COORD_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required here (SEARCH_COORD_REQUIRE_SERVICES=1) but unreachable")
    pytest.skip(f"{what} unreachable")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def search_payload(**over) -> dict:
    data = {
        "subject": {"name": "Zhang Guilin", "age": 80, "sex": "male", "category": "dementia",
                    "description": "thin, grey hair", "clothing": "dark blue padded jacket"},
        "lkp": {"type": "Point", "coordinates": LKP},
        "lkp_time": "2026-11-28T17:30:00+08:00",
        "risk": "high",
        "risk_reasons": ["age", "weather"],
        "notes": "-3 °C",
        # the fixed date above is confirmed, so the suite keeps passing on any later day (tests of the app's real
        # clock would otherwise see a last known time "more than 7 days ago")
        "lkp_time_confirmed": True,
    }
    data.update(over)
    return data


def square(lon=LKP[0], lat=LKP[1], d=0.002) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                                [lon - d, lat + d], [lon - d, lat - d]]]}


_MIGRATED: dict[str, str] = {}


def migrated_sqlite(dest: os.PathLike | str) -> None:
    """Put at ``dest`` a SQLite database already migrated to head: the migrations run once per test process (on a
    file of their own; tests/services/test_schema.py tests them step by step), then each test gets a copy of the file
    (0.4 s of CPU and a second of fsyncs less per test, for ~500 tests)."""
    if "path" not in _MIGRATED:
        path = os.path.join(tempfile.mkdtemp(prefix="sc-migrated-"), "migrated.db")
        engine = make_engine(f"sqlite:///{path}")
        try:
            schema.upgrade(engine)
        finally:
            engine.dispose()
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # everything in the main file, nothing in -wal
        _MIGRATED["path"] = path
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    shutil.copyfile(_MIGRATED["path"], dest)


@contextmanager
def postgres_schema(prefix: str = "t_"):
    """A fresh schema on the local PostgreSQL, dropped afterwards (skips, or fails in CI, when it is unreachable)."""
    if not port_open("127.0.0.1", 5432):
        service_unavailable("PostgreSQL at 127.0.0.1:5432")
    admin = make_engine(POSTGRES_URL)
    name = prefix + uuid.uuid4().hex[:12]
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield name
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def make_test_app(instance):
    """The app on a migrated SQLite file in the folder ``instance`` with the test accounts (disp, off1, off2,
    outsider, adm); dispose ``app.extensions["search_coord_engine"]`` when done."""
    migrated_sqlite(instance / "search-coord.db")
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "TILE_URL": "", "RECOMPUTE_INLINE": True,
                      "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "test-secret",
                      "GEOCODER_ADAPTER": FakeGeocoder({"Changyang town, Fangshan": (116.1985, 39.7712)})})
    svc = app.extensions["search_coord"]
    for name, role in (("disp", "dispatcher"), ("off1", "officer"), ("off2", "officer"), ("outsider", "officer"),
                       ("adm", "admin")):
        users.create_user(svc, None, {"username": name, "display_name": name.title(), "role": role,
                                      "password": PASSWORD})
    return app


def open_test_search(login):
    """The dispatcher opens the test search and puts off1 on it: (search id, dispatcher client)."""
    disp = login("disp")
    r = disp.post("/api/v1/searches", search_payload())
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    off1 = login("off1")
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off1.user["id"]}).status_code == 201
    return sid, disp


class ApiClient:
    """A test client logged in as one user, sending the CSRF token and a device id with every change."""

    def __init__(self, app, username: str | None):
        self.client = app.test_client()
        self.token = self.client.get("/api/v1/session").get_json()["csrf_token"]
        self.user = None
        if username:
            r = self.post("/api/v1/session", {"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.get_json()
            self.user = r.get_json()["user"]
            self.token = r.get_json()["csrf_token"]

    def _headers(self):
        return {"X-CSRF-Token": self.token, "X-Device-Id": "test-device-1"}

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(), **kw)

    def patch(self, url, json=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self._headers(), **kw)


def walk_east(n0: int, n: int, lon0: float = LKP[0], t0: datetime = T0 + timedelta(minutes=5)) -> list[dict]:
    """Fixes every 2 s walking east ~1.5 m/s from the last known point (fix n0 .. n0+n-1), 5 m accuracy."""
    return [{"t": (t0 + timedelta(seconds=2 * i)).isoformat(), "lon": lon0 + 3.5e-5 * i, "lat": LKP[1], "acc": 5}
            for i in range(n0, n0 + n)]


def session_set_cookie(response) -> str | None:
    """The response's ``Set-Cookie`` of the session (at most one), or None when it sends none."""
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert len(cookies) <= 1
    return cookies[0] if cookies else None


def cookie_copy(app, api_client):
    """A second client holding a copy of ``api_client``'s session cookie (as if saved before a logout)."""
    copy = app.test_client()
    copy.set_cookie("session", api_client.client.get_cookie("session").value)
    return copy
