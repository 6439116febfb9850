"""where to look: segments, searched areas, model settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:14:57.382782
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=False),
    sa.Column('poa0', sa.Float(), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('search_id', 'name', name='uq_segments_search_name')
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_search_id'), ['search_id'], unique=False)

    op.create_table('searched_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('pod', sa.Float(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('marked_by', sa.Integer(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('searched_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_searched_areas_search_id'), ['search_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_segment_id'), ['segment_id'], unique=False)
        batch_op.create_foreign_key('fk_assignments_segment_id', 'segments', ['segment_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('row0', sa.Float(), server_default='1.0', nullable=False))
        batch_op.add_column(sa.Column('poa_basis', sa.String(length=20), server_default='rings', nullable=False))
        batch_op.add_column(sa.Column('model_reach_m', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('model_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('model_computed_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_column('model_computed_at')
        batch_op.drop_column('model_version')
        batch_op.drop_column('model_reach_m')
        batch_op.drop_column('poa_basis')
        batch_op.drop_column('row0')
        batch_op.drop_column('settings')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_assignments_segment_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignments_segment_id'))
        batch_op.drop_column('segment_id')

    with op.batch_alter_table('searched_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_searched_areas_search_id'))

    op.drop_table('searched_areas')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_search_id'))

    op.drop_table('segments')
