"""client ids scoped to their sender and kind; searched areas, clues and track points can be retracted

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_RETRACTABLE = ('searched_areas', 'clues', 'track_points')


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_events_search_client_id', type_='unique')
        batch_op.create_unique_constraint('uq_events_search_actor_type_client_id',
                                          ['search_id', 'actor_id', 'type', 'client_id'])
    for table in _RETRACTABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('retracted_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('retracted_by', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('retracted_seq', sa.BigInteger(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_retracted_by', 'users', ['retracted_by'], ['id'])


def downgrade() -> None:
    for table in _RETRACTABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_retracted_by', type_='foreignkey')
            batch_op.drop_column('retracted_seq')
            batch_op.drop_column('retracted_by')
            batch_op.drop_column('retracted_at')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_events_search_actor_type_client_id', type_='unique')
        batch_op.create_unique_constraint('uq_events_search_client_id', ['search_id', 'client_id'])
