"""Assessment runs: stored data -> rule engine -> levels (stored) and reasons (on demand).

The level in force on a date uses the rule set in force on that date (QĐ 2686 until
11/10/2021, QĐ 4800 from 12/10/2021) unless the user picks one. Rule sets are the
shipped ``rules/rulesets/*.yaml`` plus any in the ``rulesets/`` folder beside the
database file (a province's adjusted copies).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import rules
from zones import store
from zones.errors import NoDataError, ZonesError
from zones.i18n import get_lang, t

SHIPPED_RULESETS = Path(rules.__file__).resolve().parent / "rulesets"


def custom_rulesets_dir(engine: Engine) -> Path:
    """The folder of a province's own rule sets: ``rulesets/`` beside the SQLite file."""
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    if db and db != ":memory:":
        return Path(db).expanduser().resolve().parent / "rulesets"
    return store_root() / "data" / "rulesets"


def store_root() -> Path:
    """The repository root (where ``data/`` lives)."""
    return Path(__file__).resolve().parent.parent


def registry(engine: Engine):
    """All rule sets (shipped + custom) with the errors of any that failed to load."""
    custom = custom_rulesets_dir(engine)
    return rules.load_rulesets(*([custom] if custom.is_dir() else []))


def load_inputs(engine: Engine, start: date | None = None, end: date | None = None
                ) -> rules.Inputs:
    """The engine's inputs from the database (active boundary set, current values)."""
    units = store.load_units(engine)
    if units.empty:
        raise NoDataError(t("db.empty"))
    obs = store.current_observations(engine, start, end)
    return rules.Inputs(units=units, observations=obs, adjacency=store.load_adjacency(engine))


def date_span(engine: Engine) -> pd.DatetimeIndex:
    """Every day from the first to the last observation."""
    span = store.observation_range(engine)
    if span is None:
        return pd.DatetimeIndex([])
    return pd.date_range(span[0], span[1], freq="D")


def compute(engine: Engine, override: str | None = None,
            dates: pd.DatetimeIndex | None = None) -> rules.Result:
    """Assess every unit over ``dates`` (default: the whole observed period)."""
    reg = registry(engine)
    if override is not None and override not in reg.rulesets:
        raise ZonesError(t("cli.unknown_ruleset", value=override,
                           choices=", ".join(sorted(reg.rulesets))))
    dates = date_span(engine) if dates is None else dates
    return rules.assess_in_force(load_inputs(engine), reg, dates, override=override)


def recompute(engine: Engine, start: date | None = None,
              observations: pd.DataFrame | None = None) -> int:
    """Recompute and store the levels in force from ``start`` (default: all dates).

    The whole period is assessed (holds and hysteresis look back), then the stored rows
    from ``start`` on are replaced. ``observations`` may hand over the current values
    already in memory (the demo build) instead of reading them back. Returns the number
    of rows written.
    """
    dates = date_span(engine)
    if len(dates) == 0 or store.active_set(engine) is None:
        return 0
    inputs = load_inputs(engine) if observations is None else rules.Inputs(
        units=store.load_units(engine), observations=observations,
        adjacency=store.load_adjacency(engine))
    result = rules.assess_in_force(inputs, registry(engine), dates)
    frame = result_rows(result, start)
    with engine.begin() as conn:
        n = store.replace_assessments(conn, frame)
        store.bump_version(conn)
        store.set_meta(conn, "levels_version", store.now().isoformat())
    from zones.mapdata import write_snapshot

    write_snapshot(engine, result, inputs.observations, inputs.units)
    return n


def result_rows(result: rules.Result, start: date | None = None) -> pd.DataFrame:
    """Long rows (unit_code, date, level, ruleset_id, ruleset_version) of a result."""
    levels = result.frame()
    if start is not None:
        levels = levels.loc[pd.Timestamp(start):]
    long = levels.stack().rename("level").reset_index()
    long.columns = ["date", "unit_code", "level"]
    ids = pd.Series(list(result.ruleset_ids), index=result.dates)
    versions = pd.Series(list(result.ruleset_versions), index=result.dates)
    long["ruleset_id"] = ids.reindex(long["date"]).to_numpy()
    long["ruleset_version"] = versions.reindex(long["date"]).to_numpy()
    long["date"] = long["date"].dt.date
    return long


def cli_assess(engine: Engine, args) -> int:
    """``assess --date D [--ruleset ID] [--level L] [--out FILE]``."""
    dates = date_span(engine)
    if len(dates) == 0:
        raise NoDataError(t("db.empty"))
    day = pd.Timestamp(args.date)
    if day < dates[0] or day > dates[-1]:
        raise ZonesError(t("cli.date_outside", value=args.date.strftime("%d/%m/%Y"),
                           first=dates[0].strftime("%d/%m/%Y"),
                           last=dates[-1].strftime("%d/%m/%Y")))
    result = compute(engine, override=args.ruleset,
                     dates=pd.date_range(dates[0], day, freq="D"))
    table = result.reasons_table(day, lang=get_lang(), level=args.level)
    table = table[["unit_code", "unit_name", "level", "level_name", "ruleset", "reasons"]]
    from zones.cli import write_csv

    write_csv(table, args.out)
    return 0


def stored_levels(engine: Engine) -> pd.DataFrame:
    """Stored levels as a (dates x unit codes) int8 frame, 0 = not enough data."""
    df = store.load_assessments(engine)
    if df.empty:
        return pd.DataFrame(dtype="int8")
    wide = df.pivot(index="date", columns="unit_code", values="level")
    return wide.fillna(0).astype("int8")


def stored_rulesets(engine: Engine) -> pd.Series:
    """Rule set id in force per stored date."""
    from zones.schema import assessments

    q = sa.select(assessments.c.date, assessments.c.ruleset_id).distinct()
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["date"] = pd.to_datetime(df["date"])
    return df.drop_duplicates("date").set_index("date")["ruleset_id"].sort_index()

