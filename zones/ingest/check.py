"""Validating the rows of an upload: every problem of every row, found at once.

Checks are vectorised per column (regular expressions over the cell texts) and each one
yields a frame of problems: row number (as in Excel), column (as written in the file),
value, reason and how to fix it, in the requested language. Nothing here touches the
database; the units come in as a ``UnitIndex``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd

import contract
from geodata.names import fold, nfc
from zones.i18n import fmt_date, t, text_of
from zones.ingest.read import UNIT_COLUMNS, RawTable
from zones.ingest.units import OBSERVED_LEVELS, UnitIndex, describe, resolve_units
from zones.settings import DEFAULTS
from zones.storage.schema import METRICS

MAX_INT = 2_147_483_647  # the observations columns are 32-bit integers
EARLIEST = pd.Timestamp("2000-01-01")
FLAG_COLUMNS = ("treatment_capacity_ok",)
POSITIVE_OF = {"tests_pcr_positive": "tests_pcr", "tests_antigen_positive": "tests_antigen"}
PROBLEM_COLUMNS = ["row", "column", "value", "reason", "fix", "kind"]
# Every kind of cell problem; each has messages ingest.reason.<kind> and ingest.fix.<kind>.
#: kinds that warn without refusing the row: ``REPLACED_KINDS`` leave the row unstored
#: (the file's other row for its unit and day is stored), the others store it
REPLACED_KINDS = frozenset({"duplicate_replaced"})
WARNING_KINDS = REPLACED_KINDS | {"hamlets_sum_differs"}
#: a unit's own inputs, taken for a district or province too (QĐ 4800 criterion 3: the
#: district's hospitals); every additive figure goes to communes and hamlets only
OWN_INPUTS = tuple(m for m in METRICS if not contract.METRICS[m].additive)
HAMLET_NAMES_SHOWN = 6  # hamlets named in a sum warning

PROBLEM_KINDS = (
    "date_missing", "date_format", "date_impossible", "date_future", "date_too_old",
    "date_before_rules",
    "int_text", "int_decimal", "int_negative", "int_too_large", "flag_not_01",
    "positive_gt_tests", "unit_missing", "code_unknown", "code_unknown_none",
    "code_name_mismatch", "name_unknown", "name_unknown_none", "name_not_in_parent",
    "name_ambiguous", "unit_not_reporting", "duplicate", "outside_area", "week_locked",
    "duplicate_replaced", "hamlets_sum_differs",
)

_DMY = r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"
_ISO = r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_GROUPED = r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0]\d{3})+"
_NEGATIVE = r"[-\u2212]\s*\d+(?:[.,]\d+)*"
_DECIMAL = r"\d*[.,]\d+"
_YES = frozenset({"co", "yes", "true", "dat", "1"})
_NO = frozenset({"khong", "no", "false", "khong dat", "0"})


@dataclass
class Checked:
    """A validated upload: clean values, problems, and the file they came from."""

    table: RawTable
    values: pd.DataFrame  # index = row number; date, unit_code, METRICS (Int64)
    problems: pd.DataFrame  # PROBLEM_COLUMNS, one line per problem
    filename: str = ""
    content: bytes = b""
    lang: str = "vi"  # the language its problems are phrased in (the user's)
    refused: pd.Index = field(default_factory=lambda: pd.Index([], dtype=int))

    @property
    def replaced(self) -> pd.Index:
        """Rows another row of the same file replaces (same unit and day, further down)."""
        return pd.Index(self.problems.loc[self.problems["kind"].isin(REPLACED_KINDS), "row"]
                        .unique(), dtype=int) if "kind" in self.problems else pd.Index([])

    @property
    def good(self) -> pd.DataFrame:
        """Rows without problems that carry at least one value."""
        ok = ~self.values.index.isin(self.refused) & ~self.values.index.isin(self.replaced)
        has_value = self.values[list(METRICS)].notna().any(axis=1)
        return self.values[ok & has_value]

    def counts(self) -> dict[str, int]:
        """Rows read, refused, ready to store and blank (unit and date only)."""
        n_good = len(self.good)
        n_refused = len(self.refused)
        n_replaced = len(self.replaced.difference(self.refused))
        return {"rows": len(self.values), "refused": n_refused, "good": n_good,
                "blank": len(self.values) - n_refused - n_good - n_replaced,
                "replaced": n_replaced}


# --- cell texts ---------------------------------------------------------------------------

def cell_text(value: object) -> str:
    """A cell as the user typed it: trimmed text; whole floats without ".0"; dates ISO."""
    if type(value) is str:
        return nfc(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return nfc(value)


def _column_text(col: pd.Series) -> np.ndarray:
    values = col.to_numpy(dtype=object)
    if any(type(v) is bool for v in values):  # True == 1 would share a hash with 1
        return np.array([cell_text(v) for v in values] or [], dtype=object)
    codes, uniques = pd.factorize(values)  # None and NaN -> -1
    shown = np.array([*(cell_text(v) for v in uniques), ""], dtype=object)
    return shown[codes]


def texts(cells: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``cells`` as text ("" when empty); each distinct value converted once."""
    return pd.DataFrame({c: _column_text(cells[c]) for c in cells.columns},
                        index=cells.index, dtype=object)


def by_unique(fn, text: pd.Series, *args) -> tuple[pd.Series, pd.Series]:
    """Run a (values, kinds) parser on the distinct texts only, then spread the results.

    Upload columns repeat a few values (dates, small counts), so this does the regular
    expression work once per distinct value instead of once per cell.
    """
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    values, kinds = fn(pd.Series(uniques, dtype=object), *args)
    spread = values.array.take(codes) if hasattr(values, "array") else values[codes]
    return (pd.Series(spread, index=text.index),
            pd.Series(kinds.to_numpy()[codes], index=text.index, dtype=object))


def _problems(mask: pd.Series, column: str, values: pd.Series, kind: str,
              detail: pd.Series | str = "") -> pd.DataFrame:
    rows = mask[mask].index
    det = detail[rows] if isinstance(detail, pd.Series) else detail
    return pd.DataFrame({"row": rows, "column": column, "value": values[rows].to_numpy(),
                         "kind": kind, "detail": det if isinstance(det, str)
                         else det.to_numpy()})


# --- dates ----------------------------------------------------------------------------------

def parse_dates(text: pd.Series, today: date, first_day: date | None = None
                ) -> tuple[pd.Series, pd.Series]:
    """Dates from dd/mm/yyyy or yyyy-mm-dd text -> (datetime64 series, problem kind or "").

    ``first_day``: the first day any rule set covers; a figure before it could never be
    assessed (and would leave every later recomputation without a rule set)."""
    s = text.astype(object)
    parts = s.str.extract(f"^{_DMY}$").fillna(s.str.extract(f"^{_ISO}$"))
    nums = parts.apply(pd.to_numeric, errors="coerce")
    year = nums["y"].to_numpy(dtype=float)
    far = (year > 2200) | (year < 1900)  # outside what a timestamp can hold
    when = pd.to_datetime(pd.DataFrame({"year": nums["y"].mask(far), "month": nums["m"],
                                        "day": nums["d"]}), errors="coerce")
    when = when.astype("datetime64[ns]")
    w = when.to_numpy()
    first = np.datetime64(first_day, "ns") if first_day else EARLIEST.to_datetime64()
    kind = np.select(
        [(s == "").to_numpy(), np.isnan(year), year > 2200, year < 1900, np.isnat(w),
         w > np.datetime64(today, "ns"), w < EARLIEST.to_datetime64(), w < first],
        ["date_missing", "date_format", "date_future", "date_too_old", "date_impossible",
         "date_future", "date_too_old", "date_before_rules"], default="").astype(object)
    kind = pd.Series(kind, index=s.index, dtype=object)
    return when.where(kind == ""), kind


# --- integers -------------------------------------------------------------------------------

def parse_counts(text: pd.Series, flag: bool = False) -> tuple[pd.Series, pd.Series]:
    """Whole numbers >= 0 from text -> (Int64 series, NA when empty; problem kind or "")."""
    s = text.astype(object)
    if flag:
        s = s.map(_flag_text)
    ok = (s.str.fullmatch(r"\d+") | s.str.fullmatch(_GROUPED)).to_numpy(dtype=bool)
    digits = s[ok].str.replace(r"[.,\s\u00a0]", "", regex=True)
    number = np.zeros(len(s), dtype=object)
    number[ok] = [int(d) for d in digits]
    too_large = ok & (number > MAX_INT)
    kind = np.select(
        [(s == "").to_numpy(), too_large, ok & flag & (number > 1), ok,
         s.str.fullmatch(_NEGATIVE).to_numpy(dtype=bool),
         s.str.fullmatch(_DECIMAL).to_numpy(dtype=bool)],
        ["", "int_too_large", "flag_not_01", "", "int_negative", "int_decimal"],
        default="int_text").astype(object)
    good = ok & (kind == "")
    values = pd.array([int(v) if g else None for v, g in zip(number, good, strict=True)],
                      dtype="Int64")
    return pd.Series(values, index=s.index), pd.Series(kind, index=s.index, dtype=object)


def _flag_text(text: str) -> str:
    if not any(ch.isalpha() for ch in text):  # digits and signs as written: "-1" is no "1"
        return text.strip()
    key = fold(text, drop_prefix=False)
    if key in _YES:
        return "1"
    if key in _NO:
        return "0"
    return text


def _positive_checks(values: pd.DataFrame, headers: dict[str, str],
                     shown: pd.DataFrame) -> list[pd.DataFrame]:
    out = []
    for pos, total in POSITIVE_OF.items():
        if pos in headers and total in headers:
            bad = (values[pos] > values[total]).fillna(False).astype(bool)
            detail = values[total].astype(str)
            out.append(_problems(bad, headers[pos], shown[pos], "positive_gt_tests",
                                 detail))
    return out


# --- units and duplicates -----------------------------------------------------------------

def _unit_refs(tx: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: tx.get(c, "") for c in UNIT_COLUMNS}, index=tx.index)


def _unit_problems(res: pd.DataFrame, refs: pd.DataFrame,
                   headers: dict[str, str]) -> pd.DataFrame:
    bad = res["problem"].notna()
    if not bad.any():
        return _empty_problems()
    by_code = refs["unit_code"] != ""
    code_h = headers.get("unit_code", headers.get("unit_name"))
    name_h = headers.get("unit_name", code_h)
    sub = res[bad]
    use_code = by_code[bad]
    return pd.DataFrame({
        "row": sub.index,
        "column": np.where(use_code, code_h, name_h),
        "value": np.where(use_code, refs.loc[bad, "unit_code"], refs.loc[bad, "unit_name"]),
        "kind": sub["problem"].to_numpy(), "detail": sub["detail"].fillna("").to_numpy()})


def _duplicate_problems(values: pd.DataFrame, column: str, shown: pd.Series,
                        policy: str) -> pd.DataFrame:
    """Rows sharing a (unit, date): with the "last" policy (setting ``ZONES_DUPLICATES``),
    every row but the last gets the warning kind ``duplicate_replaced`` (the last row
    wins); with "refuse" all are refused."""
    keyed = values[values["date"].notna() & values["unit_code"].notna()]
    dup = keyed.duplicated(["unit_code", "date"], keep=False)
    if not dup.any():
        return _empty_problems()
    groups = keyed[dup].reset_index(names="row").groupby(["unit_code", "date"])["row"]
    rows_of = groups.transform(_rows_text)  # bounded text: memory stays linear in rows
    frame = keyed[dup].reset_index(names="row").assign(detail=rows_of.to_numpy())
    if policy == "refuse":
        kind = np.full(len(frame), "duplicate", dtype=object)
    else:
        last = ~keyed[dup].duplicated(["unit_code", "date"], keep="last").to_numpy()
        frame = frame[~last]
        kind = np.full(len(frame), "duplicate_replaced", dtype=object)
    return pd.DataFrame({"row": frame["row"], "column": column,
                         "value": shown[frame["row"]].to_numpy(), "kind": kind,
                         "detail": frame["detail"].to_numpy()})


def _rows_text(rows: pd.Series, shown: int = 4) -> str:
    """The rows of one (unit, date), at most ``shown`` of them and the last by number."""
    numbers = list(map(str, rows))
    if len(numbers) <= shown + 1:
        return ", ".join(numbers)
    return f"{', '.join(numbers[:shown])}, … {numbers[-1]} ({len(numbers)})"


def _kind_problems(kind: pd.Series, column: str, shown: pd.Series,
                   detail: str = "") -> pd.DataFrame:
    bad = kind != ""
    if not bad.any():
        return _empty_problems()
    return pd.DataFrame({"row": kind.index[bad], "column": column,
                         "value": shown[bad].to_numpy(), "kind": kind[bad].to_numpy(),
                         "detail": detail})


def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in
                         ["row", "column", "value", "kind", "detail"]})


def explain(problems: pd.DataFrame, lang: str,
            order: list[str] | None = None) -> pd.DataFrame:
    """Add the reason and the fix (in ``lang``) to raw problems (row, column, value, kind,
    detail); sorted by row, then by the columns' ``order`` in the file."""
    if problems.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    # each distinct (kind, detail) is worded once, then spread by position
    kind_codes, kinds = pd.factorize(problems["kind"].to_numpy(dtype=object))
    detail_codes, details = pd.factorize(problems["detail"].to_numpy(dtype=object))
    codes, pairs = pd.factorize(kind_codes.astype(np.int64) * len(details) + detail_codes)
    pairs = [(kinds[p // len(details)], details[p % len(details)]) for p in pairs]
    reasons = np.array([t(f"ingest.reason.{k}", lang=lang, detail=d) for k, d in pairs],
                       dtype=object)
    fixes = np.array([t(f"ingest.fix.{k}", lang=lang, detail=d) for k, d in pairs],
                     dtype=object)
    rows = problems["row"].to_numpy(dtype=np.int64)
    columns = problems["column"].to_numpy(dtype=object)
    column_codes, named = pd.factorize(columns)
    position = {c: i for i, c in enumerate(order or [])}
    rank = np.array([position.get(c, len(position)) for c in named], dtype=np.int64)
    by = np.lexsort((rank[column_codes], rows))  # by row, then the file's column order
    text = {c: pd.Series(problems[c].to_numpy(dtype=object)[by], dtype=object)
            for c in ("value", "kind")}  # object: no string-array conversion of millions
    return pd.DataFrame({"row": rows[by], "column": pd.Series(columns[by], dtype=object),
                         "value": text["value"],
                         "reason": pd.Series(reasons[codes][by], dtype=object),
                         "fix": pd.Series(fixes[codes][by], dtype=object),
                         "kind": text["kind"]})


# --- the whole table ------------------------------------------------------------------------

def _metric_values(tx: pd.DataFrame, headers: dict[str, str]) -> tuple[dict, list]:
    values, frames = {}, []
    for m in METRICS:
        if m not in tx:
            values[m] = pd.Series(pd.NA, index=tx.index, dtype="Int64")
            continue
        values[m], kind = by_unique(parse_counts, tx[m], m in FLAG_COLUMNS)
        frames.append(_kind_problems(kind, headers[m], tx[m]))
    return values, frames


def _higher_unit_counts(values: pd.DataFrame, index: UnitIndex, tx: pd.DataFrame,
                        headers: dict[str, str]) -> list[pd.DataFrame]:
    """A district's or province's row: its own inputs (``OWN_INPUTS``) are taken, each
    count it carries is refused (counts go to its communes and hamlets)."""
    code = values["unit_code"]
    higher = code.notna() & ~code.map(index.level).isin(OBSERVED_LEVELS)
    if not higher.any():
        return []
    detail = code.where(higher, None).map(lambda c: describe(index, c) if c else "")
    return [_problems(higher & (tx[m] != ""), headers[m], tx[m], "unit_not_reporting", detail)
            for m in METRICS if m in headers and m not in OWN_INPUTS]


def _hamlet_sums(values: pd.DataFrame, frames: list[pd.DataFrame], index: UnitIndex,
                 tx: pd.DataFrame, headers: dict[str, str], stored=None
                 ) -> list[pd.DataFrame]:
    """A commune's figure that differs from the sum of its hamlets' figures for the same
    day (the file's hamlet rows, else the stored ones): a warning naming the commune's
    value, the hamlets' sum and the hamlets; the row is stored all the same. Rows refused
    by ``frames`` take no part."""
    hamlets_of: dict[str, list[str]] = {}
    for code, parent in index.parent.items():
        if parent and index.level[code] == "hamlet":
            hamlets_of.setdefault(parent, []).append(code)
    metrics = [m for m in METRICS if m in headers and m not in OWN_INPUTS]
    if not metrics or not values["unit_code"].isin(list(hamlets_of)).any():
        return []
    refused = [f.loc[~f["kind"].isin(WARNING_KINDS), "row"].to_numpy() for f in frames]
    ok = values[~values.index.isin(np.concatenate([np.zeros(0, dtype=int), *refused]))
                & values["date"].notna() & values["unit_code"].notna()]
    ok = ok[~ok.duplicated(["unit_code", "date"], keep="last")]
    communes = ok[ok["unit_code"].isin(list(hamlets_of))]
    if communes.empty:
        return []
    own = ok[ok["unit_code"].map(index.parent).isin(set(communes["unit_code"]))
             & (ok["unit_code"].map(index.level) == "hamlet")]
    frame = own[["unit_code", "date", *metrics]].astype(dict.fromkeys(metrics, float))
    if stored is not None:
        codes = sorted({h for c in set(communes["unit_code"]) for h in hamlets_of[c]})
        kept = stored(codes, communes["date"].min().date(), communes["date"].max().date())
        kept = kept[["unit_code", "date", *metrics]]
        sent = pd.MultiIndex.from_frame(frame[["unit_code", "date"]])
        kept = kept[~pd.MultiIndex.from_frame(kept[["unit_code", "date"]]).isin(sent)]
        frame = pd.concat([frame, kept.astype(dict.fromkeys(metrics, float))], ignore_index=True)
    frame = frame.assign(commune=frame["unit_code"].map(index.parent)).sort_values("unit_code")
    sums = frame.groupby(["commune", "date"])[metrics].sum(min_count=1)
    joined = communes[["unit_code", "date", *metrics]].reset_index(names="row").merge(
        sums, left_on=["unit_code", "date"], right_index=True, suffixes=("", "_sum"))
    pairs = [(row, code, day, m, figure, total)
             for m in metrics
             for row, code, day, figure, total in joined.loc[
                 joined[m].astype(float).ne(joined[f"{m}_sum"])
                 & joined[m].notna() & joined[f"{m}_sum"].notna(),
                 ["row", "unit_code", "date", m, f"{m}_sum"]].itertuples(index=False)]
    if not pairs:
        return []
    groups = dict(list(frame.groupby(["commune", "date"])))  # only for the warnings' text
    details = []
    for _row, code, day, m, figure, total in pairs:
        part = groups[(code, day)]
        known = part[part[m].notna()]
        named = [f"{index.name[h]} ({int(v)})" for h, v in zip(known["unit_code"], known[m],
                                                               strict=True)]
        more = len(named) - HAMLET_NAMES_SHOWN
        shown = named[:HAMLET_NAMES_SHOWN] + ([f"… (+{more})"] if more > 0 else [])
        details.append(f"{int(figure)} ≠ {int(total)} = {' + '.join(shown)}")
    rows = [p[0] for p in pairs]
    return [pd.DataFrame({"row": rows, "column": [headers[p[3]] for p in pairs],
                          "value": [tx.at[r, p[3]] for r, p in zip(rows, pairs, strict=True)],
                          "kind": "hamlets_sum_differs", "detail": details})]


def check_table(table: RawTable, index: UnitIndex, today: date | None,
                lang: str, first_day: date | None = None,
                area: set[str] | None = None, area_name: str = "",
                locked=None, stored=None, duplicates: str = DEFAULTS.duplicates
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a ``RawTable`` -> (values, problems).

    ``values``: index = row number; ``date`` (NaT when refused), ``unit_code`` (None when
    refused), the METRICS as Int64 (NA = not reported). ``problems``: PROBLEM_COLUMNS.
    ``area``: the sender's subtree (names are looked for there first, rows outside it are
    refused); ``stored(codes, start, end)``: the stored figures of hamlets, for the
    commune-versus-hamlets warning.
    """
    tx, h = texts(table.cells), table.headers
    dates, dkind = by_unique(parse_dates, tx["date"], today or date.today(), first_day)
    metrics, frames = _metric_values(tx, h)
    frames.append(_kind_problems(dkind, h["date"], tx["date"],
                                 fmt_date(first_day) if first_day else ""))
    refs = _unit_refs(tx)
    res = resolve_units(index, refs, lang, area)
    frames.append(_unit_problems(res, refs, h))
    values = pd.DataFrame({"date": dates.where(dkind == ""),
                           "unit_code": res["code"].astype(object)}, index=tx.index)
    frames += _higher_unit_counts(values, index, tx, h)
    if area is not None:  # the sender may write only for units of their subtree
        code = values["unit_code"]
        kind = pd.Series(np.where(code.notna() & ~code.isin(list(area)), "outside_area", ""),
                         index=tx.index)
        frames.append(_kind_problems(kind, h.get("unit_code", h.get("unit_name")),
                                     code.fillna(""), area_name))
    if locked:  # rows in an approved week (``locked(code, monday)`` says by whom): refused
        detail = [text_of(locked(c, (d - pd.Timedelta(days=d.weekday())).date()), lang)
                  if isinstance(c, str) and pd.notna(d) else None
                  for c, d in zip(values["unit_code"], values["date"], strict=True)]
        for text in {d for d in detail if d}:
            kind = pd.Series(["week_locked" if d == text else "" for d in detail],
                             index=tx.index)
            frames.append(_kind_problems(kind, h["date"], tx["date"], text))
    values = values.assign(**metrics)
    unit_h = h.get("unit_code", h.get("unit_name"))
    unit_shown = refs["unit_code"].where(refs["unit_code"] != "", refs["unit_name"])
    frames.append(_duplicate_problems(values, unit_h, unit_shown, duplicates))
    frames += _positive_checks(values, h, tx)
    frames = [f for f in frames if not f.empty]
    frames += _hamlet_sums(values, frames, index, tx, h, stored)
    raw = pd.concat(frames, ignore_index=True) if frames else _empty_problems()
    return values, explain(raw, lang, list(table.original.columns))
