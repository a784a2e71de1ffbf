"""sign-in throttling (per account and per client address)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the change that needs it


def downgrade() -> None:
    pass
