"""declarations.signed_by: who signed the decision (``declarations add --by NAME``)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('declarations') as batch:
        batch.add_column(sa.Column('signed_by', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('declarations') as batch:
        batch.drop_column('signed_by')
