"""track imports; photos keep their original type (and bytes when they could not be converted)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_mime', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('original', sa.LargeBinary(), nullable=True))
    op.create_table(
        'track_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('search_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column('unit_user_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('points_in_file', sa.Integer(), nullable=False),
        sa.Column('stored', sa.Integer(), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('event_seq', sa.BigInteger(), nullable=False),
        sa.Column('imported_by', sa.Integer(), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
        sa.ForeignKeyConstraint(['unit_user_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
        sa.ForeignKeyConstraint(['imported_by'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('search_id', 'sha256', name='uq_track_imports_search_sha256'),
    )
    with op.batch_alter_table('track_imports', schema=None) as batch_op:
        batch_op.create_index('ix_track_imports_search_id', ['search_id'], unique=False)
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index('ix_photos_uploaded_by_sha256', ['uploaded_by', 'sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index('ix_photos_uploaded_by_sha256')
    with op.batch_alter_table('track_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_track_imports_search_id')
    op.drop_table('track_imports')
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('original')
        batch_op.drop_column('original_mime')
