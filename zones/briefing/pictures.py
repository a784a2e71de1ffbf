"""Pictures of a briefing, drawn with matplotlib from the same geometry and colours as the
web map: no browser and no internet, so a cron job can make them."""

from __future__ import annotations

import io
import math

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")  # no display: files only

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from rules.text import DATE_FORMAT
from zones.i18n import fmt_date, fmt_int, fmt_num, t
from zones.levels.dayview import DayView
from zones.maps.palettes import PALETTES

FONT = "DejaVu Sans"  # ships with matplotlib; has every Vietnamese letter
# names are text: a "$" in a unit name must not start matplotlib's math notation
plt.rcParams.update({"font.family": FONT, "axes.titleweight": "bold",
                     "text.parse_math": False})
BACKGROUND = "#dfe7ec"
WIDTH_IN, DPI = 16.0, 110  # 1,760 px wide


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def map_picture(view: DayView, geometry: gpd.GeoDataFrame, title: str,
                palette: str = "default", lang: str = "vi", width_in: float = WIDTH_IN,
                outlines: gpd.GeoDataFrame | None = None) -> bytes:
    """The map of a day view as a PNG: title and date, legend with the rule set's level
    names and unit counts, a scale bar, declared units marked, the notices."""
    shapes = geometry.loc[view.codes, ["geometry"]].copy()
    colours = PALETTES[palette]
    shapes["fill"] = [colours[int(v)] for v in view.in_force]
    x0, y0, x1, y1 = shapes.total_bounds
    aspect = (y1 - y0) / max((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)), 1e-9)
    fig_h = min(max(width_in * 0.62, width_in * 0.75 * aspect), width_in * 1.4)
    if width_in < 12:
        fig_h = width_in * min(max(aspect, 0.6), 1.2) + 2.2  # room for the legend below
    fig, ax = plt.subplots(figsize=(width_in, fig_h))
    ax.set_facecolor(BACKGROUND)
    shapes.plot(ax=ax, color=shapes["fill"], edgecolor="#555555", linewidth=0.3)
    if outlines is not None and not outlines.empty:
        outlines.boundary.plot(ax=ax, color="#303030", linewidth=1.2)
    marked = (view.declared > 0) & (view.declared != view.computed)
    if marked.any():
        shapes[marked].boundary.plot(ax=ax, color="black", linewidth=1.6, linestyle="--")
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    pad_x, pad_y = (x1 - x0) * 0.03, (y1 - y0) * 0.03
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(f"{title}\n{fmt_date(view.day)}", fontsize=18, loc="left")
    handles = [Patch(facecolor=colours[lv], edgecolor="#555555",
                     label=f"{view.level_names[lv]} ({fmt_int(int((view.in_force == lv).sum()), lang)})")
               for lv in (4, 3, 2, 1, 0)]
    if marked.any():
        handles.append(Patch(facecolor="none", edgecolor="black", linestyle="--",
                             label=t("decl.marked", lang=lang)))
    narrow = width_in < 12  # two maps side by side: the legend goes under the map
    ax.legend(handles=handles, loc="upper center" if narrow else "upper left",
              bbox_to_anchor=(0.5, -0.06) if narrow else (1.01, 1.0), ncol=2 if narrow else 1,
              title=view.legend_title, fontsize=12 if narrow else 11, title_fontsize=12,
              framealpha=0.95, alignment="left")
    foot = " · ".join(view.notices)
    if view.ruleset_title:
        foot = view.ruleset_title + (f"\n{foot}" if foot else "")
    fig.text(0.01, 0.01, foot, fontsize=10, color="#444444", va="bottom")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _scale_bar(fig, ax, lang, below=not narrow)
    return _png(fig)


def _scale_bar(fig, ax, lang: str, below: bool = True) -> None:
    """A bar of a round number of km under the map's lower left corner (outside the map,
    so it never hides a unit), or just above it when the legend is below."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians((y0 + y1) / 2))
    span_km = (x1 - x0) * km_per_deg
    length = next((v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
                   if v >= span_km / 8), 1000)
    box = ax.get_position()
    frac = length / span_km * box.width
    if below:
        y, x = box.y0 - 0.025, box.x0
    else:  # at the upper right, above the map, clear of the left-aligned title
        y, x = box.y1 + 0.012, box.x1 - frac - 0.06
    fig.add_artist(matplotlib.lines.Line2D([x, x + frac], [y, y], color="black",
                                           linewidth=4, solid_capstyle="butt"))
    fig.text(x + frac + 0.005, y, f"{fmt_int(length, lang)} km", fontsize=11, va="center")


def flow_chart(flow: pd.DataFrame, names: dict[int, str], colours: dict[int, str],
               period: str, lang: str) -> bytes:
    """Units per (level before → level now), as horizontal bars labelled with counts."""
    moved = flow[flow["from_level"] != flow["to_level"]].sort_values(
        ["to_level", "from_level"], ascending=False)
    fig, ax = plt.subplots(figsize=(11, max(2.8, 0.55 * len(moved) + 1.6)))
    if moved.empty:
        ax.text(0.5, 0.5, t("brief.no_moves", lang=lang), ha="center", va="center",
                fontsize=14)
        ax.axis("off")
    else:
        labels = [f"{names[int(a)]} → {names[int(b)]}" for a, b in
                  zip(moved["from_level"], moved["to_level"], strict=True)]
        ax.barh(labels, moved["units"], color=[colours[int(b)] for b in moved["to_level"]],
                edgecolor="#555555")
        for y, v in enumerate(moved["units"]):
            ax.text(v, y, f" {fmt_int(int(v), lang)}", va="center", fontsize=11)
        ax.invert_yaxis()
        ax.set_xlabel(t("brief.col.units", lang=lang))
        ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{t('brief.flows', lang=lang)} ({period})", loc="left", fontsize=14)
    fig.tight_layout()
    return _png(fig)


def trend_chart(story: pd.DataFrame, bands: list[float] | None, colours: dict[int, str],
                start, end, title: str, lang: str) -> bytes:
    """Three panels: cases per 100,000 in 7 days with the level bands, tests and positivity,
    vaccination coverage; the briefing's week shaded."""
    fig, axes = plt.subplots(3, 1, figsize=(12, 9.5), sharex=True)
    h = story
    rate = h.get("rate_7d", pd.Series(dtype=float))
    top = max(float(np.nanmax(rate.to_numpy())) if rate.notna().any() else 0,
              (bands[-1] * 1.2) if bands else 10) * 1.1
    if bands:
        edges = [0, *bands, top]
        for i in range(len(edges) - 1):
            axes[0].axhspan(edges[i], edges[i + 1], color=colours[i + 1], alpha=0.18, lw=0)
    axes[0].plot(h.index, rate, color="#222222", linewidth=1.6)
    axes[0].set_ylim(0, top)
    axes[0].set_title(t("brief.chart.rate", lang=lang), loc="left", fontsize=12)
    axes[1].bar(h.index, h["tests_pcr"].fillna(0) + h["tests_antigen"].fillna(0),
                color="#8fb3d9", width=1.0, label=t("brief.chart.tests", lang=lang))
    twin = axes[1].twinx()
    twin.plot(h.index, h["positivity"], color="#c0392b", linewidth=1.4,
              label=t("brief.chart.positivity", lang=lang))
    twin.set_ylim(bottom=0)
    axes[1].set_title(t("brief.chart.tests_title", lang=lang), loc="left", fontsize=12)
    for col, colour in (("cover_18", "#2E9E44"), ("cover_50", "#1f77b4"),
                        ("cover_65", "#9467bd")):
        if col in h and h[col].notna().any():
            axes[2].plot(h.index, h[col], color=colour, linewidth=1.6,
                         label=t(f"brief.chart.{col}", lang=lang))
    axes[2].set_ylim(0, 100)
    axes[2].legend(loc="upper left", fontsize=9)
    axes[2].set_title(t("brief.chart.cover", lang=lang), loc="left", fontsize=12)
    for ax in axes:
        ax.axvspan(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(hours=23),
                   color="#333333", alpha=0.08, lw=0)
        ax.spines[["top"]].set_visible(False)
        ax.yaxis.set_major_formatter(_number_formatter(lang))
    twin.yaxis.set_major_formatter(_number_formatter(lang, "%"))
    axes[2].xaxis.set_major_formatter(mdates.DateFormatter(DATE_FORMAT))
    fig.suptitle(title, x=0.01, ha="left", fontsize=15, fontweight="bold")
    fig.tight_layout()
    return _png(fig)


def _number_formatter(lang: str, suffix: str = ""):
    def fmt(value, _pos):
        text = fmt_int(value, lang) if abs(value) >= 10 or value == int(value) else \
            fmt_num(value, 1, lang)
        return text + suffix
    return matplotlib.ticker.FuncFormatter(fmt)
