"""Workbooks for users: the data-entry template and the error report.

Every text written to a cell that could start a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return) is neutralised with a leading apostrophe, so a report built from a
hostile upload cannot run anything when opened in Excel.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.ingest.read import HEADER_ALIASES
from zones.ingest.units import OBSERVED_LEVELS as REPORTING_LEVELS
from zones.safe import neutralise
from zones.storage.schema import METRICS

MAX_TEMPLATE_ROWS = 50_000
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _to_bytes(book: Workbook) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# --- template -------------------------------------------------------------------------------

def subtree(units: pd.DataFrame, code: str) -> pd.DataFrame:
    """The unit ``code`` followed by all its descendants, depth first, by code."""
    children: dict[str, list[str]] = {}
    for c, p in zip(units["code"], units["parent_code"], strict=True):
        if p is not None:
            children.setdefault(p, []).append(c)
    order, stack, seen = [], [code], set()
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        order.append(c)
        stack.extend(sorted(children.get(c, []), reverse=True))
    return units.loc[order]


def template_headers(lang: str | None = None) -> list[str]:
    """Column headers of the template: Vietnamese aliases (English names when lang=en)."""
    if lang == "en":
        return ["date", "unit_code", "unit_name", *METRICS]
    return [HEADER_ALIASES[c][0] for c in ("date", "unit_code", "unit_name", *METRICS)]


def _check_range(n_units: int, start: date, end: date, lang: str | None) -> int:
    if end < start:
        raise ZonesError(t("ingest.template.bad_range", lang=lang, start=fmt_date(start),
                           end=fmt_date(end)))
    days = (end - start).days + 1
    if days * n_units > MAX_TEMPLATE_ROWS:
        raise ZonesError(t("ingest.template.too_big", lang=lang, rows=days * n_units,
                           limit=MAX_TEMPLATE_ROWS))
    return days


def _validations(ws, first_row: int, last_row: int, lang: str | None) -> None:
    first_col = 4
    flag_col = first_col + METRICS.index("treatment_capacity_ok")
    last_col = first_col + len(METRICS) - 1
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, showErrorMessage=True,
                            errorTitle=t("ingest.template.dv_title", lang=lang),
                            error=t("ingest.template.dv_count", lang=lang))
    flag = DataValidation(type="whole", operator="between", formula1="0", formula2="1",
                          allow_blank=True, showErrorMessage=True,
                          errorTitle=t("ingest.template.dv_title", lang=lang),
                          error=t("ingest.template.dv_flag", lang=lang))
    col = get_column_letter
    counts.add(f"{col(first_col)}{first_row}:{col(flag_col - 1)}{last_row}")
    if flag_col < last_col:
        counts.add(f"{col(flag_col + 1)}{first_row}:{col(last_col)}{last_row}")
    flag.add(f"{col(flag_col)}{first_row}:{col(flag_col)}{last_row}")
    ws.add_data_validation(counts)
    ws.add_data_validation(flag)


def _data_sheet(ws, rows: pd.DataFrame, title: str, lang: str | None) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([t("ingest.template.subtitle", lang=lang)])
    ws.append([])
    ws.append(template_headers(lang))
    for cell in ws[4]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for d, code, name in rows.itertuples(index=False, name=None):
        ws.append([d, neutralise(code), neutralise(name)])
        r = ws.max_row
        ws.cell(r, 1).number_format = "DD/MM/YYYY"
        ws.cell(r, 2).number_format = "@"
    _validations(ws, 5, max(ws.max_row, 5), lang)
    ws.freeze_panes = "D5"
    ws.row_dimensions[4].height = 60
    for i, width in enumerate([12, 12, 28] + [14] * len(METRICS), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _help_sheet(ws, lang: str | None) -> None:
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["B"].width = 30
    for line in t("ingest.template.help", lang=lang).strip().splitlines():
        ws.append([line])
    ws.append([])
    ws.append([t("ingest.template.help_header", lang=lang), t("ingest.template.help_name",
                                                              lang=lang)])
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
    for column in ("date", "unit_code", "unit_name", *METRICS):
        ws.append([HEADER_ALIASES[column][0], column])


def template_xlsx(units: pd.DataFrame, code: str, start: date, end: date,
                  lang: str | None = None) -> bytes:
    """The data-entry workbook for the reporting units (communes, hamlets) in a unit's
    subtree, one row per unit and date: figures are sent for those units only."""
    tree = subtree(units, code)
    tree = tree[tree["level"].isin(REPORTING_LEVELS)]
    days = _check_range(len(tree), start, end, lang)
    dates = pd.date_range(start, periods=days, freq="D").to_pydatetime()
    rows = pd.DataFrame([(d, c, n) for d in dates
                         for c, n in zip(tree["code"], tree["name"], strict=True)])
    book = Workbook()
    ws = book.active
    ws.title = t("ingest.template.sheet", lang=lang)
    title = t("ingest.template.title", lang=lang, unit=units.loc[code, "name"], code=code,
              start=fmt_date(start), end=fmt_date(end))
    _data_sheet(ws, rows if len(rows) else pd.DataFrame(columns=[0, 1, 2]), title, lang)
    _help_sheet(book.create_sheet(t("ingest.template.help_sheet", lang=lang)), lang)
    return _to_bytes(book)


# --- error report ---------------------------------------------------------------------------

def reasons_by_row(problems: pd.DataFrame) -> pd.Series:
    """One text per refused row: "column: reason → fix; …"."""
    lines = problems["column"].astype(str) + ": " + problems["reason"] + " → " + problems["fix"]
    return lines.groupby(problems["row"]).agg("; ".join)


def report_headers() -> set[str]:
    """The columns an error report adds (row number, reasons), in every language."""
    return {t(key, lang=lang) for key in ("ingest.report.row", "ingest.report.reasons")
            for lang in ("vi", "en")}


def without_report_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns an earlier error report added: a corrected report
    sent back is an ordinary upload."""
    ours = report_headers()
    return frame.loc[:, [c for c in frame.columns if str(c).strip() not in ours]]


def error_report_xlsx(original: pd.DataFrame, problems: pd.DataFrame,
                      lang: str | None = None) -> bytes:
    """The refused rows as in the file, with their row number and a column of reasons."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(t("ingest.report.sheet", lang=lang))
    reasons = reasons_by_row(problems) if len(problems) else pd.Series(dtype=object)
    original = without_report_columns(original)
    head = [t("ingest.report.row", lang=lang), *original.columns,
            t("ingest.report.reasons", lang=lang)]
    ws.append([neutralise(str(h)) for h in head])
    rows = original.loc[original.index.isin(reasons.index)]
    for number, *cells in rows.itertuples(index=True, name=None):
        ws.append([number, *map(neutralise, cells), neutralise(reasons[number])])
    return _to_bytes(book)
