"""The day view: what one day looks like at one level under one parent.

The map page, the unit panel, the overview, "Chuyển cấp", the HTML export, the CLI and
the briefing all read the level of a unit from here, so they cannot disagree:

- ``levels_in_force``: the computed levels with the declarations laid over them;
- ``day_view``: per unit of a view on a day the level in force, the computed level, the
  declaration (level, decision, dates), the headline rate exactly as the engine computed
  it for the level, the last report; with the rule set in force, its level names, the
  legend, the notices and the bounds.

A rule-set *override* is a what-if: levels are recomputed under that rule set and
declarations do not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

import rules
from zones.errors import NoDataError, ZonesError
from zones.i18n import fmt_date, msg, t
from zones.levels import declarations as decl_mod
from zones.levels import snapshot
from zones.levels.assessment import compute, registry, stored_levels, stored_rulesets
from zones.levels.memo import cached
from zones.levels.tables import Table, rates_table, reports_from, result_table, view_units
from zones.storage import store
from zones.workspace import Workspace

#: a reporting unit silent this many days before the day shown is listed as not reporting
STALE_DAYS = 3
REPORTING_LEVELS = ("commune", "hamlet")
EMPTY_LEVELS = Table(pd.DatetimeIndex([]), pd.Index([]), np.zeros((0, 0), "int8"), None)


# --- whole-period tables (cached per data version) ------------------------------------------

def units(ws: Workspace) -> gpd.GeoDataFrame:
    """Every unit of the active boundary set, with geometry."""
    return cached(ws, "units", lambda: store.load_units(ws.engine, geometry=True))


def ruleset_registry(ws: Workspace) -> rules.RuleSetRegistry:
    """Shipped and custom rule sets (re-read when a custom file changes)."""
    folder = ws.rulesets_dir
    # stored rule sets: adding one bumps the data version, which keys the cache
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.y*ml"))) \
        if folder is not None and folder.is_dir() else ()
    return cached(ws, "registry", lambda: registry(ws), stamp)


def result(ws: Workspace, override: str | None = None) -> rules.Result:
    """The engine's full result over the observed period (for reasons and what-ifs)."""
    return cached(ws, "result", lambda: compute(ws, override=override), override)


def adjacency(ws: Workspace) -> pd.DataFrame:
    """Adjacency pairs of the active boundary set."""
    return cached(ws, "adjacency", lambda: store.load_adjacency(ws.engine))


def neighbourhood(ws: Workspace, unit: str, steps: int = 2) -> pd.Index:
    """The units whose figures the levels inside ``unit`` can depend on: its subtree, the
    units two steps away across its border (QĐ 2686 cascades: red -> orange next door ->
    yellow one further), and the ancestors of all of them."""
    everything = units(ws)
    parent = everything["parent_code"]
    inside = {unit}
    frontier = {unit}
    while frontier:  # descendants
        frontier = set(everything.index[parent.isin(list(frontier))])
        inside |= frontier
    pairs = adjacency(ws)
    keep = set(inside)
    for _ in range(steps):
        touching = pairs["code_a"].isin(list(keep)) | pairs["code_b"].isin(list(keep))
        keep |= set(pairs.loc[touching, "code_a"]) | set(pairs.loc[touching, "code_b"])
    for code in list(keep):  # ancestors, so every parent referenced exists
        p = parent.get(code)
        while isinstance(p, str) and p in everything.index and p not in keep:
            keep.add(p)
            p = parent.get(p)
    return pd.Index([c for c in everything.index if c in keep])


def local_result(ws: Workspace, unit: str | None) -> rules.Result:
    """The engine's result for what happens inside ``unit`` (None: everywhere), computed
    on its neighbourhood only: the same levels and reasons there as the full run, at a
    fraction of the cost for one province of a national database."""
    if unit is None:
        return result(ws)

    return cached(ws, "local_result", lambda: compute(ws, inputs=local_inputs(ws, unit)), unit)


def local_inputs(ws: Workspace, unit: str, steps: int = 2) -> rules.Inputs:
    """The engine's inputs restricted to ``neighbourhood(ws, unit, steps)``."""
    codes = neighbourhood(ws, unit, steps)
    plain = store.load_units(ws.engine).loc[codes]
    obs = store.current_observations(ws.engine, codes=codes.tolist())
    pairs = adjacency(ws)
    pairs = pairs[pairs["code_a"].isin(codes) & pairs["code_b"].isin(codes)]
    return rules.Inputs(units=plain, observations=obs, adjacency=pairs)


def computed_levels(ws: Workspace, override: str | None = None) -> Table:
    """Levels computed by the engine per date and unit (0 = not enough data)."""
    if override:
        return cached(ws, "levels", lambda: result_table(result(ws, override)), override)

    def build() -> Table:
        snap = snapshot.read(ws)
        if snap is not None:
            return snap["levels"]
        wide = stored_levels(ws.engine)
        if wide.empty:
            return EMPTY_LEVELS
        return Table(pd.DatetimeIndex(wide.index), pd.Index(wide.columns),
                     wide.to_numpy(dtype="int8"), stored_rulesets(ws.engine))
    return cached(ws, "levels", build, None)


def declarations(ws: Workspace) -> pd.DataFrame:
    """Every declaration stored."""
    return cached(ws, "declarations", lambda: decl_mod.listing(ws.engine))


def levels_in_force(ws: Workspace, override: str | None = None) -> Table:
    """Declared where a declaration covers the date, else computed (with an override:
    computed under that rule set, a what-if without declarations)."""
    if override:
        return computed_levels(ws, override)
    return cached(ws, "in_force", lambda: decl_mod.effective(computed_levels(ws),
                                                             declarations(ws)))


def rates(ws: Workspace, override: str | None = None) -> Table:
    """Per date and unit, the headline indicator of the rule set used that day."""
    if override:
        return cached(ws, "rates", lambda: rates_table(result(ws, override)), override)

    def build() -> Table:
        snap = snapshot.read(ws)
        return snap["rates"] if snap is not None else rates_table(result(ws))
    return cached(ws, "rates", build, None)


def last_reports(ws: Workspace) -> Table:
    """For each date and unit, the index into ``dates`` of the last day on or before it
    with a community case figure (0 counts, empty does not); -1 = never."""
    def build() -> Table:
        snap = snapshot.read(ws)
        if snap is not None:
            return snap["last"]
        return reports_from(store.current_observations(ws.engine,
                                                       metrics=["new_cases_community"]))
    return cached(ws, "last", build)


# --- one day ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayView:
    """One day at one level under one parent; arrays are in the order of ``codes``."""

    day: date
    level: str
    parent: str | None
    override: str | None
    ruleset_id: str | None
    ruleset_title: str
    ruleset_reference: str
    level_names: dict[int, str]
    legend_title: str
    rate_label: str
    codes: pd.Index
    names: np.ndarray
    parents: np.ndarray
    population: np.ndarray
    in_force: np.ndarray
    computed: np.ndarray
    declared: np.ndarray       # 0 where no declaration covers the day
    decision: np.ndarray       # decision number, '' where none
    declared_from: np.ndarray  # dd/mm/yyyy, '' where none
    declared_to: np.ndarray
    rates: np.ndarray          # NaN where unknown
    last_report: np.ndarray    # date of the last report on or before the day, None = never
    notices: tuple[str, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]]

    def frame(self) -> pd.DataFrame:
        """One row per unit (what the CLI, the CSV downloads and the briefing use)."""
        def level_or_na(values):
            return pd.array([int(v) if v > 0 else pd.NA for v in values], dtype="Int8")
        return pd.DataFrame({
            "unit_code": self.codes.to_numpy(dtype=object),
            "unit_name": self.names,
            "level": level_or_na(self.in_force),
            "level_name": [self.level_names[int(v)] for v in self.in_force],
            "computed_level": level_or_na(self.computed),
            "declared_level": level_or_na(self.declared),
            "decision": self.decision,
            "declared_from": self.declared_from,
            "declared_to": self.declared_to,
            "rate": self.rates,
            "last_report": self.last_report,
        })

    def position(self, code: str) -> int | None:
        """Where ``code`` is in this view (None when it is not in it)."""
        pos = int(self.codes.get_indexer([code])[0])
        return pos if pos >= 0 else None


def check_day(table: Table, day) -> pd.Timestamp:
    """``day`` as a timestamp inside the assessed period, or a ZonesError saying the range."""
    if len(table.dates) == 0:
        raise NoDataError(msg("db.empty"))
    stamp = pd.Timestamp(day)
    if not (table.dates[0] <= stamp <= table.dates[-1]):
        raise ZonesError(msg("cli.date_outside", value=fmt_date(stamp.date()),
                           first=fmt_date(table.dates[0].date()),
                           last=fmt_date(table.dates[-1].date())))
    return stamp


def level_names(reg: rules.RuleSetRegistry, ruleset_id: str | None, lang: str) -> dict[int, str]:
    """Level names 0..4 of a rule set (of the first one loaded when unknown)."""
    rs = reg.rulesets.get(ruleset_id) if ruleset_id else None
    if rs is None and reg.rulesets:
        rs = next(iter(reg.rulesets.values()))
    return rs.level_names(lang) if rs is not None else {i: str(i) for i in range(5)}


def ruleset_on(ws: Workspace, day, override: str | None = None) -> rules.RuleSet | None:
    """The rule set whose levels are shown on ``day``."""
    reg = ruleset_registry(ws)
    if override:
        return reg.rulesets.get(override)
    table = computed_levels(ws)
    rid = table.rulesets.get(pd.Timestamp(day)) if table.rulesets is not None else None
    return reg.rulesets.get(rid) if rid else None


def notices(ws: Workspace, lang: str) -> tuple[str, ...]:
    """What every map must say about its data: approximate shapes, simulated figures."""
    out = (t("ui.notice.approx", lang=lang),) if units(ws)["approximate"].any() else ()
    demo = store.get_meta(ws.engine, store.Meta.DEMO)
    return out + ((t("ui.notice.simulated", lang=lang),) if demo else ())


def default_day(ws: Workspace) -> date | None:
    """The day a map opens on: the demo's focus day (01/09/2021, the outbreak of the seed
    notices) while it is in range and nobody has sent figures since; else the last day
    with data."""
    dates = computed_levels(ws).dates
    if len(dates) == 0:
        return None
    focus = store.get_meta(ws.engine, store.Meta.FOCUS_DAY)
    if focus and dates[0] <= pd.Timestamp(focus) <= dates[-1]:
        return pd.Timestamp(focus).date()
    return dates[-1].date()


def day_view(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             override: str | None = None, lang: str = "vi") -> DayView:
    """What ``day`` looks like for the ``level`` units under ``parent`` (None: all)."""
    everything = units(ws)
    if everything.empty:
        raise NoDataError(t("db.empty", lang=lang))
    table = levels_in_force(ws, override)
    stamp = check_day(table, day)
    view = view_units(everything, level, parent)
    codes = pd.Index(view.index)
    computed = computed_levels(ws, override).row(stamp, codes)
    in_force = table.row(stamp, codes)
    declared, decision, d_from, d_to = _declared(ws, stamp, codes, override)
    rs = ruleset_on(ws, stamp, override)
    headline = rs.indicators.get(rs.headline or "") if rs is not None else None
    b = view.total_bounds if len(view) else everything.total_bounds
    return DayView(
        day=stamp.date(), level=level, parent=parent, override=override,
        ruleset_id=rs.id if rs else None, ruleset_title=rs.title.get(lang) if rs else "",
        ruleset_reference=rs.reference.get(lang) if rs else "",
        level_names=level_names(ruleset_registry(ws), rs.id if rs else None, lang),
        legend_title=t("ui.legend_title", lang=lang),
        rate_label=headline.label.get(lang) if headline is not None else t("ui.rate", lang=lang),
        codes=codes, names=view["name"].to_numpy(dtype=object),
        parents=view["parent_code"].to_numpy(dtype=object),
        population=view["population"].to_numpy(dtype=float),
        in_force=in_force, computed=computed, declared=declared, decision=decision,
        declared_from=d_from, declared_to=d_to,
        rates=rates(ws, override).row(stamp, codes).astype(float),
        last_report=_last_report(ws, stamp, codes), notices=notices(ws, lang),
        bounds=((float(b[1]), float(b[0])), (float(b[3]), float(b[2]))))


def _declared(ws: Workspace, stamp: pd.Timestamp, codes: pd.Index, override: str | None):
    n = len(codes)
    declared, decision = np.zeros(n, dtype="int8"), np.full(n, "", dtype=object)
    d_from, d_to = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    decl = declarations(ws)
    if override or decl.empty:
        return declared, decision, d_from, d_to
    on = decl_mod.covering(decl, stamp)
    pos = codes.get_indexer(on.index)
    for p, row in zip(pos, on.itertuples(), strict=True):
        if p < 0:
            continue
        declared[p], decision[p] = int(row.level), row.decision_number
        d_from[p] = fmt_date(pd.Timestamp(row.effective_from).date())
        d_to[p] = fmt_date(pd.Timestamp(row.effective_to).date()) if pd.notna(
            row.effective_to) else ""
    return declared, decision, d_from, d_to


def _last_report(ws: Workspace, stamp: pd.Timestamp, codes: pd.Index) -> np.ndarray:
    reports = last_reports(ws)
    out = np.full(len(codes), None, dtype=object)
    if len(reports.dates) == 0:
        return out
    if stamp < reports.dates[0]:
        return out
    idx = np.asarray(reports.row(min(stamp, reports.dates[-1]), codes), dtype=int)
    idx[reports.codes.get_indexer(codes) < 0] = -1
    known = idx >= 0
    out[known] = [d.date() for d in reports.dates[idx[known]]]
    return out


def silent(view: DayView, days: int = STALE_DAYS) -> pd.DataFrame:
    """The reporting units of a day view without a report for ``days`` days or more
    (never reported: last "–"), columns code, name, last (dd/mm/yyyy)."""
    if view.level not in REPORTING_LEVELS:
        return pd.DataFrame(columns=["code", "name", "last"])
    rows = [{"code": c, "name": n, "last": fmt_date(d) if d else "–"}
            for c, n, d in zip(view.codes, view.names, view.last_report, strict=True)
            if d is None or (view.day - d).days >= days]
    return pd.DataFrame(rows, columns=["code", "name", "last"])
