"""tracking runs and acknowledged broadcasts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:58:38.318829
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_by', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('event_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.ForeignKeyConstraint(['sent_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_search_id'), ['search_id'], unique=False)

    op.create_table('broadcast_acks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('acked_at', sa.DateTime(), nullable=False),
    sa.Column('device', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('broadcast_id', 'user_id', name='uq_broadcast_acks')
    )
    with op.batch_alter_table('broadcast_acks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_acks_broadcast_id'), ['broadcast_id'], unique=False)

    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.drop_column('run')

    with op.batch_alter_table('broadcast_acks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_acks_broadcast_id'))

    op.drop_table('broadcast_acks')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_search_id'))

    op.drop_table('broadcasts')
