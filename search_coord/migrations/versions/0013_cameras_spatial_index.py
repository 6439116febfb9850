"""cameras spatial index: the registry is read by area (the map's viewport, a search's region).

SQLite: an R*Tree virtual table ``cameras_rtree`` (one point box per camera, by camera id) kept current by triggers on
``cameras`` (insert, a move, delete), so every path that writes the registry (the API, an import's bulk insert, a
script) keeps it right. R*Tree stores 32-bit floats, rounded outwards: the query narrows by the index, then checks
the exact lon/lat columns (services/video/area.py).
PostgreSQL (no PostGIS here): B-tree indexes on ``lon`` and on ``lat`` (made on SQLite too, as the models declare
them); the planner ANDs their bitmaps for a box.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 04:30:00
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE cameras_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)",
    "INSERT INTO cameras_rtree (id, min_lon, max_lon, min_lat, max_lat) SELECT id, lon, lon, lat, lat FROM cameras",
    "CREATE TRIGGER cameras_rtree_insert AFTER INSERT ON cameras BEGIN "
    "INSERT INTO cameras_rtree (id, min_lon, max_lon, min_lat, max_lat) "
    "VALUES (new.id, new.lon, new.lon, new.lat, new.lat); END",
    "CREATE TRIGGER cameras_rtree_move AFTER UPDATE OF lon, lat ON cameras BEGIN "
    "UPDATE cameras_rtree SET min_lon = new.lon, max_lon = new.lon, min_lat = new.lat, max_lat = new.lat "
    "WHERE id = new.id; END",
    "CREATE TRIGGER cameras_rtree_delete AFTER DELETE ON cameras BEGIN "
    "DELETE FROM cameras_rtree WHERE id = old.id; END",
)
_SQLITE_DOWN = ("DROP TRIGGER IF EXISTS cameras_rtree_insert", "DROP TRIGGER IF EXISTS cameras_rtree_move",
                "DROP TRIGGER IF EXISTS cameras_rtree_delete", "DROP TABLE IF EXISTS cameras_rtree")


def upgrade() -> None:
    op.create_index("ix_cameras_lon", "cameras", ["lon"])
    op.create_index("ix_cameras_lat", "cameras", ["lat"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_cameras_lat", "cameras")
    op.drop_index("ix_cameras_lon", "cameras")
