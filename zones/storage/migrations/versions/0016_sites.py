"""sites: facilities, quarantine sites and lockdown areas (every version kept), and the
facility scoring schemes provinces add

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sites',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('geometry', sa.LargeBinary(), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('sector', sa.String(length=100), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('occupied', sa.Integer(), nullable=True),
        sa.Column('sent_by', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('source_row', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('superseded_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sites_unit', 'sites', ['unit_code'])
    op.create_index('ix_sites_kind_site', 'sites', ['kind', 'site_id'])
    op.create_index('uq_sites_current', 'sites', ['kind', 'site_id'], unique=True,
                    sqlite_where=sa.text('superseded_at IS NULL'),
                    postgresql_where=sa.text('superseded_at IS NULL'))
    op.create_table(
        'site_schemes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=100), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_site_schemes_scheme_id', 'site_schemes', ['scheme_id'])


def downgrade() -> None:
    op.drop_index('ix_site_schemes_scheme_id', table_name='site_schemes')
    op.drop_table('site_schemes')
    op.drop_index('uq_sites_current', table_name='sites')
    op.drop_index('ix_sites_kind_site', table_name='sites')
    op.drop_index('ix_sites_unit', table_name='sites')
    op.drop_table('sites')
