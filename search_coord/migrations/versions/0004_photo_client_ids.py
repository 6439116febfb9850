"""photo client ids

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:34:40.467371
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_photos_client_id', ['uploaded_by', 'client_id'])



def downgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_constraint('uq_photos_client_id', type_='unique')
        batch_op.drop_column('client_id')

