"""Declared levels: the authority declares, the engine computes (rulesets.md §5).

A declaration records the unit, the level, the effective date and optional end date, the
decision number (e.g. "2875/QĐ-UBND"), who entered it and when. The effective level on a
date is the declared one where a declaration covers that date, else the computed one.
NQ 128 asks that a raise be announced at least 48 hours before it takes effect: a
declaration that raises the level with less notice is stored with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from zones import store
from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.mapdata import Table
from zones.schema import declarations

NOTICE = timedelta(hours=48)


@dataclass
class Declared:
    """The outcome of adding a declaration: its id and any warnings."""

    id: int
    warnings: list[str] = field(default_factory=list)


def _check(units: pd.DataFrame, unit_code: str, level: int, start: date, end: date | None,
           decision: str) -> list[str]:
    problems = []
    if unit_code not in units.index:
        problems.append(t("decl.unknown_unit", value=unit_code))
    if level not in (1, 2, 3, 4):
        problems.append(t("decl.bad_level", value=level))
    if end is not None and end < start:
        problems.append(t("decl.bad_range", start=fmt_date(start), end=fmt_date(end)))
    if not decision.strip():
        problems.append(t("decl.no_decision"))
    return problems


def add(engine: Engine, *, unit_code: str, level: int, effective_from: date,
        effective_to: date | None = None, decision_number: str, entered_by: str = "",
        note: str | None = None, now: datetime | None = None,
        computed: Table | None = None) -> Declared:
    """Validate and store a declaration; refuse with every problem listed at once."""
    units = store.load_units(engine)
    problems = _check(units, unit_code, level, effective_from, effective_to, decision_number)
    if problems:
        raise ZonesError("\n".join(problems))
    stamp = now or store.now()
    previous = _level_before(engine, unit_code, effective_from, computed)
    warnings = []
    start_at = datetime.combine(effective_from, datetime.min.time())
    if previous is not None and level > previous and start_at - stamp < NOTICE:
        warnings.append(t("decl.short_notice", hours=max(0, int((start_at - stamp)
                                                                  .total_seconds() // 3600))))
    with engine.begin() as conn:
        new_id = conn.execute(sa.insert(declarations).values(
            unit_code=unit_code, level=level, effective_from=effective_from,
            effective_to=effective_to, decision_number=decision_number.strip(),
            entered_by=entered_by, entered_at=stamp, note=note)).inserted_primary_key[0]
        store.bump_version(conn)
    return Declared(int(new_id), warnings)


def _level_before(engine: Engine, code: str, day: date, computed: Table | None) -> int | None:
    """The effective level the day before ``day`` (declared, else computed)."""
    if computed is None:
        from zones.mapdata import level_table

        computed = level_table(engine)
    eff = effective(computed, store.load_declarations(engine))
    prev = pd.Timestamp(day) - pd.Timedelta(days=1)
    if code not in eff.codes or prev not in eff.dates:
        return None
    value = int(eff.row(prev, [code])[0])
    return value or None


def effective(computed: Table, decl: pd.DataFrame) -> Table:
    """The computed table with declared levels laid over the dates they cover."""
    values = computed.values.copy()
    for row in decl.sort_values("entered_at").itertuples():
        j = computed.codes.get_indexer([row.unit_code])[0]
        if j < 0:
            continue
        start = pd.Timestamp(row.effective_from)
        end = pd.Timestamp(row.effective_to) if pd.notna(row.effective_to) else None
        rows = (computed.dates >= start) & (True if end is None else computed.dates <= end)
        values[np.asarray(rows), j] = row.level
    return Table(computed.dates, computed.codes, values, computed.rulesets)


def covering(decl: pd.DataFrame, day) -> pd.DataFrame:
    """The declaration in force on ``day`` for each unit (the latest entered wins)."""
    d = pd.Timestamp(day)
    on = decl[(decl["effective_from"] <= d) &
              (decl["effective_to"].isna() | (decl["effective_to"] >= d))]
    return on.sort_values("entered_at").drop_duplicates("unit_code", keep="last").set_index(
        "unit_code")


def remove(engine: Engine, declaration_id: int) -> None:
    """Delete a declaration entered by mistake."""
    with engine.begin() as conn:
        conn.execute(sa.delete(declarations).where(declarations.c.id == declaration_id))
        store.bump_version(conn)
