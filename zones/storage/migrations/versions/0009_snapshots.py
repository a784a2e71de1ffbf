"""snapshots: the levels, rates and last reports of the current assessment run, in the
database (every replica reads the same one; no file on the app's disk)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'snapshots',
        sa.Column('run', sa.String(length=64), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('run'),
    )


def downgrade() -> None:
    op.drop_table('snapshots')
