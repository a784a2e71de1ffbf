"""the audit refuses REPLACE and an insert with an existing id

SQLite's ``INSERT OR REPLACE`` deletes the row it replaces without firing the DELETE
trigger of 0004 (unless ``recursive_triggers`` is on), so an entry could be rewritten.
A BEFORE INSERT trigger refuses any insert whose id is already taken, before the
conflict is resolved: REPLACE and an upsert (``ON CONFLICT DO UPDATE``, which the
UPDATE trigger refuses too) never reach the row.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

GUARD = {
    "sqlite": [
        "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
        "WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_no_reused_id() RETURNS trigger AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) THEN "
        "RAISE EXCEPTION 'the audit trail is append-only'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
        "FOR EACH ROW EXECUTE FUNCTION audit_no_reused_id()",
    ],
}


def upgrade() -> None:
    for statement in GUARD.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_no_replace")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_no_replace ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_no_reused_id()")
