"""one current observation per unit and date

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHERE = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch_op:
        batch_op.create_index("uq_observations_current_unit_date", ["unit_code", "date"],
                              unique=True, sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    with op.batch_alter_table("observations") as batch_op:
        batch_op.drop_index("uq_observations_current_unit_date")
