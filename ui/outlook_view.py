"""Rendering for the page "Tuần tới": the map of next week's risk of a higher level, the
list of units at risk, the backtest of a province."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui import loaders, map_component, widgets
from ui.common import lang, tr
from zones.maps.mapview import level_string, look

#: the map's classes of P(up): upper edges of classes 1..4 (class 0: no outlook)
CLASS_EDGES = (0.25, 0.5, 0.75)


def classes(p_up: pd.Series, level: pd.Series) -> np.ndarray:
    """Class 1..4 of each unit's P(up) (0 where there is no level, hence no outlook)."""
    cls = 1 + np.searchsorted(CLASS_EDGES, p_up.to_numpy(dtype=float), side="right")
    return np.where(level.notna().to_numpy(), cls, 0)


def percent(p: float) -> str:
    text = f"{p * 100:.1f}%"
    return text.replace(".", ",") if lang() == "vi" else text


def outlook_map(frame: pd.DataFrame, level: str, parent: str | None, colours, label: str
                ) -> None:
    """Units coloured by P(up) (their probability and P(down) in the tooltip), the units
    one case away from another level today marked."""
    lay = loaders.layer(level, parent)
    rows = frame.set_index("unit_code").reindex(lay.codes)
    cls = classes(rows["p_up"].fillna(0), rows["level"])
    near = rows["near_threshold"].fillna(0).astype(int).to_numpy()
    tips = [tr("out.tip", up=percent(u), down=percent(d)) if c else ""
            for u, d, c in zip(rows["p_up"].fillna(0), rows["p_down"].fillna(0), cls,
                               strict=True)]
    names = (tr("out.class.0"), *(tr(f"out.class.{i}") for i in range(1, 5)))
    marks = level_string(np.where(near > 0, cls + 1, 0)) if near.any() else ""
    spec = look(names, tr("out.legend"), {i: colours[i] for i in range(5)},
                # a marked unit's tooltip reads "(near a threshold) <legend>: <class>"
                {"rate": tr("out.layer"), "marked": tr("out.near_mark") if marks else "",
                 "declared": tr("out.near_mark"), "computed": tr("out.legend")}) | {
        "layer": lay.url, "bounds": lay.bounds, "outlines": [], "timeline": None,
        "tiles": None, "levels": level_string(cls), "rates": tips, "label": label,
        "marks": marks, "selected": None, "clicks": False, "wheel": False, "height": 480}
    map_component.levels_map(spec, "outlook-map")


def at_risk(frame: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Units with P(up) >= 0.5, most likely first, as people read them."""
    up = frame[frame["p_up"] >= 0.5].sort_values("p_up", ascending=False)
    return pd.DataFrame({
        tr("out.col.unit"): up["unit_name"],
        tr("out.col.level"): [names[int(v)] for v in up["level"]],
        tr("out.col.p_up"): [percent(p) for p in up["p_up"]],
        tr("out.col.expected"): [names[int(v)] if pd.notna(v) else "" for v in
                                 up["expected_level"]],
        tr("out.col.near"): [tr("out.near_mark") if n else "" for n in up["near_threshold"]],
        tr("out.col.reason"): up["reason"]})


def bins_table(bins: pd.DataFrame) -> None:
    widgets.table(bins.rename(columns=lambda c: tr(f"out.bins.{c}")), hide_index=True,
                  width="stretch")
