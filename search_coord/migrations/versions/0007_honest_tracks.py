"""honest tracks: device, counted piece and vertex per fix; phone clocks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('piece', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('vertex', sa.Boolean(), server_default='0', nullable=False))
    op.create_table(
        'device_clocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('search_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('offset_s', sa.Float(), nullable=False),
        sa.Column('measured_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('search_id', 'user_id', 'device', name='uq_device_clocks'),
    )


def downgrade() -> None:
    op.drop_table('device_clocks')
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.drop_column('vertex')
        batch_op.drop_column('piece')
        batch_op.drop_column('device')
