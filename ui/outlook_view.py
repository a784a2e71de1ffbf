"""The outlook on the pages (issue 23): the map of next week's risk of a higher level —
on the page "Tuần tới" and as the layer "Tuần tới" of the main map, from one spec — the
unit panel's probabilities, the list of units at risk, the backtest of a province."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import loaders, map_component, mapstate, widgets
from ui.common import lang, md_text, show_error, tr, workspace
from zones import api
from zones.errors import ZonesError
from zones.i18n import fmt_num, t
from zones.maps.mapview import level_string, look
from zones.maps.palettes import OUTLOOK_COLOURS

#: the map's classes of P(up): upper edges of classes 1..4 (class 0: no outlook)
CLASS_EDGES = (0.25, 0.5, 0.75)
#: the main map's toggle of the layer (session key)
LAYER_KEY = "outlook_layer"


def classes(p_up: pd.Series, level: pd.Series) -> np.ndarray:
    """Class 1..4 of each unit's P(up) (0 where there is no level, hence no outlook)."""
    cls = 1 + np.searchsorted(CLASS_EDGES, p_up.to_numpy(dtype=float), side="right")
    return np.where(level.notna().to_numpy(), cls, 0)


def percent(p: float, language: str | None = None) -> str:
    """A probability as people read it: 62,5% (vi) / 62.5% (en)."""
    return f"{fmt_num(float(p) * 100, 1, language or lang())}%"


def outlook_spec(frame: pd.DataFrame, lay: loaders.Layer, colours, label: str,
                 language: str) -> dict:
    """The map spec of an outlook table (``api.outlook``'s columns) over the units of
    ``lay``: each unit's class of P(up), its P(up) and P(down) in the tooltip (plain text:
    the map escapes every text), the units one case away from another level today marked
    with the legend's line for them. No player: an outlook is of one day."""
    rows = frame.set_index("unit_code").reindex(lay.codes)
    cls = classes(rows["p_up"].fillna(0), rows["level"])
    near = rows["near_threshold"].fillna(0).astype(int).to_numpy()
    tips = [t("out.tip", lang=language, up=percent(u, language), down=percent(d, language))
            if c else "" for u, d, c in zip(rows["p_up"].fillna(0), rows["p_down"].fillna(0),
                                            cls, strict=True)]
    names = [t(f"out.class.{i}", lang=language) for i in range(5)]
    marks = level_string(np.where(near > 0, cls + 1, 0)) if near.any() else ""
    near_word = t("out.near_mark", lang=language)
    # a marked unit's tooltip reads "(near a threshold) <legend>: <class>"
    texts = {"rate": t("out.layer", lang=language), "marked": near_word if marks else "",
             "declared": near_word, "computed": t("out.legend", lang=language),
             "play": "", "pause": "", "day": "", "week": "", "pending": ""}
    return look(names, t("out.legend", lang=language), {i: colours[i] for i in range(5)},
                texts) | {
        "layer": lay.url, "bounds": lay.bounds, "timeline": None, "tiles": None,
        "levels": level_string(cls), "rates": tips, "label": label, "marks": marks,
        "pending": "", "notes": {}}


def outlook_map(frame: pd.DataFrame, level: str, parent: str | None, colours, label: str
                ) -> None:
    """The page's map: units coloured by P(up), not clickable."""
    spec = outlook_spec(frame, loaders.layer(level, parent), colours, label, lang()) | {
        "outlines": [], "selected": None, "clicks": False, "wheel": False, "height": 480}
    map_component.levels_map(spec, "outlook-map")


def layer_ui(lay: loaders.Layer, dv: api.DayView, edges, height: int, key: str) -> bool:
    """The main map's layer "Tuần tới" for the day view (the level in force only): the
    view's units coloured by P(up) through the map's own component, a click opens the
    unit's panel. False (an error shown) when there is no outlook for the day."""
    code = map_component.clicked_unit(map_component.new_message(key, "click"))
    if code is not None and code in lay.codes:
        mapstate.select(code)
    try:
        with st.spinner(tr("out.computing")):
            frame = api.outlook(workspace(), dv.day, dv.level, None, lang())
    except ZonesError as err:
        show_error(err)
        return False
    target = pd.Timestamp(dv.day) + pd.Timedelta(days=7)
    label = f"{widgets.fmt_day(dv.day)} → {widgets.fmt_day(target)}"
    spec = outlook_spec(frame, lay, OUTLOOK_COLOURS, label, lang()) | {
        "outlines": list(edges), "selected": st.session_state.get("selected"),
        "clicks": True, "height": height}
    map_component.levels_map(spec, key)
    shown = frame[frame["unit_code"].isin(lay.codes)]
    st.caption(tr("out.summary", n=int((shown["p_up"] >= 0.5).sum()), total=len(shown),
                  near=int(shown["near_threshold"].sum())))
    return True


def unit_ui(code: str, level: str, day) -> None:
    """The unit panel's outlook: P(up), P(down), P(same) on D+7, near a threshold."""
    try:
        frame = api.outlook(workspace(), day, level, code, lang())
    except ZonesError as err:
        show_error(err)
        return
    row = frame[frame["unit_code"] == code]
    if row.empty or pd.isna(row["level"].iloc[0]):
        st.caption(tr("out.class.0"))
        return
    r = row.iloc[0]
    target = pd.Timestamp(day) + pd.Timedelta(days=7)
    st.markdown(tr("out.panel.outlook", target=widgets.fmt_day(target), up=percent(r["p_up"]),
                   down=percent(r["p_down"]), same=percent(r["p_same"])))
    if int(r["near_threshold"]):
        st.caption(f":material/warning: {tr('out.panel.near')}")
    if isinstance(r["reason"], str) and r["reason"]:
        st.caption(md_text(r["reason"]))


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
