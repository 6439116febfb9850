"""dispatcher night: the weather entered for a search, escalation prompts ticked or dismissed, join links (QR codes)
and the guest accounts they make

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'weather_readings',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('search_id', sa.Integer(), sa.ForeignKey('searches.id'), nullable=False, index=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('temperature_c', sa.Float(), nullable=True),
        sa.Column('low_tonight_c', sa.Float(), nullable=True),
        sa.Column('source', sa.String(40), nullable=False),
        sa.Column('entered_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True))
    op.create_table(
        'prompt_decisions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('search_id', sa.Integer(), sa.ForeignKey('searches.id'), nullable=False, index=True),
        sa.Column('prompt_id', sa.String(40), nullable=False),
        sa.Column('decision', sa.String(12), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('search_id', 'prompt_id', name='uq_prompt_decisions_search_prompt'))
    op.create_table(
        'join_links',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('search_id', sa.Integer(), sa.ForeignKey('searches.id'), nullable=False, index=True),
        sa.Column('token_sha256', sa.String(64), nullable=False, unique=True),
        sa.Column('role', sa.String(20), nullable=False),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('teams.id'), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('max_uses', sa.Integer(), nullable=False),
        sa.Column('uses', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('auto_approve', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False))
    op.create_table(
        'guest_accounts',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), primary_key=True),
        sa.Column('search_id', sa.Integer(), sa.ForeignKey('searches.id'), nullable=False, index=True),
        sa.Column('link_id', sa.Integer(), sa.ForeignKey('join_links.id'), nullable=False, index=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_table('guest_accounts')
    op.drop_table('join_links')
    op.drop_table('prompt_decisions')
    op.drop_table('weather_readings')
