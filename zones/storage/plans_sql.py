"""The statements of plans and their measures (issue 22): plans are inserted and
revoked (their row stays), measures inserted and marked done."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import plan_measures, plans

PLAN_DATES = ("date_from", "date_by")


def insert_plan(conn: Connection, **values) -> int:
    """Store one plan; its id."""
    return int(conn.execute(sa.insert(plans).values(**values)).inserted_primary_key[0])


def insert_measure(conn: Connection, **values) -> int:
    """Store one measure of a plan; its id."""
    return int(conn.execute(sa.insert(plan_measures).values(**values))
               .inserted_primary_key[0])


def plan(conn: Connection, plan_id: int) -> dict | None:
    """One plan as stored (a dict), or None."""
    row = conn.execute(sa.select(plans).where(plans.c.id == plan_id)).mappings().first()
    return dict(row) if row is not None else None


def measure(conn: Connection, measure_id: int) -> dict | None:
    """One measure with its plan's unit (a dict), or None."""
    row = conn.execute(sa.select(plan_measures, plans.c.unit_code, plans.c.revoked_at
                                 .label("plan_revoked_at"))
                       .join(plans, plans.c.id == plan_measures.c.plan_id)
                       .where(plan_measures.c.id == measure_id)).mappings().first()
    return dict(row) if row is not None else None


def revoke_plan(conn: Connection, plan_id: int, by: str, at: datetime) -> None:
    conn.execute(sa.update(plans).where(plans.c.id == plan_id)
                 .values(revoked_at=at, revoked_by=by))


def mark_done(conn: Connection, measure_id: int, day: date, by: str, at: datetime) -> None:
    conn.execute(sa.update(plan_measures).where(plan_measures.c.id == measure_id)
                 .values(done_on=day, done_by=by, done_at=at))


def load_plans(engine: Engine) -> pd.DataFrame:
    """Every plan, by id (dates as datetime64)."""
    with engine.connect() as conn:
        df = pd.read_sql(sa.select(plans).order_by(plans.c.id), conn)
    for c in PLAN_DATES:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def load_measures(engine: Engine) -> pd.DataFrame:
    """Every measure, by plan then id."""
    with engine.connect() as conn:
        df = pd.read_sql(sa.select(plan_measures).order_by(plan_measures.c.plan_id,
                                                           plan_measures.c.id), conn)
    df["done_on"] = pd.to_datetime(df["done_on"]).astype("datetime64[ns]")
    return df
