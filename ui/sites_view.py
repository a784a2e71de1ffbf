"""The safety map's sites on the pages (issue 25): what the map draws (its sites file,
the day, the bands of the scheme in force, the texts), and a unit's sites in its panel
(counts and the list; names shown as data)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ui import loaders
from ui.common import lang, md_text, tr, workspace
from zones import api
from zones.i18n import fmt_int

#: sites listed in a unit's panel (the page's lists have them all)
PANEL_ROWS = 50


def map_spec(day: date) -> dict:
    """The ``sites`` key of the map's spec: the file (fetched once per data version), the
    day shown and a few numbers (the bands), so a date step sends no points."""
    ws, day = workspace(), pd.Timestamp(day).date()
    return {"url": loaders.url_of(api.served_name(ws, "sites", lang=lang())), "day": day.isoformat(),
            "bands": api.site_bands(ws, day, lang()),
            "texts": {"title": tr("sites.map.title"),
                      "kinds": {k: tr(f"sites.kind.{k}") for k in api.SITE_KINDS},
                      "score": tr("sites.popup.score", score="{score}", band="{band}"),
                      "mustStop": tr("sites.popup.must_stop")}}


def unit_ui(code: str, day: date) -> None:
    """A unit's sites valid on the day (its subtree): facilities by band, quarantine beds
    (free), lockdowns in force, and the list."""
    got = api.unit_sites(workspace(), code, pd.Timestamp(day).date(), lang())
    total = got["facilities"] + got["quarantine"] + got["lockdowns"]
    with st.container(key="unit-sites"):
        st.markdown(f"**{tr('sites.panel.title', n=fmt_int(total, lang()))}**")
        if total == 0:
            st.caption(tr("sites.panel.none"))
            return
        bands = " · ".join(f"{md_text(name)} {fmt_int(n, lang())}"
                           for _key, name, _colour, n in got["bands"])
        st.caption(tr("sites.panel.facilities", n=fmt_int(got["facilities"], lang()))
                   + (f": {bands}" if got["facilities"] else ""))
        st.caption(tr("sites.panel.quarantine", n=fmt_int(got["quarantine"], lang()),
                      occupied=fmt_int(got["occupied"], lang()),
                      capacity=fmt_int(got["capacity"], lang()),
                      free=fmt_int(got["free"], lang())))
        st.caption(tr("sites.panel.lockdowns", n=fmt_int(got["lockdowns"], lang())))
        rows = got["rows"].rename(columns={
            "kind": tr("sites.col.kind"), "name": tr("sites.col.name"),
            "detail": tr("sites.col.detail"), "from": tr("sites.col.from"),
            "to": tr("sites.col.to")})
        if len(rows) > PANEL_ROWS:
            st.caption(tr("ui.list.capped", shown=fmt_int(PANEL_ROWS, lang()),
                          n=fmt_int(len(rows), lang())))
        # a plain table (names are text, escaped by Streamlit): the panel's few rows
        st.table(rows.head(PANEL_ROWS).set_index(rows.columns[0]))
