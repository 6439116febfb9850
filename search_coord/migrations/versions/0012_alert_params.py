"""a broadcast the server made (FOUND, a confirmed sighting, DISREGARD) keeps its alert's parameters, so each page
words it in its own language; older rows keep their "English\\nChinese" text and no parameters

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('params')
