"""Shared fixtures: an app on a temporary SQLite file, API clients per role, service contexts on SQLite and
PostgreSQL, a recording publisher, a fixed clock and a fake geocoder."""
from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager
import socket
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.geocoder import FakeGeocoder
from search_coord.adapters import schema
from search_coord.services import users
from search_coord.services.context import Actor, RecordingPublisher, Services

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


# --- service level -----------------------------------------------------------------------------------------------

@contextmanager
def postgres_schema(prefix: str = "t_"):
    """A fresh schema on the local PostgreSQL, dropped afterwards (skips, or fails in CI, when it is unreachable)."""
    if not port_open("127.0.0.1", 5432):
        service_unavailable("PostgreSQL at 127.0.0.1:5432")
    from sqlalchemy import text

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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def svc(request, tmp_path):
    """A service context on a fresh, migrated database: SQLite, then the local PostgreSQL."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
        else:
            name = stack.enter_context(postgres_schema())
            engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={name}"})
        stack.callback(engine.dispose)
        yield _services(engine)


def _services(engine):
    schema.upgrade(engine)
    services = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                        publisher=RecordingPublisher(), clock=FakeClock(T0 + timedelta(minutes=30)),
                        geocoder=FakeGeocoder({"Changyang town, Fangshan": (116.1985, 39.7712)}),
                        password_method=FAST_HASH)
    services.engine = engine
    return services


@pytest.fixture
def people(svc):
    """A dispatcher, two officers, an outsider officer and an admin, as Actors."""
    made = {}
    for name, role in (("disp", "dispatcher"), ("off1", "officer"), ("off2", "officer"), ("outsider", "officer"),
                       ("adm", "admin")):
        u = users.create_user(svc, None, {"username": name, "display_name": name.title(), "role": role,
                                          "password": PASSWORD})
        made[name] = Actor(u["id"], role, f"dev-{name}")
    return made


@pytest.fixture
def pg_schema():
    """For the scale-out tests: a database URL on a fresh PostgreSQL schema, with Redis reachable."""
    if not port_open("127.0.0.1", 6379):
        service_unavailable("Redis at 127.0.0.1:6379")
    with postgres_schema("s_") as name:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{name}"


# --- app level ---------------------------------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path):
    from search_coord import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, "TILE_URL": "", "RECOMPUTE_INLINE": True,
                      "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "test-secret",
                      "GEOCODER_ADAPTER": FakeGeocoder({"Changyang town, Fangshan": (116.1985, 39.7712)})})
    svc = app.extensions["search_coord"]
    for name, role in (("disp", "dispatcher"), ("off1", "officer"), ("off2", "officer"), ("outsider", "officer"),
                       ("adm", "admin")):
        users.create_user(svc, None, {"username": name, "display_name": name.title(), "role": role,
                                      "password": PASSWORD})
    yield app
    app.extensions["search_coord_engine"].dispose()


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


@pytest.fixture
def login(app):
    return lambda username=None: ApiClient(app, username)


@pytest.fixture
def opened(app, login):
    """A search opened by the dispatcher with off1 on it: (search id, dispatcher client)."""
    disp = login("disp")
    r = disp.post("/api/v1/searches", search_payload())
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    off1 = login("off1")
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off1.user["id"]}).status_code == 201
    return sid, disp
