"""The statements of interoperability: API tokens (hashes only), the level names kept for
SQL readers, and the PostGIS views GIS tools open directly.

Views (PostgreSQL only; created by migration 0017 and checked on every open, so a
database whose PostGIS came later gets the geometry column then):

* ``v_units_active``: the units of the active boundary set, with their shape (``geom``
  where PostGIS is installed);
* ``v_levels_by_day``: every assessed day and unit of the active set: the level in force
  (the declaration in force, else the computed level), its name (Vietnamese and
  English), the computed and declared levels, the decision, the rule set;
* ``v_levels_in_force``: the same on the latest assessed day, with the shape: the layer
  QGIS opens.

The level in force is computed in SQL from the stored tables the app writes in one
transaction (``assessments``: the engine's computed level per unit and day;
``declarations``: the declared levels), by the app's own rule
(``zones.levels.declarations.effective``): a declaration not revoked that covers the day
wins over the computed level, the latest entered when several do. Level names come from
``level_names``, written with the levels at each recomputation.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage import postgis
from zones.storage.schema import api_tokens, level_names

# --- tokens ---------------------------------------------------------------------------

_TOKEN = (api_tokens.c.id, api_tokens.c.name, api_tokens.c.unit_code,
          api_tokens.c.created_by, api_tokens.c.created_at, api_tokens.c.revoked_at,
          api_tokens.c.revoked_by, api_tokens.c.last_used_at)


def insert_token(conn: Connection, *, name: str, unit_code: str | None, token_hash: str,
                 created_by: str, now: datetime) -> int:
    """Store a new token's hash; its id."""
    done = conn.execute(sa.insert(api_tokens).values(
        name=name, unit_code=unit_code, token_hash=token_hash, created_by=created_by,
        created_at=now, window_count=0))
    return int(done.inserted_primary_key[0])


def tokens(engine: Engine) -> list[dict]:
    """Every token (never its hash), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*_TOKEN).order_by(api_tokens.c.id)).mappings().all()
    return [dict(r) for r in rows]


def token(conn: Connection, token_id: int) -> dict | None:
    row = conn.execute(sa.select(*_TOKEN).where(api_tokens.c.id == token_id)).mappings().first()
    return dict(row) if row else None


def revoke_token(conn: Connection, token_id: int, by: str, now: datetime) -> bool:
    """Revoke a live token; whether it was live."""
    done = conn.execute(sa.update(api_tokens).where(
        api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)).values(
        revoked_at=now, revoked_by=by))
    return done.rowcount == 1


def count_request(engine: Engine, token_hash: str, minute: datetime, now: datetime
                  ) -> dict | None:
    """Count one request of the live token whose hash is ``token_hash`` in the minute
    ``minute``, in one statement (concurrent requests are counted one by one, on any
    replica); its id, name, unit and the count of this minute so far, or None when no
    live token has that hash (unknown or revoked)."""
    stmt = sa.update(api_tokens).where(
        api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)).values(
        window_count=sa.case((api_tokens.c.window_start == minute,
                              api_tokens.c.window_count + 1), else_=1),
        window_start=minute, last_used_at=now).returning(
        api_tokens.c.id, api_tokens.c.name, api_tokens.c.unit_code, api_tokens.c.window_count)
    with engine.begin() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def token_by_hash(engine: Engine, token_hash: str) -> dict | None:
    """A token (live or revoked) by its hash, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(*_TOKEN).where(
            api_tokens.c.token_hash == token_hash)).mappings().first()
    return dict(row) if row else None


# --- level names ----------------------------------------------------------------------

def replace_level_names(conn: Connection, rows: list[dict]) -> None:
    """The level names of the rule sets known now (``ruleset_id, level, lang, name``)."""
    conn.execute(sa.delete(level_names))
    if rows:
        conn.execute(sa.insert(level_names), rows)


# --- the views ------------------------------------------------------------------------

VIEWS = ("v_levels_in_force", "v_levels_by_day", "v_units_active")

_ACTIVE_SET = ("(SELECT id FROM boundary_sets ORDER BY is_active DESC, id DESC LIMIT 1)")

_UNITS = """
CREATE OR REPLACE VIEW v_units_active AS
SELECT u.id AS fid, u.code AS unit_code, u.name AS unit_name, u.level AS unit_level,
       u.parent_code, u.population, u.approximate, b.name AS boundary_set{geom}
FROM units u JOIN boundary_sets b ON b.id = u.boundary_set_id
WHERE u.boundary_set_id = {active}
"""

_LEVELS = """
CREATE OR REPLACE VIEW {name} AS
SELECT {key}a.date AS date, u.code AS unit_code, u.name AS unit_name,
       u.level AS unit_level, u.parent_code,
       COALESCE(d.level, a.level) AS level,
       nv.name AS level_name, ne.name AS level_name_en,
       a.level AS computed_level, d.level AS declared_level,
       d.decision_number AS decision, d.id AS declaration_id,
       d.effective_from AS declared_from, d.effective_to AS declared_to,
       a.ruleset_id AS ruleset{geom}
FROM assessments a
JOIN units u ON u.code = a.unit_code AND u.boundary_set_id = {active}
LEFT JOIN LATERAL (
    SELECT x.id, x.level, x.decision_number, x.effective_from, x.effective_to
    FROM declarations x
    WHERE x.unit_code = a.unit_code AND x.revoked_at IS NULL
      AND x.effective_from <= a.date AND (x.effective_to IS NULL OR x.effective_to >= a.date)
    ORDER BY x.entered_at DESC, x.id DESC LIMIT 1) d ON true
LEFT JOIN level_names nv ON nv.ruleset_id = a.ruleset_id
     AND nv.level = COALESCE(d.level, a.level, 0) AND nv.lang = 'vi'
LEFT JOIN level_names ne ON ne.ruleset_id = a.ruleset_id
     AND ne.level = COALESCE(d.level, a.level, 0) AND ne.lang = 'en'
{where}
"""


def view_statements(with_geom: bool) -> list[str]:
    """The CREATE OR REPLACE VIEW statements (``geom`` last, so a view made without
    PostGIS can be replaced by one with it)."""
    geom = ", u.geom" if with_geom else ""
    return [
        _UNITS.format(geom=geom, active=_ACTIVE_SET),
        _LEVELS.format(name="v_levels_by_day", key="", geom="", active=_ACTIVE_SET,
                       where=""),
        _LEVELS.format(name="v_levels_in_force", key="u.id AS fid, ", geom=geom,
                       active=_ACTIVE_SET,
                       where="WHERE a.date = (SELECT max(date) FROM assessments)"),
    ]


def _view_columns(bind: Connection, name: str) -> set[str] | None:
    rows = bind.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %(n)s "
        "AND table_schema = current_schema()", {"n": name}).scalars().all()
    return set(rows) or None


def ensure_views(bind: Connection) -> bool:
    """Create (or bring up to date) the views on PostgreSQL; whether any was (re)made.
    Cheap when they are there: one catalogue read."""
    if bind.dialect.name != "postgresql":
        return False
    with_geom = postgis.has_geom(bind)
    current = [_view_columns(bind, name) for name in VIEWS]
    if all(c is not None and ("geom" in c) == with_geom for c in current[::2]) and \
            current[1] is not None:
        return False
    for statement in view_statements(with_geom):
        bind.exec_driver_sql(statement)
    return True


def drop_views(bind: Connection) -> None:
    if bind.dialect.name != "postgresql":
        return
    for name in VIEWS:
        bind.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")


def view_rows(engine: Engine, name: str, order: str = "unit_code") -> list[dict]:
    """The rows of a view (tests and checks; ``name`` one of ``VIEWS``)."""
    if name not in VIEWS:
        raise ValueError(name)
    with engine.connect() as conn:
        return [dict(r) for r in conn.exec_driver_sql(
            f"SELECT * FROM {name} ORDER BY {order}").mappings().all()]


# --- the schema's revision ------------------------------------------------------------

def revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def stored_level_names(engine: Engine) -> list[dict]:
    """The rows of ``level_names``."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(level_names)).mappings().all()]
