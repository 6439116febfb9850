"""cameras spatial index: the registry is read by area (the map's viewport, a search's region).

SQLite: an R*Tree virtual table ``cameras_rtree`` over the ACTIVE cameras (one point box per camera, by camera id),
kept current by triggers on ``cameras`` (insert, a move or a change of view or of ``active``, delete), so every path
that writes the registry (the API, an import's bulk insert, a script) keeps it right. R*Tree stores its boxes as
32-bit floats rounded outwards; auxiliary columns hold the exact lon/lat and what the ranking needs of the view
(direction, field of view, range), so a search's region or the map's cells are read from the index alone
(services/video/spatial.py).
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

_COPY = ("INSERT INTO cameras_rtree (id, min_lon, max_lon, min_lat, max_lat, lon, lat, direction_deg, fov_deg, "
         "range_m) ")
_SQLITE_UP = (
    "CREATE VIRTUAL TABLE cameras_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, "
    "+lon, +lat, +direction_deg, +fov_deg, +range_m)",
    _COPY + "SELECT id, lon, lon, lat, lat, lon, lat, direction_deg, fov_deg, range_m FROM cameras WHERE active",
    "CREATE TRIGGER cameras_rtree_insert AFTER INSERT ON cameras WHEN new.active BEGIN " + _COPY +
    "VALUES (new.id, new.lon, new.lon, new.lat, new.lat, new.lon, new.lat, new.direction_deg, new.fov_deg, "
    "new.range_m); END",
    "CREATE TRIGGER cameras_rtree_update AFTER UPDATE OF lon, lat, active, direction_deg, fov_deg, range_m "
    "ON cameras BEGIN DELETE FROM cameras_rtree WHERE id = old.id; " + _COPY +
    "SELECT new.id, new.lon, new.lon, new.lat, new.lat, new.lon, new.lat, new.direction_deg, new.fov_deg, "
    "new.range_m WHERE new.active; END",
    "CREATE TRIGGER cameras_rtree_delete AFTER DELETE ON cameras BEGIN "
    "DELETE FROM cameras_rtree WHERE id = old.id; END",
)
_SQLITE_DOWN = ("DROP TRIGGER IF EXISTS cameras_rtree_insert", "DROP TRIGGER IF EXISTS cameras_rtree_update",
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
