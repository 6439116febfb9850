"""phones and ingest: the last vertex of a device's piece of track found at once (a partial index on the vertices).

A batch continues its device's counted track from the last vertex of the last counted piece (services/tracks.py).
Found on the (search, user, t) index, that meant reading back over every fix since that vertex: an officer standing
still for an hour sends 3,600 fixes and no vertex, and each batch read them all. The index holds vertices only.

A database migrated to 0017 while it was still empty (it was released that way: reserved for this change) gets the
index from 0018 instead; 0018 leaves one made here as it is.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_track_points_vertices", "track_points", ["search_id", "user_id", "device", "piece", "t"],
                    sqlite_where=sa.text("vertex = 1"), postgresql_where=sa.text("vertex = true"))


def downgrade() -> None:
    op.drop_index("ix_track_points_vertices", table_name="track_points")
