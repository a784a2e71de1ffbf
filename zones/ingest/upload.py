"""Uploading case and testing data (observations): check, store, export, template.

What the front door (``zones.api``) uses for ``observations …`` and the page *Nhập số liệu*:

* ``check_upload(engine, data, filename)`` -> ``Checked`` (values + every problem);
* ``store_checked(engine, checked, sent_by=…)`` -> ``StoreResult`` (new versions written
  in one transaction; the front door then refreshes the levels from the earliest
  changed date);
* ``export_frame``, ``unit_history``, ``template_for_unit``, ``error_report``.

The work is done in ``ingest_read`` (files), ``ingest_units`` (unit look-up),
``ingest_check`` (validation), ``ingest_store`` (versions) and ``ingest_xlsx``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import contract
from zones import isolate
from zones.errors import ZonesError
from zones.i18n import fmt_date, fmt_datetime, t
from zones.ingest.check import WARNING_KINDS, Checked, check_table, texts
from zones.ingest.read import read_upload
from zones.ingest.units import UnitIndex, build_index, by_code
from zones.ingest.versions import (
    KEY,
    StoreResult,
    dry_run,
    export_frame,
    sha256,
    unit_history,
    upload_record,
    write_upload,
)
from zones.ingest.xlsx import (
    error_report_xlsx,
    reasons_by_row,
    template_xlsx,
    without_report_columns,
)
from zones.settings import DEFAULTS, Settings
from zones.storage import observations_sql, store
from zones.storage.schema import METRICS

__all__ = [
    "Checked",
    "StoreResult",
    "check_upload",
    "error_report",
    "export_frame",
    "history_table",
    "preview",
    "store_checked",
    "template_for_unit",
    "unit_history",
    "unit_index",
]

CLI_MAX_LINES = 500  # problems printed by the CLI; --report OUT.xlsx holds them all


def unit_index(engine: Engine, lang: str) -> UnitIndex:
    """The unit look-up tables of the active boundary set (ZonesError when there are none)."""
    units = store.load_units(engine)
    if units.empty:
        raise ZonesError(t("ingest.no_units", lang=lang))
    return build_index(units)


def check_upload(engine: Engine, data: bytes, filename: str, *, sheet: str | None = None,
                 lang: str, today: date | None = None,
                 index: UnitIndex | None = None, first_day: date | None = None,
                 area: set[str] | None = None, area_name: str = "",
                 locked=None, settings: Settings = DEFAULTS) -> Checked:
    """Read and validate an upload; raise ZonesError when the file itself is unusable.
    ``first_day``: rows dated before it are refused (no rule set could assess them);
    ``area``: rows for units outside it are refused (the sender's subtree); the file is
    read within the ``settings``' limits."""
    table = isolate.bounded(settings, read_upload, data, filename, lang, sheet, settings)
    index = index or unit_index(engine, lang)

    def stored(codes: list[str], start: date, end: date) -> pd.DataFrame:
        return store.current_observations(engine, start, end, codes=codes)

    values, problems = check_table(table, index, today, lang, first_day, area, area_name,
                                   locked, stored if engine is not None else None,
                                   settings.duplicates)
    refusing = problems[~problems["kind"].isin(WARNING_KINDS)] if "kind" in problems \
        else problems
    refused = pd.Index(refusing["row"].unique(), dtype=int)
    return Checked(table=table, values=values, problems=problems, filename=filename,
                   content=data, lang=lang, refused=refused)


def _report(checked: Checked) -> dict:
    probs = checked.problems.head(5000)
    return {"counts": checked.counts(), "ignored_columns": checked.table.ignored,
            "header_row": checked.table.header_row, "sheet": checked.table.sheet,
            "encoding": checked.table.encoding,
            "problems": probs[["row", "column", "value", "reason"]].to_dict("records")}


def _refuse_unstorable(checked: Checked, all_or_nothing: bool, lang: str) -> None:
    counts = checked.counts()
    if counts["good"] == 0:
        key = "ingest.nothing_valid" if counts["refused"] else "ingest.no_values"
        raise ZonesError(t(key, lang=lang, refused=counts["refused"]))
    if all_or_nothing and counts["refused"]:
        raise ZonesError(t("ingest.all_or_nothing", lang=lang, refused=counts["refused"]))


def _new_rows(checked: Checked) -> pd.DataFrame:
    good = checked.good
    return good.reset_index(names="source_row")[[*KEY, *METRICS, "source_row"]]


def store_checked(engine: Engine, checked: Checked, *, sent_by: str = "",
                  all_or_nothing: bool = False, dry: bool = False,
                  on_commit=None) -> StoreResult:
    """Store the good rows of a checked upload (one transaction), then recompute levels.

    The same bytes sent again change nothing (``result.duplicate_of`` says when they were
    first stored). Raises ZonesError when nothing can be stored.
    """
    lang = checked.lang
    digest = sha256(checked.content)
    with engine.connect() as conn:
        prev = observations_sql.earlier_upload(conn, digest)
    if prev:
        return StoreResult(duplicate_of=prev["id"], duplicate_at=prev["uploaded_at"], dry_run=dry)
    _refuse_unstorable(checked, all_or_nothing, lang)
    if dry:
        return dry_run(engine, _new_rows(checked))
    counts = checked.counts()
    record = upload_record(filename=checked.filename, content=checked.content, sent_by=sent_by,
                           counts=counts, status="partial" if counts["refused"] else "stored",
                           report=_report(checked), stamp=store.now())
    try:
        with engine.begin() as conn:
            store.take_write_lock(conn)  # uploads of the same (unit, date) wait in turn
            prev = observations_sql.earlier_upload(conn, digest)
            if prev:
                return StoreResult(duplicate_of=prev["id"], duplicate_at=prev["uploaded_at"])
            result = write_upload(conn, _new_rows(checked), record)
            if on_commit is not None:  # e.g. the audit entry: stored with the data or not
                on_commit(conn, result)
    except SQLAlchemyError as err:
        raise ZonesError(t("ingest.store_failed", lang=lang,
                           reason=str(getattr(err, "orig", err)))) from err
    return result


# --- for the page ---------------------------------------------------------------------------

def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``unit_history`` for display: dates as dd/mm/yyyy, translated headers, and only
    the metric columns that hold a value."""
    metrics = [m for m in METRICS if history[m].notna().any()]
    out = pd.DataFrame({
        t("ingest.page.date_col", lang=lang): [fmt_date(pd.Timestamp(d).date())
                                               for d in history["date"]],
        t("ingest.page.current", lang=lang): history["current"].to_numpy(),
        **{contract.METRICS[m].label(lang): history[m].to_numpy()
           for m in metrics},
        t("ingest.page.sent_by_col", lang=lang): history["sent_by"].to_numpy(),
        t("ingest.page.recorded_at", lang=lang): [fmt_datetime(x)
                                                  for x in history["recorded_at"]],
        t("ingest.page.upload_col", lang=lang): history["upload_id"].astype("Int64").to_numpy(),
        t("ingest.page.file_col", lang=lang): history["filename"].to_numpy(),
        t("ingest.page.row_col", lang=lang): history["source_row"].astype("Int64").to_numpy(),
    })
    return out


def preview(checked: Checked, *, only_problems: bool = True, limit: int = 200) -> pd.DataFrame:
    """The rows as in the file with their row number and problems (at most ``limit``)."""
    lang = checked.lang
    reasons = reasons_by_row(checked.problems) if len(checked.problems) else pd.Series(
        dtype=object)
    rows = without_report_columns(checked.table.original)
    if only_problems:
        rows = rows.loc[rows.index.isin(reasons.index)]
    rows = rows.head(limit)
    out = texts(rows)
    out.insert(0, t("ingest.report.row", lang=lang), rows.index)
    out[t("ingest.report.reasons", lang=lang)] = reasons.reindex(rows.index).fillna("").to_numpy()
    return out.reset_index(drop=True)


def error_report(checked: Checked) -> bytes:
    """XLSX of the refused rows with a column of reasons (formula-safe)."""
    return error_report_xlsx(checked.table.original, checked.problems, checked.lang)


def template_for_unit(engine: Engine, code: str, start: date, end: date,
                      lang: str) -> bytes:
    """The data-entry XLSX for ``code`` (and its descendants) from ``start`` to ``end``."""
    units = store.load_units(engine)
    if units.empty:
        raise ZonesError(t("ingest.no_units", lang=lang))
    index = build_index(units)
    res = by_code(index, str(code).strip(), "", lang)
    if res.code is None:
        raise ZonesError(t("ingest.template.unknown_unit", lang=lang, code=code,
                           detail=res.detail) if res.detail else
                         t("ingest.template.unknown_unit_none", lang=lang, code=code))
    return template_xlsx(units, res.code, start, end, lang)


# --- text reports ---------------------------------------------------------------------------

def format_check(checked: Checked, limit: int = CLI_MAX_LINES) -> str:
    """The per-row report: summary, ignored columns, one line per problem."""
    lang, c = checked.lang, checked.counts()
    sheet = t("ingest.sheet_read", lang=lang, sheet=checked.table.sheet) \
        if checked.table.sheet else ""  # always say which sheet of a workbook was read
    lines = [t("ingest.summary", lang=lang, file=checked.filename + sheet, rows=c["rows"],
               good=c["good"], refused=c["refused"], blank=c["blank"],
               header_row=checked.table.header_row)]
    if checked.table.ignored:
        lines.append(t("ingest.ignored", lang=lang,
                       columns=", ".join(f"«{h}»" for h in checked.table.ignored)))
    for p in checked.problems.head(limit).itertuples(index=False):
        lines.append(t("ingest.problem_line", lang=lang, row=p.row, column=p.column,
                       value=p.value, reason=p.reason, fix=p.fix))
    if len(checked.problems) > limit:
        lines.append(t("ingest.more_problems", lang=lang, more=len(checked.problems) - limit))
    return "\n".join(lines)


def format_result(result: StoreResult, lang: str) -> str:
    """One line (two with a warning) saying what an upload changed."""
    if result.duplicate_of is not None:
        text = t("ingest.duplicate_file", lang=lang, upload=result.duplicate_of,
                 when=fmt_datetime(result.duplicate_at))
    else:
        key = "ingest.would_store" if result.dry_run else "ingest.stored"
        text = t(key, lang=lang, inserted=result.inserted, superseded=result.superseded,
                 unchanged=result.unchanged,
                 first=fmt_date(result.first_date) if result.first_date else "–")
    if result.warning:
        text += "\n" + result.warning
    elif result.recomputing:
        text += " " + t("ingest.recomputing", lang=lang, first=fmt_date(result.first_date))
    elif result.first_date and not result.dry_run:
        text += " " + t("ingest.recomputed", lang=lang, first=fmt_date(result.first_date))
    return text
