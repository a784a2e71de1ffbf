"""History charts of one unit (plotly): rate with level bands, tests, vaccination, levels."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.common import lang, tr

_LAYOUT = {"height": 230, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
           "legend": {"orientation": "h", "y": -0.25},
           "xaxis": {"tickformat": "%d/%m", "hoverformat": "%d/%m/%Y"},
           "hovermode": "x unified"}


def separators(language: str | None = None) -> str:
    """Plotly's decimal and thousands marks: "365,7" and "1.240" in Vietnamese."""
    return ",." if (language or lang()) == "vi" else ".,"


def _layout(**extra) -> dict:
    """The charts' common layout in the UI's language (number marks), with ``extra``."""
    return {**_LAYOUT, "separators": separators(), **extra}


def history_ui(history: pd.DataFrame, levels: pd.Series | None, day, names, colours,
               edges: list[float] | None) -> None:
    """Charts of cases per 100,000 (with bands), tests and positivity, vaccination, levels."""
    if history.empty:
        st.caption(tr("ui.no_history"))
        return
    st.plotly_chart(_rate_chart(history, day, colours, edges), width="stretch",
                    config={"displayModeBar": False})
    st.plotly_chart(_tests_chart(history, day), width="stretch",
                    config={"displayModeBar": False})
    st.plotly_chart(_vacc_chart(history, day), width="stretch",
                    config={"displayModeBar": False})
    if levels is not None:
        st.plotly_chart(_strip(levels, day, names, colours), width="stretch",
                        config={"displayModeBar": False})


@cache
def _chart_bundle() -> str | None:
    """The file name of Streamlit's chart code (``PlotlyChart.<hash>.js``, about 4.7 MB
    unpacked: plotly itself), loaded by the page only when a first chart is drawn; None
    when this Streamlit has no such file."""
    found = sorted((Path(st.__file__).resolve().parent / "static" / "static" / "js")
                   .glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


#: once the map's layer is painted (``window.__zl.layer`` in its frame, as the browser
#: tests read it; at most 10 s) and the page is idle, the browser imports the chart code
#: Streamlit would import on the first chart: the same URL, so the same module, and the
#: first click on a unit finds it loaded. No "<" (Streamlit's sanitiser).
PRELOAD_JS = """<script>(function () {
  if (window.__zonesCharts) { return; }
  window.__zonesCharts = true;
  var main = document.querySelector("script[type='module'][src*='/static/js/index.']");
  if (!main) { return; }
  var url = new URL(%s, main.src).href, tries = 0;
  function painted() {
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i !== frames.length; i++) {
      try { var z = frames[i].contentWindow.__zl; if (z && z.layer) { return true; } }
      catch (e) { /* another origin's frame */ }
    }
    return false;
  }
  function load() { import(url).catch(function () { window.__zonesCharts = false; }); }
  (function wait() {
    tries += 1;
    if (!painted() && tries !== 50) { setTimeout(wait, 200); return; }
    if (window.requestIdleCallback) { window.requestIdleCallback(load, {timeout: 3000}); }
    else { setTimeout(load, 300); }
  })();
})();</script>"""


#: the session state's mark of a session whose browser was told to load the chart code
PRELOADED = "_charts_preloaded"


def preload() -> None:
    """Have the browser load the chart code once the map is painted, so a first click
    on a unit draws its charts without waiting for plotly (issue 21: click -> charts
    <= 1 s). Nothing when Streamlit's build has no separate chart file."""
    name = _chart_bundle()
    # once a session: the browser keeps the module (a later run drops the script, not it)
    if name is not None and not st.session_state.get(PRELOADED):
        st.session_state[PRELOADED] = True
        # in the sidebar, whose scripts take no room (widgets.streamlit_texts)
        st.sidebar.html(PRELOAD_JS % json.dumps(name).replace("<", "\\u003c"),
                        unsafe_allow_javascript=True)


def _marker(fig: go.Figure, day) -> None:
    fig.add_vline(x=pd.Timestamp(day), line_width=1, line_dash="dot", line_color="#333")


def _rate_chart(h: pd.DataFrame, day, colours, edges) -> go.Figure:
    fig = go.Figure()
    top = max(float(h["rate_7d"].max() or 0) * 1.1, (edges[-1] * 1.2) if edges else 10)
    if edges:
        bounds = [0, *edges, top]
        for lv in range(1, 5):
            fig.add_hrect(y0=bounds[lv - 1], y1=bounds[lv], fillcolor=colours[lv],
                          opacity=0.18, line_width=0)
    fig.add_trace(go.Scatter(x=h.index, y=h["rate_7d"], name=tr("ui.rate"),
                             line={"color": "#222", "width": 2}))
    _marker(fig, day)
    # the bands' meaning on a line of its own: one line was cut in the unit's panel
    fig.update_layout(**_layout(title={"text": tr("ui.chart.rate"),
                                       "subtitle": {"text": tr("ui.chart.rate.bands")}},
                                yaxis={"range": [0, top], "hoverformat": ",.1f"},
                                height=260, margin={**_LAYOUT["margin"], "t": 62}))
    return fig


def _tests_chart(h: pd.DataFrame, day) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Bar(x=h.index, y=h["tests_pcr"], name="PCR", marker_color="#8fb3d9"))
    fig.add_trace(go.Bar(x=h.index, y=h["tests_antigen"], name=tr("ui.chart.antigen"),
                         marker_color="#c9d7e6"))
    fig.add_trace(go.Scatter(x=h.index, y=h["positivity"], name=tr("ui.chart.positivity"),
                             yaxis="y2", line={"color": "#b3261e"},
                             hovertemplate="%{y:,.1f}%"))
    _marker(fig, day)
    fig.update_layout(**_layout(
        title=tr("ui.chart.tests"), barmode="stack",
        yaxis={"rangemode": "nonnegative", "hoverformat": ",d"},
        yaxis2={"overlaying": "y", "side": "right", "ticksuffix": "%", "rangemode": "nonnegative",
                "hoverformat": ",.1f"}))
    return fig


def _vacc_chart(h: pd.DataFrame, day) -> go.Figure:
    fig = go.Figure()
    for col, key, colour in (("cover_18", "ui.chart.cover18", "#2b6cb0"),
                             ("cover_50", "ui.chart.cover50", "#6b46c1"),
                             ("cover_65", "ui.chart.cover65", "#b7791f")):
        fig.add_trace(go.Scatter(x=h.index, y=h[col], name=tr(key), line={"color": colour},
                                 hovertemplate="%{y:,.1f}%"))
    _marker(fig, day)
    fig.update_layout(**_layout(title=tr("ui.chart.vaccination"),
                                yaxis={"range": [0, 100], "ticksuffix": "%", "hoverformat": ",.1f"}))
    return fig


def _strip(levels: pd.Series, day, names, colours) -> go.Figure:
    fig = go.Figure()
    for lv in range(5):
        sel = levels[levels == lv]
        if sel.empty:
            continue
        fig.add_trace(go.Bar(x=sel.index, y=[1] * len(sel), name=names[lv],
                             marker_color=colours[lv], width=86_400_000,
                             hovertemplate="%{x|%d/%m/%Y}<extra>" + names[lv] + "</extra>"))
    _marker(fig, day)
    layout = {k: v for k, v in _layout(height=150).items() if k != "hovermode"}
    fig.update_layout(title=tr("ui.chart.levels"), barmode="stack", bargap=0,
                      yaxis={"visible": False}, showlegend=False, **layout)
    return fig
