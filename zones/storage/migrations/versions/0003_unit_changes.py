"""unit changes: the history of units changed inside a boundary set

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'unit_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('boundary_set_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('new_value', sa.Text(), nullable=True),
        sa.Column('old_geometry', sa.LargeBinary(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['boundary_set_id'], ['boundary_sets.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('unit_changes', schema=None) as batch_op:
        batch_op.create_index('ix_unit_changes_set_code', ['boundary_set_id', 'code'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unit_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_changes_set_code')
    op.drop_table('unit_changes')
