"""plans with targets per unit, and their measures (issue 22)

A plan's target (reach, share, protect) with the decision that set it, who entered it and
when; revoked plans keep their row. Measures are free text, marked done with a date.
Ids are never reused (SQLite: AUTOINCREMENT; PostgreSQL: the sequence).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        'plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('share', sa.Float(), nullable=True),
        sa.Column('date_from', sa.Date(), nullable=False),
        sa.Column('date_by', sa.Date(), nullable=False),
        sa.Column('hold', sa.Integer(), nullable=True),
        sa.Column('decision', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('entered_by', sa.String(length=200), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=sqlite,
    )
    op.create_index('ix_plans_unit_code', 'plans', ['unit_code'])
    op.create_table(
        'plan_measures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('added_by', sa.String(length=200), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('done_by', sa.String(length=200), nullable=True),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id']),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=sqlite,
    )
    op.create_index('ix_plan_measures_plan_id', 'plan_measures', ['plan_id'])


def downgrade() -> None:
    op.drop_index('ix_plan_measures_plan_id', table_name='plan_measures')
    op.drop_table('plan_measures')
    op.drop_index('ix_plans_unit_code', table_name='plans')
    op.drop_table('plans')
