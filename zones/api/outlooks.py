"""The outlook: next week's level per unit (probabilities), and its backtest."""

from __future__ import annotations

from datetime import date

import pandas as pd

from zones.api.action import action
from zones.errors import ZonesError
from zones.i18n import t
from zones.outlook import pathup, service
from zones.outlook.service import BIN_COLUMNS as OUTLOOK_BIN_COLUMNS
from zones.outlook.service import COLUMNS as OUTLOOK_COLUMNS
from zones.outlook.service import Backtest
from zones.safe import safe_frame
from zones.workspace import Workspace

__all__ = ["OUTLOOK_BIN_COLUMNS", "OUTLOOK_COLUMNS", "backtest_lines",
           "outlook", "outlook_backtest", "path_up"]

backtest_lines = service.backtest_lines


@action()
def outlook(ws: Workspace, day: date, level: str = "commune", unit: str | None = None,
            lang: str = "vi") -> pd.DataFrame:
    """CSV-ready outlook of ``day``: the ``level`` units (under ``unit``, itself included)
    with p_up, p_down, p_same (3 decimals, summing to 1), the most likely level on D+7,
    near_threshold and the reason."""
    inside = service.subtree(ws, unit) if unit else None
    frame = service.day_outlook(ws, day, level, lang).frame
    if inside is not None:
        frame = frame[frame["unit_code"].isin(inside)]
    if frame.empty:
        raise ZonesError(t("out.no_units", lang, level=level, unit=unit or t("ui.country", lang)))
    return safe_frame(frame.reset_index(drop=True))


@action()
def path_up(ws: Workspace, code: str, day, lang: str = "vi") -> list[str] | None:
    """What would take ``code`` up a level on ``day``: the smallest rise of each count
    (None for a unit assessed on its communes' figures or levels)."""
    return pathup.path_up(ws, code, day, lang)


@action()
def outlook_backtest(ws: Workspace, start: date, end: date, level: str = "commune",
                     unit: str | None = None, progress=None, lang: str = "vi") -> Backtest:
    """Every day of ``start`` .. ``end``: the outlook made with figures up to that day
    against the computed level 7 days later, beside persistence."""
    return service.backtest(ws, start, end, level, unit, progress)
