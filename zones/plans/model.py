"""Plans as data: a target of a unit's plan, checked, stored, revoked; its measures.

A plan holds one target of one of three kinds (architecture.md, milestone 3):

- ``reach``: the unit's level in force is at most N on D2 and has been for the last
  ``hold`` days up to D2;
- ``share``: at least P (0–1) of the unit's communes are at most N on D2;
- ``protect``: every commune of the unit at most N on D1 stays at most N every day from
  D1 to D2.

It carries the decision that set it, who entered it and when, a note; a revoked plan
stays listed (who, when) and counts nowhere; ids are never reused. Its measures are free
text that the unit's officials mark done with a date. Every problem of an input is
listed at once, each naming the field, the value and the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from rules.strict_yaml import read_yaml
from zones.i18n import Msg, fmt_date, msg
from zones.levels.tables import ancestors
from zones.storage import plans_sql, store

KINDS = ("reach", "share", "protect")
CONFIG = Path(__file__).with_name("plans.yaml")


@lru_cache(maxsize=1)
def config() -> dict:
    """The numbers of ``plans.yaml`` (read strictly; a shipped file, so a mistake in it
    is the developer's and stops at once)."""
    data = read_yaml(CONFIG.read_text(encoding="utf-8"), str(CONFIG))
    callouts = data.get("streak_callouts")
    if not (isinstance(callouts, list) and all(isinstance(v, int) and v > 0 for v in callouts)):
        raise ValueError(f"{CONFIG}: streak_callouts must be a list of whole days")
    return data


@dataclass(frozen=True)
class Proposal:
    """A checked plan, not stored yet: what the confirmation step repeats."""

    unit_code: str
    unit_name: str
    unit_level: str
    parents: tuple[str, ...]
    kind: str
    level: int
    share: float | None
    date_from: date
    date_by: date
    hold: int | None
    decision: str
    note: str | None
    measures: tuple[str, ...] = field(default_factory=tuple)


def _whole(value) -> int | str | None:
    """A whole number from an int or its text; the text itself when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 10 else text


def _fraction(value) -> float | str | None:
    """A number from a float or its text (a comma as decimal mark too); the text when
    it is not a finite number."""
    if value is None or value == "":
        return None
    try:
        x = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return str(value)
    return x if math.isfinite(x) else str(value)


def communes_of(units: pd.DataFrame, code: str) -> pd.Index:
    """The communes of ``code``'s subtree (itself when it is one)."""
    communes = units[units["level"] == "commune"]
    if code not in units.index:
        return pd.Index([])
    if units.at[code, "level"] == "commune":
        return pd.Index([code])
    anc = communes["parent_code"].to_numpy(dtype=object)
    keep = anc == code
    parents = units["parent_code"]
    for _ in range(3):
        anc = parents.reindex(anc).to_numpy(dtype=object)
        keep |= anc == code
    return pd.Index(communes.index[keep])


def problems(units: pd.DataFrame, unit_code, kind, level, share, date_from, date_by, hold,
             decision, note=None, measures=()) -> list[Msg]:
    """Everything wrong with a plan, at once (messages as values)."""
    cfg, out = config(), []
    if not unit_code:
        out.append(msg("plan.no_unit"))
    elif unit_code not in units.index:
        out.append(msg("plan.unknown_unit", value=unit_code))
    if kind not in KINDS:
        out.append(msg("plan.bad_kind", value=kind or "", choices=", ".join(KINDS)))
    lv = _whole(level)
    if lv is None:
        out.append(msg("plan.no_level"))
    elif lv not in (1, 2, 3, 4):
        out.append(msg("plan.bad_level", value=lv))
    p = _fraction(share)
    if kind == "share":
        if p is None:
            out.append(msg("plan.no_share"))
        elif isinstance(p, str) or not 0 <= p <= 1:
            out.append(msg("plan.bad_share", value=p))
    elif p is not None and kind in KINDS:
        out.append(msg("plan.share_not_used", value=share, kind=kind or ""))
    out += _date_problems(date_from, date_by, cfg)
    h = _whole(hold)
    if h is not None:
        if kind != "reach" and kind in KINDS:
            out.append(msg("plan.hold_not_used", value=hold, kind=kind or ""))
        elif kind == "reach" and (isinstance(h, str) or not 1 <= h <= cfg["max_hold_days"]):
            out.append(msg("plan.bad_hold", value=h, limit=cfg["max_hold_days"]))
    if kind in ("share", "protect") and unit_code in units.index \
            and len(communes_of(units, unit_code)) == 0:
        out.append(msg("plan.no_communes", value=unit_code, kind=kind))
    out += _text_problems(decision, note, measures, cfg)
    return out


def _date_problems(date_from, date_by, cfg) -> list[str]:
    out = []
    if date_from is None:
        out.append(msg("plan.no_from"))
    if date_by is None:
        out.append(msg("plan.no_by"))
    if date_from is not None and date_by is not None:
        if date_by < date_from:
            out.append(msg("plan.bad_range", start=fmt_date(date_from), end=fmt_date(date_by)))
        elif (date_by - date_from).days > cfg["max_plan_days"]:
            out.append(msg("plan.too_long_range", start=fmt_date(date_from),
                         end=fmt_date(date_by), limit=cfg["max_plan_days"]))
    return out


def _text_problems(decision, note, measures, cfg) -> list[str]:
    out = []
    if not (decision or "").strip():
        out.append(msg("plan.no_decision"))
    elif len(decision.strip()) > cfg["max_decision_chars"]:
        out.append(msg("plan.too_long", field=msg("plan.f.decision"), n=len(decision.strip()),
                     limit=cfg["max_decision_chars"]))
    if note and len(note) > cfg["max_note_chars"]:
        out.append(msg("plan.too_long", field=msg("plan.f.note"), n=len(note),
                     limit=cfg["max_note_chars"]))
    texts = [m.strip() for m in measures or () if m and m.strip()]
    if len(texts) > cfg["max_measures"]:
        out.append(msg("plan.too_many_measures", n=len(texts), limit=cfg["max_measures"]))
    for i, text in enumerate(texts, 1):
        if len(text) > cfg["max_measure_chars"]:
            out.append(msg("plan.too_long", field=msg("plan.f.measure", n=i), n=len(text),
                         limit=cfg["max_measure_chars"]))
    return out


def proposal(units: pd.DataFrame, unit_code: str, kind: str, level, share, date_from: date,
             date_by: date, hold, decision: str, note: str | None,
             measures=()) -> Proposal:
    """A plan already checked by ``problems``, in its stored form (the reach default
    hold filled in)."""
    h = _whole(hold)
    return Proposal(
        unit_code=unit_code, unit_name=str(units.at[unit_code, "name"]),
        unit_level=str(units.at[unit_code, "level"]),
        parents=tuple(str(units.at[c, "name"]) for c in ancestors(units, unit_code)[-2::-1]),
        kind=kind, level=int(_whole(level)),
        share=float(_fraction(share)) if kind == "share" else None,
        date_from=date_from, date_by=date_by,
        hold=(h if h is not None else config()["default_hold_days"]) if kind == "reach"
        else None, decision=decision.strip(), note=(note or "").strip() or None,
        measures=tuple(m.strip() for m in measures or () if m and m.strip()))


def insert(engine: Engine, got: Proposal, entered_by: str, stamp: datetime) -> int:
    """Store a checked plan and its measures in one transaction; its id."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        plan_id = plans_sql.insert_plan(
            conn, unit_code=got.unit_code, kind=got.kind, level=got.level, share=got.share,
            date_from=got.date_from, date_by=got.date_by, hold=got.hold,
            decision=got.decision, note=got.note, entered_by=entered_by, entered_at=stamp)
        for text in got.measures:
            plans_sql.insert_measure(conn, plan_id=plan_id, text=text, added_by=entered_by,
                                     added_at=stamp)
    return plan_id


def unit_of(engine: Engine, plan_id: int) -> str | None:
    """The unit of plan ``plan_id`` as stored now (None: no such id), read from the
    database (the right to revoke is judged on it)."""
    with engine.connect() as conn:
        row = plans_sql.plan(conn, plan_id)
    return None if row is None else str(row["unit_code"])


def revoke(engine: Engine, plan_id: int, by: str, stamp: datetime) -> dict | None:
    """Mark a plan revoked (its row stays); the row as it was, None for no such id; a
    plan revoked already is left as it is."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        row = plans_sql.plan(conn, plan_id)
        if row is None or row["revoked_at"] is not None:
            return row
        plans_sql.revoke_plan(conn, plan_id, by, stamp)
    return row


def measure_unit(engine: Engine, measure_id: int) -> str | None:
    """The unit of the plan of measure ``measure_id`` (None: no such measure)."""
    with engine.connect() as conn:
        row = plans_sql.measure(conn, measure_id)
    return None if row is None else str(row["unit_code"])


def mark_done(engine: Engine, measure_id: int, day: date, by: str, stamp: datetime
              ) -> dict | None:
    """Mark a measure done on ``day``; the row as it was (None: no such measure). One
    done already, or of a revoked plan, is left as it is (the caller says why)."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        row = plans_sql.measure(conn, measure_id)
        if row is None or row["done_on"] is not None or row["plan_revoked_at"] is not None:
            return row
        plans_sql.mark_done(conn, measure_id, day, by, stamp)
    return row

