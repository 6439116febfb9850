"""the vertices index for a database migrated to 0017 while 0017 was still empty (reserved)

0017 was released empty, then filled with the partial index on the vertices of track_points
(``ix_track_points_vertices``: search, user, device, piece, t where vertex). A database already at 0017 would never
run it again: this makes the index when it is missing, and does nothing on a database that 0017 gave it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 13:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

INDEX = "ix_track_points_vertices"


def upgrade() -> None:
    if INDEX in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("track_points")}:
        return
    op.create_index(INDEX, "track_points", ["search_id", "user_id", "device", "piece", "t"],
                    sqlite_where=sa.text("vertex = 1"), postgresql_where=sa.text("vertex = true"))


def downgrade() -> None:
    pass   # the index is 0017's: its downgrade drops it
