"""recorder clock re-correction

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 12:23:53.892586
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviewed_intervals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorder_start', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('recorder_end', sa.DateTime(), nullable=True))

    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock', sa.String(length=10), server_default='recorder', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.drop_column('clock')

    with op.batch_alter_table('reviewed_intervals', schema=None) as batch_op:
        batch_op.drop_column('recorder_end')
        batch_op.drop_column('recorder_start')

