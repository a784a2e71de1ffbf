"""declarations stay listed when revoked; ids never reused

A revoked declaration keeps its row, with who revoked it and when (``revoked_by``,
``revoked_at``), and applies nowhere. Ids are never handed out twice: on SQLite the table
is rebuilt with AUTOINCREMENT (a plain INTEGER PRIMARY KEY gives the id of a deleted
last row to the next insert); on PostgreSQL the id's sequence never goes back already.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _batch():
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table('declarations', recreate='always' if sqlite else 'auto',
                                table_kwargs={'sqlite_autoincrement': sqlite})


def upgrade() -> None:
    with _batch() as batch:
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('revoked_by', sa.String(length=200), nullable=True))


def downgrade() -> None:
    # before revocations were kept, a revoked declaration was deleted
    op.execute("DELETE FROM declarations WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table('declarations') as batch:
        batch.drop_column('revoked_by')
        batch.drop_column('revoked_at')
