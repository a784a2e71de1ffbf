"""Declared levels: the authority declares, the engine computes (rulesets.md §5).

A declaration records the unit, the level, the effective date and optional end date, the
decision number (e.g. "2875/QĐ-UBND"), who entered it and when. The level in force on a
date is the declared one where a declaration covers that date, else the computed one.
NQ 128 asks that a raise be announced at least 48 hours before it takes effect: a
declaration that raises the level with less notice is stored with a warning.

A decision is one-shot: the page repeats what it will store (``Proposal``: the unit with
its district and province, the level, the dates, the decision) and stores it only once
that is confirmed. A revoked declaration keeps its row, marked with who revoked it and
when, and applies nowhere (``active``); ids are never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from zones.i18n import Msg, fmt_date, msg, t
from zones.levels.tables import Table, ancestors
from zones.storage import store

NOTICE = timedelta(hours=48)


@dataclass(frozen=True)
class Proposal:
    """A checked declaration, not stored yet: what the confirmation step repeats."""

    unit_code: str
    unit_name: str
    unit_level: str            # "commune", "district", …
    parents: tuple[str, ...]   # the names above it, nearest first (district, province)
    level: int
    effective_from: date
    effective_to: date | None
    decision_number: str
    signed_by: str | None
    note: str | None
    warnings: tuple[str, ...] = ()


@dataclass
class Declared:
    """The outcome of adding a declaration: its id and any warnings."""

    id: int
    warnings: list[str] = field(default_factory=list)


#: the longest decision number and signer the store keeps (its columns' sizes)
MAX_DECISION, MAX_SIGNER = 100, 200


def problems(units: pd.DataFrame, unit_code: str | None, level: int | None, start: date | None,
             end: date | None, decision: str, signed_by: str | None = None) -> list[Msg]:
    """Everything wrong with a declaration, at once (messages as values)."""
    out = []
    for label, value, limit in (("decl.decision", decision, MAX_DECISION),
                                ("decl.signed_by", signed_by, MAX_SIGNER)):
        if value and len(value.strip()) > limit:
            out.append(msg("decl.too_long", field=msg(label), n=len(value.strip()), limit=limit))
    if not unit_code:
        out.append(msg("decl.no_unit"))
    elif unit_code not in units.index:
        out.append(msg("decl.unknown_unit", value=unit_code))
    if level is None:
        out.append(msg("decl.no_level"))
    elif level not in (1, 2, 3, 4):
        out.append(msg("decl.bad_level", value=level))
    if start is None:
        out.append(msg("decl.no_start"))
    elif end is not None and end < start:
        out.append(msg("decl.bad_range", start=fmt_date(start), end=fmt_date(end)))
    if not (decision or "").strip():
        out.append(msg("decl.no_decision"))
    return out


def parents(units: pd.DataFrame, code: str) -> tuple[str, ...]:
    """The names of the units above ``code``, nearest first."""
    return tuple(str(units.at[c, "name"]) for c in ancestors(units, code)[-2::-1])


def notice_warnings(level: int, previous: int | None, effective_from: date,
                    stamp: datetime, lang: str) -> list[str]:
    """The NQ 128 warning (in ``lang``) when a raise takes effect less than 48 hours
    after it is entered."""
    start_at = datetime.combine(effective_from, datetime.min.time())
    if previous is not None and level > previous and start_at - stamp < NOTICE:
        hours = max(0, int((start_at - stamp).total_seconds() // 3600))
        return [t("decl.short_notice", lang, hours=hours)]
    return []


def insert(engine: Engine, *, unit_code: str, level: int, effective_from: date,
           effective_to: date | None, decision_number: str, entered_by: str,
           note: str | None, stamp: datetime, signed_by: str | None = None) -> int:
    """Store a checked declaration; its id."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        return store.insert_declaration(
            conn, unit_code=unit_code, level=level, effective_from=effective_from,
            effective_to=effective_to, decision_number=decision_number.strip(),
            entered_by=entered_by, entered_at=stamp, note=note,
            signed_by=(signed_by or "").strip() or None)


def level_before(levels_in_force: Table, code: str, day: date) -> int | None:
    """The level in force the day before ``day`` (None when unknown)."""
    prev = pd.Timestamp(day) - pd.Timedelta(days=1)
    if code not in levels_in_force.codes or prev not in levels_in_force.dates:
        return None
    return int(levels_in_force.row(prev, [code])[0]) or None


def active(decl: pd.DataFrame) -> pd.DataFrame:
    """The declarations not revoked: the only ones any level in force uses."""
    if "revoked_at" not in decl.columns:
        return decl
    return decl[decl["revoked_at"].isna()]


def effective(computed: Table, decl: pd.DataFrame) -> Table:
    """The computed table with declared levels (not revoked) laid over the dates they
    cover."""
    values = computed.values.copy()
    for row in active(decl).sort_values("entered_at").itertuples():
        j = computed.codes.get_indexer([row.unit_code])[0]
        if j < 0:
            continue
        start = pd.Timestamp(row.effective_from)
        end = pd.Timestamp(row.effective_to) if pd.notna(row.effective_to) else None
        rows = (computed.dates >= start) & (True if end is None else computed.dates <= end)
        values[np.asarray(rows), j] = row.level
    return Table(computed.dates, computed.codes, values, computed.rulesets)


def covering(decl: pd.DataFrame, day) -> pd.DataFrame:
    """The declaration in force on ``day`` for each unit (the latest entered wins;
    revoked ones never)."""
    d = pd.Timestamp(day)
    decl = active(decl)
    on = decl[(decl["effective_from"] <= d) &
              (decl["effective_to"].isna() | (decl["effective_to"] >= d))]
    return on.sort_values("entered_at").drop_duplicates("unit_code", keep="last").set_index(
        "unit_code")


def unit_of(engine: Engine, declaration_id: int) -> str | None:
    """The unit of declaration ``declaration_id`` as stored now (None: no such id); read
    from the database, not from a view cached by data version, since the right to revoke
    is judged on it."""
    with engine.connect() as conn:
        row = store.declaration(conn, declaration_id)
    return None if row is None else str(row["unit_code"])


def revoke(engine: Engine, declaration_id: int, by: str, stamp: datetime) -> dict | None:
    """Mark a declaration revoked by ``by`` at ``stamp`` (its row stays); the row as it
    was before, or None when there is no such id. A declaration revoked already is
    left as it is: its row is returned with its ``revoked_at`` set."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        row = store.declaration(conn, declaration_id)
        if row is None or row["revoked_at"] is not None:
            return row
        store.revoke_declaration(conn, declaration_id, by, stamp)
    return row


def listing(engine: Engine) -> pd.DataFrame:
    """All declarations, in the order they take effect."""
    return store.load_declarations(engine)
