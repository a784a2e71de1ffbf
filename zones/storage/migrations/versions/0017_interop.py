"""interop: API tokens of other systems, level names for SQL readers, PostGIS views

``api_tokens`` keeps only SHA-256 hashes of the tokens other systems read the HTTP API
with (``/zones-api/v1/…``), scoped to a subtree, revocable, with their per-minute count.
``level_names`` holds the level names of the rule sets, written with the levels, so the
views ``v_units_active``, ``v_levels_by_day`` and ``v_levels_in_force`` (PostgreSQL only;
with the shapes where PostGIS is installed) name levels as the app does
(``zones.storage.interop_sql``). A database with levels owes one recomputation, which
writes the level names (``db upgrade`` pays it).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from zones.storage import interop_sql, store

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=100), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('window_start', sa.DateTime(), nullable=True),
        sa.Column('window_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash', name='uq_api_tokens_hash'),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'level_names',
        sa.Column('ruleset_id', sa.String(length=64), nullable=False),
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('ruleset_id', 'level', 'lang'),
    )
    bind = op.get_bind()
    interop_sql.ensure_views(bind)
    if bind.exec_driver_sql("SELECT 1 FROM assessments LIMIT 1").scalar():
        # the level names are written with the levels: owe one recomputation (paid by
        # `db upgrade` itself, or the next start) so the views name the levels at once
        store.owe_levels(bind, None)


def downgrade() -> None:
    interop_sql.drop_views(op.get_bind())
    op.drop_table('level_names')
    op.drop_table('api_tokens')
