"""street layers: a region's street network, street assignments, coverage per block, door-to-door checks

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('street_layers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('load_seconds', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('replaced_by', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['replaced_by'], ['street_layers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('street_ways',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('way_id', sa.BigInteger(), nullable=False),
    sa.Column('nodes', sa.JSON(), nullable=False),
    sa.Column('coords', sa.JSON(), nullable=False),
    sa.Column('highway', sa.String(length=40), nullable=False),
    sa.Column('walk', sa.Boolean(), nullable=False),
    sa.Column('drive', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('name_zh', sa.String(length=200), nullable=True),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['layer_id'], ['street_layers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('street_ways', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_ways_layer_id'), ['layer_id'], unique=False)
    op.create_table('street_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('housenumber', sa.String(length=40), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('building', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['layer_id'], ['street_layers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('street_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_addresses_layer_id'), ['layer_id'], unique=False)
    op.create_table('street_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('reverse', sa.JSON(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('transit_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ),
    sa.ForeignKeyConstraint(['layer_id'], ['street_layers.id'], ),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id')
    )
    with op.batch_alter_table('street_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_assignments_search_id'), ['search_id'], unique=False)
    op.create_table('street_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('block', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('bins', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['layer_id'], ['street_layers.id'], ),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('search_id', 'layer_id', 'block', 'mode', name='uq_street_coverage')
    )
    with op.batch_alter_table('street_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_coverage_search_id'), ['search_id'], unique=False)
    op.create_table('door_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('checked_by', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['street_addresses.id'], ),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ),
    sa.ForeignKeyConstraint(['checked_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'address_id', name='uq_door_checks')
    )
    with op.batch_alter_table('door_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_checks_search_id'), ['search_id'], unique=False)


def downgrade() -> None:
    for table in ('door_checks', 'street_coverage', 'street_assignments', 'street_addresses', 'street_ways',
                  'street_layers'):
        op.drop_table(table)
