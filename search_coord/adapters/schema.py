"""Database schema through Alembic migrations (``search_coord/migrations``)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The migrations' head revision ids, read from ``search_coord/migrations/versions`` once per process (the files
    do not change while it runs)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revision ids the database is at (empty for a database never migrated)."""
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (creates it from nothing on a fresh file). A database already at the
    head is left as it is without running Alembic's environment (a process that opens several databases, or opens
    one at every start, reads the migration files once)."""
    if revision == "head" and current_revisions(engine) == head_revisions():
        return
    command.upgrade(alembic_config(engine), revision)
