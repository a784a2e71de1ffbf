"""Workbooks for users: the data-entry template and the error report.

Every text written to a cell that could start a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return) is neutralised with a leading apostrophe, so a report built from a
hostile upload cannot run anything when opened in Excel.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.ingest.check import cell_text
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


def template_headers(lang: str) -> list[str]:
    """Column headers of the template: Vietnamese aliases (English names when lang=en)."""
    if lang == "en":
        return ["date", "unit_code", "unit_name", *METRICS]
    return [HEADER_ALIASES[c][0] for c in ("date", "unit_code", "unit_name", *METRICS)]


def _check_range(n_units: int, start: date, end: date, lang: str) -> int:
    if end < start:
        raise ZonesError(t("ingest.template.bad_range", lang=lang, start=fmt_date(start),
                           end=fmt_date(end)))
    days = (end - start).days + 1
    if days * n_units > MAX_TEMPLATE_ROWS:
        raise ZonesError(t("ingest.template.too_big", lang=lang, rows=days * n_units,
                           limit=MAX_TEMPLATE_ROWS))
    return days


def _validations(ws, first_row: int, last_row: int, lang: str) -> None:
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


def _data_sheet(ws, rows: pd.DataFrame, title: str, lang: str) -> None:
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


def _help_sheet(ws, lang: str) -> None:
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
                  lang: str) -> bytes:
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
    """One text per refused row: "column: reason → fix; …" (rows in order; a row's
    problems joined in one vectorised pass, not one Python call per row)."""
    if problems.empty:
        return pd.Series(dtype=object)
    ordered = problems.sort_values("row", kind="stable")
    rows = ordered["row"].to_numpy()
    first = np.r_[True, rows[1:] != rows[:-1]]
    lines = (np.where(first, "", "; ").astype(object)
             + ordered["column"].to_numpy(dtype=object).astype(str).astype(object) + ": "
             + ordered["reason"].to_numpy(dtype=object) + " → "
             + ordered["fix"].to_numpy(dtype=object))
    joined = np.add.reduceat(lines, np.flatnonzero(first))  # one concatenation per row
    return pd.Series(joined, index=rows[first], dtype=object)


def report_headers() -> set[str]:
    """The columns an error report adds (row number, reasons), in every language."""
    return {t(key, lang=lang) for key in ("ingest.report.row", "ingest.report.reasons")
            for lang in ("vi", "en")}


def without_report_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns an earlier error report added: a corrected report
    sent back is an ordinary upload."""
    ours = report_headers()
    return frame.loc[:, [c for c in frame.columns if str(c).strip() not in ours]]


#: characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return;
#: U+FFFE, U+FFFF): shown in a report as control pictures (U+0007 -> "␇"), the row kept
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _picture(hit: re.Match) -> str:
    code = ord(hit.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "<sheetData>")
_SHEET_TAIL = "</sheetData></worksheet>"
_REPORT_CHUNK = 20_000  # rows of the report's XML built and compressed at a time


def xml_text(value: str) -> str:
    """Text that an XML cell can hold: markup escaped, illegal control characters shown
    as control pictures, lone surrogates replaced (never a failed report)."""
    text = value
    if _NEEDS_ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _ILLEGAL_XML.sub(_picture, text)
    if text.isascii():
        return text
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"


def _cell_tail(value: object) -> str:
    """A cell's XML after its reference: a number, or text (formula-safe), "" when empty."""
    if type(value) is not str:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            return ""
        if isinstance(value, (bool, np.bool_)):
            return f' t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float, np.integer, np.floating)):
            return f"><v>{(value.item() if isinstance(value, np.generic) else value)!r}</v></c>"
        value = cell_text(value)
        if value == "":
            return ""
    text = xml_text(neutralise(value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _column_cells(values: np.ndarray, prefix: str, rows: np.ndarray) -> np.ndarray:
    """The XML of one column's cells (each distinct value formatted once); ``rows``: the
    row numbers as text, ``prefix``: '<c r="' and the column's letters."""
    kinds = set(map(type, values))
    if bool in kinds and len(kinds) > 1:  # True == 1 would share a hash with 1
        codes, uniques = np.arange(len(values)), values
        codes = np.where(pd.isna(values), -1, codes)
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    tails = np.array([*(_cell_tail(v) for v in uniques), ""], dtype=object)[codes]
    cells = (prefix + rows + '"') + tails
    cells[tails == ""] = ""
    return cells


def _sheet_rows(columns: list[np.ndarray], first: int) -> str:
    """``<row>`` elements of ``columns`` (object arrays of one length), numbered from
    ``first``."""
    rows = np.array([str(r) for r in range(first, first + len(columns[0]))], dtype=object)
    out = '<row r="' + rows + '">'
    for i, values in enumerate(columns):
        out = out + _column_cells(values, f'<c r="{get_column_letter(i + 1)}', rows)
    return "".join(out + "</row>")


def error_report_xlsx(original: pd.DataFrame, problems: pd.DataFrame,
                      lang: str) -> bytes:
    """The refused rows as in the file, with their row number and a column of reasons.

    The sheet's XML is built column by column (a 500,000-row report in seconds, where a
    cell-by-cell writer takes minutes), every text escaped and formula-safe; openpyxl
    writes the rest of the package."""
    reasons = reasons_by_row(problems) if len(problems) else pd.Series(dtype=object)
    original = without_report_columns(original)
    head = [t("ingest.report.row", lang=lang), *map(str, original.columns),
            t("ingest.report.reasons", lang=lang)]
    rows = original.loc[original.index.isin(reasons.index)]
    columns = [rows.index.to_numpy(dtype=object),
               *(rows[c].to_numpy(dtype=object) for c in rows.columns),
               reasons.reindex(rows.index).to_numpy(dtype=object)]
    header = '<row r="1">' + "".join(
        f'<c r="{get_column_letter(i + 1)}1"{_cell_tail(h)}' for i, h in enumerate(head)
        if _cell_tail(h)) + "</row>"
    book = Workbook(write_only=True)
    book.create_sheet(t("ingest.report.sheet", lang=lang))
    skeleton = zipfile.ZipFile(io.BytesIO(_to_bytes(book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in skeleton.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, skeleton.read(item))
                continue
            with dst.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write((_SHEET_HEAD + header).encode())
                for start in range(0, len(rows), _REPORT_CHUNK):
                    part = [c[start:start + _REPORT_CHUNK] for c in columns]
                    sheet.write(_sheet_rows(part, start + 2).encode())
                sheet.write(_SHEET_TAIL.encode())
    return out.getvalue()
