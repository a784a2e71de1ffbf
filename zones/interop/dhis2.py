"""Weekly figures and levels as DHIS2 ``dataValueSets`` JSON, through a mapping file.

The mapping (YAML, checked as strictly as a rule set: every problem at once, each naming
its field, value and fix; duplicate keys and YAML traps refused by ``rules.strict_yaml``)::

    dhis2_mapping: 1                  # the format of this file
    data_set: pQzGJDHFQgL             # optional: the data set the values belong to
    category_option_combo: HllvX50cXC0    # optional (DHIS2's default when absent)
    attribute_option_combo: HllvX50cXC0   # optional
    org_units:                        # our unit code (quoted) -> DHIS2 org unit id
      "30745": DiszpKrYNg8
    data_elements:                    # a field of ours -> DHIS2 data element id
      new_cases_community: fbfJHSPpUQD
      level: Jtf34kNZhzP              # the level in force on the week's last day
    level_values: {1: "XANH", 2: "VANG", 3: "CAM", 4: "DO"}   # optional option codes

Fields: the contract's metrics, ``level`` (in force), ``computed_level`` and
``declared_level``. Periods are ISO weeks (``2021W35``, Monday to Sunday), every week
that overlaps the dates asked. A count is the week's sum, a cumulative figure or a flag
its last value in the week; a district's or province's counts are its communes' sums (its
flag its own row); a week without any report gives no value (never 0). A level is the one
on the week's last assessed day; "not enough data" gives no value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

import contract
from rules.errors import Problem, ProblemsError, did_you_mean
from rules.strict_yaml import read_yaml
from zones.errors import ZonesError
from zones.i18n import Msg, fmt_date, msg
from zones.levels import dayview
from zones.levels import declarations as decl_mod
from zones.levels.stored_rulesets import problem_lines
from zones.people.access import Actor, subtree
from zones.storage import store
from zones.workspace import Workspace

#: the largest mapping file read (a national mapping of ~11,000 units is about 400 KB)
MAX_BYTES = 5 * 2**20
#: the most values the mapping may hold (org units and data elements)
MAX_VALUES = 200_000
UID = re.compile(r"[A-Za-z][A-Za-z0-9]{10}")
LEVEL_FIELDS = ("level", "computed_level", "declared_level")
FIELDS = (*contract.METRIC_NAMES, *LEVEL_FIELDS)
KEYS = ("dhis2_mapping", "data_set", "category_option_combo", "attribute_option_combo",
        "org_units", "data_elements", "level_values")
FORMAT = 1


class MappingError(ProblemsError):
    what = "DHIS2 mapping"


@dataclass(frozen=True)
class Mapping:
    """A checked mapping."""

    org_units: dict[str, str]
    data_elements: dict[str, str]
    level_values: dict[int, str]
    data_set: str | None = None
    category_option_combo: str | None = None
    attribute_option_combo: str | None = None


@dataclass(frozen=True)
class Export:
    """The export: its data values, the weeks, and what was left out (warnings)."""

    values: list[dict]
    periods: list[str]
    data_set: str | None = None
    warnings: list[Msg] = field(default_factory=list)  # rendered by the edge, in its language

    def document(self) -> dict:
        doc: dict = {"dataSet": self.data_set} if self.data_set else {}
        doc["dataValues"] = self.values
        return doc

    def json_bytes(self) -> bytes:
        return json.dumps(self.document(), ensure_ascii=False, indent=1).encode("utf-8")


# --- the mapping ----------------------------------------------------------------------

def check_size(size: int, file_name: str) -> None:
    if size > MAX_BYTES:
        raise ZonesError(msg("dhis2.too_big", file=Path(file_name).name, kb=size // 1024,
                           limit=MAX_BYTES // 1024))


def read_mapping(data: bytes, file_name: str, known_units: set[str] | None = None) -> Mapping:
    """The checked mapping of a file's bytes; ``ZonesError`` listing every problem."""
    check_size(len(data), file_name)
    name = Path(file_name).name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ZonesError(msg("dhis2.not_utf8", file=name)) from err
    try:
        raw = read_yaml(text, name, MappingError, max_values=MAX_VALUES)
        return _checked(raw, name, known_units)
    except ProblemsError as err:
        raise ZonesError(msg("dhis2.invalid", file=name, n=err.problems.total,
                           problems=problem_lines(err.problems))) from err


def _uid(problems: list, file: str, where: str, value) -> str | None:
    if isinstance(value, str) and UID.fullmatch(value):
        return value
    problems.append(Problem(file, None, where, value, msg("dhis2.expect_uid"),
                            msg("dhis2.fix_uid")))
    return None


def _checked(raw, file: str, known_units: set[str] | None) -> Mapping:
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise MappingError([Problem(file, None, "(file)", type(raw).__name__,
                                    msg("dhis2.expect_mapping"), None)])
    for key in raw:
        if key not in KEYS:
            problems.append(Problem(file, None, str(key), raw[key], msg("dhis2.expect_key"),
                                    did_you_mean(key, KEYS)))
    if raw.get("dhis2_mapping") != FORMAT:
        problems.append(Problem(file, None, "dhis2_mapping", raw.get("dhis2_mapping"),
                                msg("dhis2.expect_format", n=FORMAT), None))
    single = {k: _uid(problems, file, k, raw[k]) if raw.get(k) is not None else None
              for k in ("data_set", "category_option_combo", "attribute_option_combo")}
    org = _pairs(problems, file, raw.get("org_units"), "org_units", known_units)
    elements = _pairs(problems, file, raw.get("data_elements"), "data_elements", set(FIELDS))
    values = _level_values(problems, file, raw.get("level_values"))
    if problems:
        raise MappingError(problems)
    return Mapping(org, elements, values, **single)


def _pairs(problems: list, file: str, section, name: str, allowed: set[str] | None
           ) -> dict[str, str]:
    """A section ``key -> uid``: keys text (a code keeps its leading zeros: quoted), each
    known (``allowed``), each uid valid and used once."""
    if not isinstance(section, dict) or not section:
        problems.append(Problem(file, None, name, section, msg("dhis2.expect_section"), None))
        return {}
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, uid in section.items():
        where = f"{name}.{key}"
        if not isinstance(key, str):
            problems.append(Problem(file, None, where, key, msg("dhis2.expect_text_key"),
                                    msg("dhis2.fix_quote", code=key)))
            continue
        if allowed is not None and key not in allowed:
            problems.append(Problem(file, None, where, key, msg(f"dhis2.expect_{name}"),
                                    did_you_mean(key, allowed) if len(allowed) < 5000
                                    else None))
            continue
        checked = _uid(problems, file, where, uid)
        if checked is None:
            continue
        if checked in seen:
            problems.append(Problem(file, None, where, checked, msg("dhis2.expect_once"),
                                    msg("dhis2.fix_once", other=f"{name}.{seen[checked]}")))
            continue
        seen[checked] = key
        out[key] = checked
    return out


def _level_values(problems: list, file: str, section) -> dict[int, str]:
    if section is None:
        return {n: str(n) for n in (1, 2, 3, 4)}
    if not isinstance(section, dict):
        problems.append(Problem(file, None, "level_values", section,
                                msg("dhis2.expect_levels"), None))
        return {}
    out = {}
    for key, value in section.items():
        ok_key = isinstance(key, int) and not isinstance(key, bool) and 1 <= key <= 4
        ok_value = isinstance(value, (str, int)) and not isinstance(value, bool) and \
            0 < len(str(value)) <= 50
        if not (ok_key and ok_value):
            problems.append(Problem(file, None, f"level_values.{key}", value,
                                    msg("dhis2.expect_levels"), None))
            continue
        out[key] = str(value)
    missing = [n for n in (1, 2, 3, 4) if n not in out]
    if missing:
        problems.append(Problem(file, None, "level_values", section, msg("dhis2.expect_levels"),
                                msg("dhis2.fix_levels", levels=", ".join(map(str, missing)))))
    return out


# --- the export -----------------------------------------------------------------------

def weeks(start: date, end: date) -> list[date]:
    """The Mondays of the ISO weeks overlapping ``start``..``end``."""
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(days=7 * i) for i in range((end - first).days // 7 + 1)]


def period(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}W{week}"


def export(ws: Workspace, plan: Mapping, start: date, end: date, unit: str | None = None,
           actor: Actor | None = None) -> Export:
    """The data values of ``plan``'s units (inside ``unit``'s and ``actor``'s subtree)
    for the ISO weeks overlapping ``start``..``end``."""
    if end < start:
        raise ZonesError(msg("tr.order", start=fmt_date(start), end=fmt_date(end)))
    everything = dayview.units(ws)
    parents = dict(zip(everything.index, everything["parent_code"], strict=True))
    unknown = sorted(set(plan.org_units) - set(everything.index))
    if unknown:
        raise ZonesError(msg("dhis2.unknown_units", n=len(unknown),
                           codes=", ".join(unknown[:10])))
    allowed = set(plan.org_units)
    for root in (unit, actor.unit if actor is not None and actor.scoped else None):
        if root is not None:
            allowed &= subtree(parents, root)
    warnings = []
    left_out = len(plan.org_units) - len(allowed)
    if left_out:
        warnings.append(msg("dhis2.left_out", n=left_out, unit=unit or actor.unit))
    mondays = weeks(start, end)
    base = {k: v for k, v in (("categoryOptionCombo", plan.category_option_combo),
                              ("attributeOptionCombo", plan.attribute_option_combo)) if v}
    codes = sorted(allowed)
    values = _figure_values(ws, plan, codes, everything, parents, mondays, base)
    values += _level_values_of(ws, plan, codes, mondays, base)
    return Export(values, [period(m) for m in mondays], plan.data_set, warnings)


def _figure_values(ws, plan, codes, everything, parents, mondays, base) -> list[dict]:
    metrics = [m for m in plan.data_elements if m in contract.METRICS]
    if not metrics or not codes:
        return []
    last = mondays[-1] + timedelta(days=6)
    pairs = pd.DataFrame([(c, s) for c in codes for s in _sources(c, everything, parents)],
                         columns=["target", "unit_code"])
    needed = sorted(set(pairs["unit_code"]) | set(codes))
    obs = store.current_observations(ws.engine, mondays[0], last, codes=needed,
                                     metrics=metrics)
    own = pd.DataFrame({"target": codes, "unit_code": codes})
    out = []
    for m in metrics:
        kind = contract.METRICS[m].kind
        rows = obs[["unit_code", "date", m]].merge(own if kind == "flag" else pairs,
                                                  on="unit_code", validate="many_to_many")
        daily = rows.groupby(["target", "date"])[m].sum(min_count=1).dropna().reset_index()
        if daily.empty:
            continue
        daily["week"] = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
        weeks_of = daily.sort_values("date").groupby(["target", "week"])[m]
        weekly = weeks_of.sum() if kind == "count" else weeks_of.last()
        element = plan.data_elements[m]
        out.extend({"dataElement": element, "period": period(week.date()),
                    "orgUnit": plan.org_units[target], "value": str(int(value)), **base}
                   for (target, week), value in weekly.items())
    return out


def _sources(code: str, everything: pd.DataFrame, parents: dict) -> list[str]:
    """The units whose figures make ``code``'s: itself (a commune or hamlet), else its
    communes."""
    if everything.at[code, "level"] in ("commune", "hamlet"):
        return [code]
    below = subtree(parents, code)
    return [c for c in below if everything.at[c, "level"] == "commune"]


def _level_values_of(ws, plan, codes, mondays, base) -> list[dict]:
    wanted = [f for f in LEVEL_FIELDS if f in plan.data_elements]
    if not wanted or not codes:
        return []
    in_force, computed = dayview.levels_in_force(ws), dayview.computed_levels(ws)
    if len(in_force.dates) == 0:
        return []
    decl = dayview.declarations(ws)
    out = []
    for monday in mondays:
        days = in_force.dates[(in_force.dates >= pd.Timestamp(monday)) &
                              (in_force.dates <= pd.Timestamp(monday + timedelta(days=6)))]
        if len(days) == 0:
            continue
        day = days[-1]
        present = [c for c in codes if c in in_force.codes]
        tables = {"level": in_force.row(day, present), "computed_level":
                  computed.row(day, present), "declared_level": _declared(decl, day, present)}
        for f in wanted:
            for code, level in zip(present, np.asarray(tables[f]), strict=True):
                if int(level) > 0:
                    out.append({"dataElement": plan.data_elements[f],
                                "period": period(monday), "orgUnit": plan.org_units[code],
                                "value": plan.level_values[int(level)], **base})
    return out


def _declared(decl: pd.DataFrame, day: pd.Timestamp, codes: list[str]) -> np.ndarray:
    from_decl = decl_mod.covering(decl, day) if not decl.empty else None
    out = np.zeros(len(codes), dtype=int)
    if from_decl is None:
        return out
    for i, code in enumerate(codes):
        if code in from_decl.index:
            out[i] = int(from_decl.at[code, "level"])
    return out
