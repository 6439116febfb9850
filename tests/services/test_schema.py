"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from search_coord.adapters.models import Base


def _not_rtree(name, type_, parent_names):
    """SQLite's R*Tree over the cameras (migration 0013) and its shadow tables are not the models' tables."""
    return not (type_ == "table" and name.startswith("cameras_rtree"))


def test_migrations_match_the_models(svc):
    with svc.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True,
                                                                       "include_name": _not_rtree}), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    from search_coord.adapters.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()
