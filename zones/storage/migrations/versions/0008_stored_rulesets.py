"""stored_rulesets: custom rule sets kept in the database, every version, with who added it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stored_rulesets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ruleset_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=100), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_stored_rulesets_ruleset_id', 'stored_rulesets', ['ruleset_id'])


def downgrade() -> None:
    op.drop_index('ix_stored_rulesets_ruleset_id', 'stored_rulesets')
    op.drop_table('stored_rulesets')
