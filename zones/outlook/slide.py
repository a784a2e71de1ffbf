"""The briefing's slide "Đơn vị có nguy cơ tăng cấp tuần tới": the units of the briefing
with a probability of 50 % or more of a higher level on D+7, and the backtest's skill in
one line (the 14 days whose outcome is known by the briefing's day)."""

from __future__ import annotations

import pandas as pd

from zones.briefing.model import Briefing
from zones.briefing.parts import Section
from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.outlook import service
from zones.workspace import Workspace

#: units listed on the slide (the most likely first; the page lists them all)
MAX_ROWS = 15
#: days of outlooks the skill line scores
SKILL_DAYS = 14


def _percent(p: float, lang: str) -> str:
    return f"{p * 100:.0f}%"


def _num(x: float, digits: int, lang: str) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "vi" else text


def section(ws: Workspace, b: Briefing) -> Section:
    """The slide of a prepared briefing."""
    lang = b.lang
    frame = service.day_outlook(ws, b.end, b.level, lang).frame
    if b.unit is not None:
        frame = frame[frame["unit_code"].isin(service.subtree(ws, b.unit))]
    up = frame[frame["p_up"] >= 0.5].sort_values("p_up", ascending=False)
    names = b.names
    header = [t("brief.col.unit", lang=lang), t("out.col.level", lang=lang),
              t("out.col.p_up", lang=lang), t("out.col.expected", lang=lang),
              t("out.col.reason", lang=lang)]
    rows = [[f"{r.unit_name} ({r.unit_code})", names[int(r.level)], _percent(r.p_up, lang),
             names[int(r.expected_level)] if pd.notna(r.expected_level) else "",
             r.reason] for r in up.head(MAX_ROWS).itertuples()]
    lines = [] if rows else [t("out.none_up", lang=lang)]
    end = pd.Timestamp(b.end) - pd.Timedelta(days=7)
    try:
        bt = service.backtest(ws, (end - pd.Timedelta(days=SKILL_DAYS - 1)).date(),
                              end.date(), b.level, b.unit)
        lines.append(t("out.skill_line", lang=lang, start=fmt_date(bt.start),
                       end=fmt_date(bt.end), up=_num(bt.brier_up, 3, lang),
                       up_p=_num(bt.brier_up_persistence, 3, lang),
                       recall="–" if bt.changes == 0 else _num(bt.recall, 2, lang)))
    except ZonesError:
        pass  # too early in the data for a backtest: the slide says nothing of skill
    if len(up) > MAX_ROWS:
        lines.append(t("out.more", lang=lang, n=len(up) - MAX_ROWS))
    title = t("out.up_title", lang=lang) + f" ({fmt_date(b.end)} → " \
        f"{fmt_date((pd.Timestamp(b.end) + pd.Timedelta(days=7)).date())})"
    return Section("outlook", title, lines, header, rows, widths=[2.4, 1.8, 1.2, 1.8, 4.6])
