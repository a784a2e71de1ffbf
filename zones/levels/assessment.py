"""Assessment runs: stored data -> rule engine -> levels per unit and day.

The level computed for a date uses the rule set in force on that date (QĐ 2686 until
11/10/2021, QĐ 4800 from 12/10/2021) unless the user picks one. Rule sets are the
shipped ``rules/rulesets/*.yaml`` plus any in the workspace's ``rulesets/`` folder
(a province's adjusted copies).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

import rules
from zones.errors import NoDataError, ZonesError
from zones.i18n import msg
from zones.levels import stored_rulesets as kept_rulesets
from zones.storage import store
from zones.workspace import Workspace


def registry(ws: Workspace) -> rules.RuleSetRegistry:
    """All rule sets (shipped + custom) with the errors of any that failed to load."""
    custom = ws.rulesets_dir
    registry = rules.load_rulesets(*([custom] if custom is not None and custom.is_dir() else []))
    kept_rulesets.load_into(registry, ws.engine)
    return registry


def check_ruleset(reg: rules.RuleSetRegistry, ruleset_id: str | None) -> None:
    """Refuse an unknown rule-set id; for a custom file with errors, list those errors."""
    if ruleset_id is None or ruleset_id in reg.rulesets:
        return
    broken = reg.errors_of(ruleset_id)
    if broken is not None:  # named by its file's name: the folder is the server's business
        path, problems = broken
        raise ZonesError(kept_rulesets.problems_message(ruleset_id, path, problems))
    raise ZonesError(msg("cli.unknown_ruleset", value=ruleset_id,
                       choices=", ".join(sorted(reg.rulesets))))


def load_inputs(engine: Engine, start: date | None = None, end: date | None = None,
                observations: pd.DataFrame | None = None) -> rules.Inputs:
    """The engine's inputs from the database (active boundary set, current values)."""
    units = store.load_units(engine)
    if units.empty:
        raise NoDataError(msg("db.empty"))
    obs = store.current_observations(engine, start, end) if observations is None \
        else observations
    return rules.Inputs(units=units, observations=obs, adjacency=store.load_adjacency(engine))


def date_span(engine: Engine) -> pd.DatetimeIndex:
    """Every day from the first to the last observation."""
    span = store.observation_range(engine)
    if span is None:
        return pd.DatetimeIndex([])
    return pd.date_range(span[0], span[1], freq="D")


def compute(ws: Workspace, override: str | None = None, dates: pd.DatetimeIndex | None = None,
            inputs: rules.Inputs | None = None) -> rules.Result:
    """Assess every unit over ``dates`` (default: the whole observed period)."""
    reg = registry(ws)
    check_ruleset(reg, override)
    dates = date_span(ws.engine) if dates is None else dates
    inputs = load_inputs(ws.engine) if inputs is None else inputs
    return rules.assess_in_force(inputs, reg, dates, override=override)


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


def stored_levels(engine: Engine) -> pd.DataFrame:
    """Stored levels as a (dates x unit codes) int8 frame, 0 = not enough data."""
    df = store.load_assessments(engine)
    if df.empty:
        return pd.DataFrame(dtype="int8")
    wide = df.pivot(index="date", columns="unit_code", values="level")
    return wide.fillna(0).astype("int8")


def stored_rulesets(engine: Engine) -> pd.Series:
    """Rule set id in force per stored date."""
    df = store.ruleset_per_day(engine)
    df["date"] = pd.to_datetime(df["date"])
    return df.drop_duplicates("date").set_index("date")["ruleset_id"].sort_index()
