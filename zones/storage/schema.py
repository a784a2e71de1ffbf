"""Database tables (SQLAlchemy Core).

The schema is versioned with Alembic (``zones/migrations``); never change a table here
without adding a migration. Codes are strings (leading zeros kept); dates are dates.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

import contract

# Observation metric columns and unit fields of the data contract (architecture.md §4-5).
METRICS: tuple[str, ...] = contract.METRIC_NAMES
UNIT_LEVELS: tuple[str, ...] = contract.UNIT_LEVELS
POPULATION_FIELDS: tuple[str, ...] = contract.POPULATION_FIELDS

metadata = MetaData()

boundary_sets = Table(
    "boundary_sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("structure", String(8), nullable=False),  # "2021" (with districts) or "2025"
    Column("source", Text, nullable=False, default=""),
    Column("licence", Text, nullable=False, default=""),
    Column("checksum", String(64), nullable=True),
    Column("approximate", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("note", Text, nullable=True),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("boundary_set_id", Integer, ForeignKey("boundary_sets.id", ondelete="CASCADE"),
           nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("population", Integer, nullable=True),
    Column("pop_18plus", Integer, nullable=True),
    Column("pop_50plus", Integer, nullable=True),
    Column("pop_65plus", Integer, nullable=True),
    Column("approximate", Boolean, nullable=False, default=False),
    Column("geometry", LargeBinary, nullable=True),  # WKB, EPSG:4326
    UniqueConstraint("boundary_set_id", "code", name="uq_units_set_code"),
)
Index("ix_units_set_level", units.c.boundary_set_id, units.c.level)

# Append-only history of changes made to units of an existing boundary set (attribute
# tables, re-imported hamlets): nothing a later import overwrites is lost. A new boundary
# set leaves the old one as it was, so its history is the set itself.
unit_changes = Table(
    "unit_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("boundary_set_id", Integer, ForeignKey("boundary_sets.id", ondelete="CASCADE"),
           nullable=False),
    Column("code", String(64), nullable=False),
    Column("field", String(32), nullable=False),  # a unit column, or "unit" (added)
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("old_geometry", LargeBinary, nullable=True),  # WKB of a replaced shape
    Column("changed_at", DateTime, nullable=False),
    Column("source", Text, nullable=False, default=""),  # the file that changed it
)
Index("ix_unit_changes_set_code", unit_changes.c.boundary_set_id, unit_changes.c.code)

adjacency = Table(
    "adjacency",
    metadata,
    Column("boundary_set_id", Integer, ForeignKey("boundary_sets.id", ondelete="CASCADE"),
           primary_key=True),
    Column("code_a", String(64), primary_key=True),
    Column("code_b", String(64), primary_key=True),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),  # "observations", "units", "demo"
    Column("filename", String(500), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=True),  # the raw file, archived
    Column("uploaded_by", String(200), nullable=False, default=""),
    Column("uploaded_at", DateTime, nullable=False),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_stored", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("status", String(32), nullable=False, default="stored"),
    Column("report", Text, nullable=True),  # JSON: the per-row problems
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(64), nullable=False),
    Column("date", Date, nullable=False),
    Column("upload_id", Integer, ForeignKey("uploads.id"), nullable=True),
    Column("source_row", Integer, nullable=True),  # row number in the uploaded file
    Column("sent_by", String(200), nullable=False, default=""),
    Column("recorded_at", DateTime, nullable=False),
    # NULL while this row holds the current values of (unit_code, date); set when a later
    # upload supersedes it. The superseded rows are the history.
    Column("superseded_at", DateTime, nullable=True),
    Column("superseded_by", Integer, nullable=True),
    *(Column(m, Integer, nullable=True) for m in METRICS),
)
Index("ix_observations_unit_date", observations.c.unit_code, observations.c.date)
Index("ix_observations_current", observations.c.superseded_at, observations.c.date)
# At most one current row per (unit, date): two uploads racing cannot both win.
Index("uq_observations_current_unit_date", observations.c.unit_code, observations.c.date,
      unique=True, sqlite_where=observations.c.superseded_at.is_(None),
      postgresql_where=observations.c.superseded_at.is_(None))

assessments = Table(
    "assessments",
    metadata,
    Column("unit_code", String(64), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("level", SmallInteger, nullable=True),  # 1-4; NULL = not enough data
    Column("ruleset_id", String(64), nullable=False),
    Column("ruleset_version", String(64), nullable=False),
    Column("computed_at", DateTime, nullable=False),
)
Index("ix_assessments_date", assessments.c.date)

declarations = Table(
    "declarations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("level", SmallInteger, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("decision_number", String(100), nullable=False),
    Column("entered_by", String(200), nullable=False, default=""),
    Column("entered_at", DateTime, nullable=False),
    Column("note", Text, nullable=True),
    Column("signed_by", String(200), nullable=True),  # who signed the decision
    # a revoked declaration stays listed (who revoked it, when) and applies nowhere
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_by", String(200), nullable=True),
    sqlite_autoincrement=True,  # ids never reused (PostgreSQL: its sequence)
)

# The snapshot of the current assessment run (an .npz of levels, rates and last reports):
# one row, replaced with every run, so every replica reads the same one.
snapshots = Table(
    "snapshots",
    metadata,
    Column("run", String(64), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Custom rule sets kept in the database: every version added, the newest per id in force.
stored_rulesets = Table(
    "stored_rulesets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ruleset_id", String(64), nullable=False, index=True),
    Column("version", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime, nullable=False),
)

# Accounts: a password is stored only as its argon2 hash.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit_code", String(64), nullable=True),  # root of the subtree they act in
    Column("disabled", Boolean, nullable=False, default=False),
    Column("no_export", Boolean, nullable=False, default=False),
    # wrong passwords of every address since the last sign-in, and the account's lock
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    # when the password was last set (a session begun before it has ended)
    Column("password_changed_at", DateTime, nullable=True),
)

# Sign-in throttling per account and client address: guesses are counted here before
# the password is checked; an address over the limit waits, longer after each lock.
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("user_name", String(100), primary_key=True),
    Column("address", String(64), primary_key=True),  # "" when not known
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", DateTime, nullable=True),
    Column("lockouts", Integer, nullable=False, default=0),  # locks so far: the next is longer
    Column("last_at", DateTime, nullable=False),
)

# The audit trail: append-only (no code path updates or deletes a row; the database
# refuses it too, with triggers created by the migration).
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("role", String(16), nullable=False, default=""),
    Column("via", String(16), nullable=False, default=""),  # page, cli, api
    Column("action", String(40), nullable=False),
    Column("outcome", String(16), nullable=False, default="ok"),  # ok, refused, failed
    Column("unit_code", String(64), nullable=True, index=True),
    Column("upload_id", Integer, nullable=True),
    Column("detail", Text, nullable=True),  # JSON: what changed (old -> new), counts
)

# Approval of a week's figures for a subtree (DHIS2's model, kept simple): events,
# appended; a week is locked for a unit while the latest event of one of its ancestors
# (or itself) for that week is an approval.
approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(64), nullable=False),  # root of the approved subtree
    Column("week", Date, nullable=False),  # its Monday
    Column("action", String(16), nullable=False),  # approve, unlock
    Column("by", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("note", Text, nullable=True),
)
Index("ix_approvals_unit_week", approvals.c.unit_code, approvals.c.week)

# Signed-in browsers: a one-time ticket (from the sign-in form to the cookie route),
# then the session token of the HttpOnly cookie. Only SHA-256 hashes are stored, so a
# copy of the database signs no one in; a session ends on sign-out, on idle expiry,
# after its longest life, and when its account is disabled or its password reset.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_name", String(100), nullable=False),
    Column("via", String(16), nullable=False),
    Column("ticket_hash", String(64), nullable=True),
    Column("bound_to", String(64), nullable=True),  # hash of the browser's XSRF cookie
    Column("token_hash", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ended_at", DateTime, nullable=True),
    UniqueConstraint("ticket_hash", name="uq_sessions_ticket"),
    UniqueConstraint("token_hash", name="uq_sessions_token"),
)
Index("ix_sessions_user", sessions.c.user_name)

meta_kv = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Tokens of other systems reading the HTTP API (/zones-api/v1/…): only the SHA-256 hash
# of a token is kept (it is shown once, when made); each is scoped to a unit's subtree
# (NULL: everywhere), revoked rather than deleted (ids never reused), and counts its
# requests per minute in its own row (one statement: concurrent requests count one by one).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("unit_code", String(64), nullable=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_by", String(100), nullable=True),
    Column("last_used_at", DateTime, nullable=True),
    Column("window_start", DateTime, nullable=True),  # the minute being counted
    Column("window_count", Integer, nullable=False, default=0),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    sqlite_autoincrement=True,
)

# The level names of every rule set known at the last recomputation (written with the
# levels), so SQL readers (the PostGIS views v_levels_in_force, QGIS) name levels as the
# app does without reading YAML.
level_names = Table(
    "level_names",
    metadata,
    Column("ruleset_id", String(64), primary_key=True),
    Column("level", SmallInteger, primary_key=True),  # 0 = not enough data
    Column("lang", String(2), primary_key=True),
    Column("name", String(200), nullable=False),
)
