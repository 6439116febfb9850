"""Shared fixtures: an app on a temporary SQLite file, API clients per role, service contexts on SQLite and
PostgreSQL, a recording publisher, a fixed clock and a fake geocoder."""
from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import text

from search_coord.adapters.db import make_engine, make_session_factory
from search_coord.adapters.geocoder import FakeGeocoder
from search_coord.adapters import schema
from search_coord.services import searches, users
from search_coord.services.context import Actor, RecordingPublisher, Services
from support import (FAST_HASH, PASSWORD, POSTGRES_URL, T0, ApiClient, FakeClock, make_test_app, migrated_sqlite,
                     open_test_search, port_open, postgres_schema, search_payload, service_unavailable)


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (setup.cfg): one worker more than there are cores: the browser and server-process tests spend
    about half their time waiting on other processes (Chromium, the app's own process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def svc(request, tmp_path):
    """A service context on a fresh, migrated database: SQLite, then the local PostgreSQL."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            migrated_sqlite(tmp_path / "svc.db")
            engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
        else:
            name = request.getfixturevalue("pg_migrated")
            engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={name}"})
            emptied(engine)
        stack.callback(engine.dispose)
        yield _services(engine)


@pytest.fixture(scope="session")
def pg_migrated():
    """A PostgreSQL schema migrated once per test process (the migrations' DDL takes a second or two there); each
    ``svc`` test empties it first (``emptied``)."""
    with postgres_schema() as name:
        engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={name}"})
        schema.upgrade(engine)
        engine.dispose()
        yield name


def emptied(engine):
    """Every table of the engine's PostgreSQL schema emptied and its ids restarted, the migrations' record kept: the
    state of a freshly migrated schema."""
    with engine.begin() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                   "AND tablename <> 'alembic_version'")).scalars().all()
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


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
def svc_search(svc, people):
    """A search opened on ``svc`` by the dispatcher, with officers off1 and off2 on it; its id."""
    sid = searches.open_search(svc, people["disp"], search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, people["disp"], sid, people[name].user_id)
    return sid


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
    app = make_test_app(tmp_path / "instance")
    yield app
    app.extensions["search_coord_engine"].dispose()


@pytest.fixture
def login(app):
    return lambda username=None: ApiClient(app, username)


@pytest.fixture
def opened(app, login):
    """A search opened by the dispatcher with off1 on it: (search id, dispatcher client)."""
    return open_test_search(login)


@pytest.fixture
def later(monkeypatch):
    """``later(s)``: the session cookies' clock (web/session_cookie.py) reads ``s`` seconds from now (0: now again)."""
    from search_coord.web import session_cookie
    real = session_cookie._now

    def shift(seconds: float):
        monkeypatch.setattr(session_cookie, "_now", lambda: real() + timedelta(seconds=seconds))
    return shift
