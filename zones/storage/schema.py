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
    Float,
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

# Alerts (issue 24): who is told about what, what was last alerted, and the outbox.
# A subscription: a user is told about a subtree (``unit_code``) for some kinds, by e-mail
# (``email``, optional) and in the app; ended subscriptions stay (who ended them, when).
alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_name", String(100), nullable=False, index=True),
    Column("unit_code", String(64), nullable=False),
    Column("email", String(320), nullable=True),
    Column("kinds", String(200), nullable=False),  # comma-separated kind names
    Column("lang", String(2), nullable=False, default="vi"),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("ended_at", DateTime, nullable=True),
    Column("ended_by", String(100), nullable=True),
    sqlite_autoincrement=True,  # ids never reused
)

# What the last run saw, per kind and unit (the base the next run compares with).
alert_state = Table(
    "alert_state",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("level", SmallInteger, nullable=False),
    Column("ref", String(64), nullable=False, default=""),  # e.g. a declaration's id
    Column("since", Date, nullable=True),
    Column("day", Date, nullable=False),  # the day of the run that saw it
)

alert_runs = Table(
    "alert_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("changes", Integer, nullable=False, default=0),
    Column("messages", Integer, nullable=False, default=0),
    sqlite_autoincrement=True,
)

# One digest per recipient and run: pending -> sending -> sent | failed (e-mail), or
# "app" when the recipient has no address (the feed only).
alert_messages = Table(
    "alert_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("alert_runs.id"), nullable=False),
    Column("user_name", String(100), nullable=False, index=True),
    Column("email", Text, nullable=True),
    Column("lang", String(2), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_alert_messages_status", alert_messages.c.status)

# One change told to one recipient: each (recipient, unit, kind, level, effective day,
# event) at most once, whatever runs, crashes and restarts happen.
alert_items = Table(
    "alert_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", Integer, ForeignKey("alert_messages.id"), nullable=False,
           index=True),
    Column("alert_code", String(16), nullable=False, unique=True),  # shown in mail and feed
    Column("user_name", String(100), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("event", String(16), nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("from_level", SmallInteger, nullable=True),
    Column("effective_day", Date, nullable=False),
    Column("day", Date, nullable=False),  # the run's day (the view the link opens)
    Column("reason", Text, nullable=False, default=""),
    Column("decision", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("read_at", DateTime, nullable=True),
    UniqueConstraint("user_name", "unit_code", "kind", "level", "effective_day", "event",
                     name="uq_alert_items_once"),
    sqlite_autoincrement=True,
)
Index("ix_alert_items_user", alert_items.c.user_name, alert_items.c.read_at)
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

# Plans (issue 22): one row per target of a unit's plan, set by a leader's decision;
# a revoked plan stays listed (who, when) and counts nowhere; ids never reused.
plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # reach, share, protect
    Column("level", SmallInteger, nullable=False),  # at most this level (1-4)
    Column("share", Float, nullable=True),  # share: at least this share (0-1)
    Column("date_from", Date, nullable=False),  # D1
    Column("date_by", Date, nullable=False),  # D2
    Column("hold", Integer, nullable=True),  # reach: days held up to D2
    Column("decision", String(100), nullable=False),
    Column("note", Text, nullable=True),
    Column("entered_by", String(200), nullable=False),
    Column("entered_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_by", String(200), nullable=True),
    sqlite_autoincrement=True,  # ids never reused (PostgreSQL: its sequence)
)

# The measures a plan lists (free text), marked done with a date by the unit's officials.
plan_measures = Table(
    "plan_measures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False, index=True),
    Column("text", String(500), nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("done_on", Date, nullable=True),  # the day it was done
    Column("done_by", String(200), nullable=True),
    Column("done_at", DateTime, nullable=True),  # when it was marked
    sqlite_autoincrement=True,
)

# Sites (issue 25): facilities with their self-assessed safety score, quarantine sites
# (capacity, occupied), lockdown areas (a point, or a polygon in ``geometry``, WKB).
# Each (kind, site_id) has one current row (``superseded_at`` NULL); a re-import marks
# the old one superseded, which stays as the history.
sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # facility, quarantine, lockdown
    Column("name", String(200), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("lat", Float, nullable=False),  # a polygon's representative point
    Column("lon", Float, nullable=False),
    Column("geometry", LargeBinary, nullable=True),  # WKB polygon of a lockdown area
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("sector", String(100), nullable=True),
    Column("score", Float, nullable=True),  # 0-100 (%), facilities
    Column("capacity", Integer, nullable=True),  # quarantine sites
    Column("occupied", Integer, nullable=True),
    Column("sent_by", String(200), nullable=False),
    Column("source", String(500), nullable=False),  # the file (or "form", "demo")
    Column("source_row", Integer, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("superseded_at", DateTime, nullable=True),
)
Index("ix_sites_unit", sites.c.unit_code)
Index("ix_sites_kind_site", sites.c.kind, sites.c.site_id)
Index("uq_sites_current", sites.c.kind, sites.c.site_id, unique=True,
      sqlite_where=sites.c.superseded_at.is_(None),
      postgresql_where=sites.c.superseded_at.is_(None))

# Facility scoring schemes provinces add (every version; the shipped default is a file).
site_schemes = Table(
    "site_schemes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scheme_id", String(64), nullable=False, index=True),
    Column("version", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime, nullable=False),
)
