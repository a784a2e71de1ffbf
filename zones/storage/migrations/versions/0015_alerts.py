"""alerts: subscriptions, the state last alerted, runs, the outbox

Who is told about what (``alert_subscriptions``), what the last run saw per kind and unit
(``alert_state``), the runs, and the outbox: one digest per recipient and run
(``alert_messages``) and one row per change told to a recipient (``alert_items``, each
(recipient, unit, kind, level, effective day, event) once).

Revision ID: 0015
Revises: 0017 (0013 in the brief: re-chained after main's 0017)
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_name', sa.String(length=100), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('kinds', sa.String(length=200), nullable=False),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_alert_subscriptions_user_name', 'alert_subscriptions', ['user_name'])
    op.create_table(
        'alert_state',
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('since', sa.Date(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'unit_code'),
    )
    op.create_table(
        'alert_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'alert_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('user_name', sa.String(length=100), nullable=False),
        sa.Column('email', sa.Text(), nullable=True),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['alert_runs.id']),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_alert_messages_user_name', 'alert_messages', ['user_name'])
    op.create_index('ix_alert_messages_status', 'alert_messages', ['status'])
    op.create_table(
        'alert_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('alert_code', sa.String(length=16), nullable=False),
        sa.Column('user_name', sa.String(length=100), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('event', sa.String(length=16), nullable=False),
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('from_level', sa.SmallInteger(), nullable=True),
        sa.Column('effective_day', sa.Date(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['alert_messages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_code'),
        sa.UniqueConstraint('user_name', 'unit_code', 'kind', 'level', 'effective_day',
                            'event', name='uq_alert_items_once'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_alert_items_message_id', 'alert_items', ['message_id'])
    op.create_index('ix_alert_items_user', 'alert_items', ['user_name', 'read_at'])


def downgrade() -> None:
    op.drop_table('alert_items')
    op.drop_table('alert_messages')
    op.drop_table('alert_runs')
    op.drop_table('alert_state')
    op.drop_table('alert_subscriptions')
