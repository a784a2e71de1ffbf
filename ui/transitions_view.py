"""Rendering for the "Chuyển cấp" page: Sankey of flows, map of changes, table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import charts, loaders, map_component, widgets
from ui.common import tr
from zones import api
from zones.maps.mapview import level_string, look

UNCHANGED = 5
UNCHANGED_COLOUR = "#f3f3f3"


def sankey(frame: pd.DataFrame, names: dict[int, str], colours: dict[int, str]) -> go.Figure:
    """Flows from the levels on the first date (left) to those on the second (right)."""
    f = api.flows(frame)
    order = [4, 3, 2, 1, 0]
    left = {lv: i for i, lv in enumerate(order)}
    right = {lv: i + len(order) for i, lv in enumerate(order)}
    labels = [names[lv] for lv in order] * 2
    node_colours = [colours[lv] for lv in order] * 2
    link_colours = [_rgba(colours[int(b)], 0.45) for b in f["to_level"]]
    fig = go.Figure(go.Sankey(
        node={"label": labels, "color": node_colours, "pad": 18, "thickness": 16},
        link={"source": [left[int(a)] for a in f["from_level"]],
              "target": [right[int(b)] for b in f["to_level"]],
              "value": f["units"].tolist(), "color": link_colours}, valueformat=",d"))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      separators=charts.separators())
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def change_map(frame: pd.DataFrame, level: str, parent: str | None, names, colours,
               label: str) -> None:
    """Units that moved, coloured by their new level; the others faded."""
    lay = loaders.layer(level, parent)
    moved = frame.set_index("unit_code")["to_level"].fillna(0).astype(int)
    digits = np.full(len(lay.codes), UNCHANGED)
    pos = lay.codes.get_indexer(moved.index)
    digits[pos[pos >= 0]] = moved.to_numpy()[pos >= 0]
    all_names = (*tuple(names[i] for i in range(5)), tr("tr.unchanged"))
    spec = look(all_names, tr("tr.col.to_level"),
                     {**{i: colours[i] for i in range(5)}, UNCHANGED: UNCHANGED_COLOUR},
                     {"rate": tr("ui.rate")}) | {
        "layer": lay.url, "bounds": lay.bounds, "outlines": [], "timeline": None,
        "tiles": None, "levels": level_string(digits), "rates": [], "label": label,
        "selected": None, "clicks": False, "wheel": False, "height": 480}
    map_component.levels_map(spec, "transitions-map")


def readable(frame: pd.DataFrame, names: dict[int, str], changed_on=None) -> pd.DataFrame:
    """The transitions as users read them (level names, dd/mm/yyyy, the cause in words,
    translated headers); ``changed_on``: the day the rule set changed, if it did."""
    shown = frame[api.TRANSITION_COLUMNS].copy()
    for col in ("from_level", "to_level"):
        shown[col] = [names[int(v) if pd.notna(v) else 0] for v in shown[col]]
    shown["changed_on"] = [widgets.fmt_day(d) if d else "" for d in shown["changed_on"]]
    day = widgets.fmt_day(changed_on) if changed_on else ""
    shown["cause"] = [tr(f"tr.cause.{c}", date=day) if c else "" for c in shown["cause"]]
    return shown.rename(columns=lambda c: tr(f"tr.col.{c}"))


def ruleset_note(moved) -> str | None:
    """What the page says when some units moved only because the rule set changed."""
    change = moved.ruleset_change
    n = int((moved.frame["cause"] == "ruleset").sum())
    if change is None or not n:
        return None
    return tr("tr.ruleset_note", n=n, date=widgets.fmt_day(change.on),
              end=widgets.fmt_day(moved.end))


def table_ui(frame: pd.DataFrame, names: dict[int, str], changed_on=None) -> pd.DataFrame:
    """The transitions table on the page."""
    shown = readable(frame, names, changed_on)
    widgets.table(shown, hide_index=True, width="stretch")
    return shown


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The download: the CLI's columns and values (levels in force), UTF-8 with BOM."""
    return api.safe_frame(frame[api.TRANSITION_COLUMNS]).to_csv(index=False).encode(
        "utf-8-sig")
