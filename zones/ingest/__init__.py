"""Uploads of daily figures: read (CSV/XLSX), resolve units, validate every row,
store new versions (the old ones stay in the history), templates and error reports."""

from zones.ingest.check import Checked
from zones.ingest.upload import (
    check_upload,
    error_report,
    export_frame,
    format_check,
    format_result,
    history_table,
    preview,
    store_checked,
    template_for_unit,
    unit_history,
    unit_index,
)
from zones.ingest.versions import StoreResult, sha256

__all__ = ["Checked", "StoreResult", "check_upload", "error_report", "export_frame",
           "format_check", "format_result", "history_table", "preview", "sha256",
           "store_checked", "template_for_unit", "unit_history", "unit_index"]
