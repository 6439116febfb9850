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


def test_a_database_at_the_head_is_opened_without_alembic_and_an_older_one_is_upgraded(tmp_path, monkeypatch):
    from search_coord.adapters import schema
    from search_coord.adapters.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    first = sorted(schema.head_revisions())[0]
    schema.upgrade(engine, "0001")
    assert schema.current_revisions(engine) == {"0001"} != schema.head_revisions()
    schema.upgrade(engine)   # an older database: the migrations run
    assert schema.current_revisions(engine) == schema.head_revisions() == {first}
    monkeypatch.setattr(schema.command, "upgrade", lambda *a: (_ for _ in ()).throw(AssertionError("alembic ran")))
    schema.upgrade(engine)   # at the head: nothing to run
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0
    engine.dispose()


def test_a_database_at_0017_from_before_the_vertices_index_gets_it(tmp_path):
    """0017 was released empty (reserved), then given the vertices index: a database migrated to that empty 0017
    gets the index from 0018; one migrated from nothing has it once."""
    from search_coord.adapters import schema
    from search_coord.adapters.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, "0017")
    with engine.begin() as conn:   # as the released, empty 0017 left it
        conn.execute(text("DROP INDEX ix_track_points_vertices"))
    schema.upgrade(engine)
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                 "AND tbl_name = 'track_points'"))]
    assert names.count("ix_track_points_vertices") == 1
    engine.dispose()
