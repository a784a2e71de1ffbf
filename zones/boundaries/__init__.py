"""Boundary imports: read a file (``geodata``), map its fields, validate and repair,
build the hierarchy, and store it as a boundary set in one transaction."""

from zones.boundaries.imports import (
    Downloaded,
    ImportOptions,
    ImportPlan,
    ImportReport,
    commit_import,
    discard_upload,
    download_source,
    export_frame,
    file_columns,
    file_layers,
    plan_import,
    preview_layer,
    report_lines,
    sets_table,
    stage_upload,
)

__all__ = ["Downloaded", "ImportOptions", "ImportPlan", "ImportReport", "commit_import",
           "discard_upload", "download_source", "export_frame", "file_columns", "file_layers", "plan_import",
           "preview_layer", "report_lines", "sets_table", "stage_upload"]
