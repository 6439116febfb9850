"""a version on every editable row (searches, teams, assignments, segments, cameras): an edit names the version it
started from and a stale one is refused (409) instead of undoing another dispatcher's change

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('searches', 'teams', 'assignments', 'segments', 'cameras')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
