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
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rules.text import DATE_FORMAT
from zones.i18n import fmt_date, fmt_int, fmt_num, t
from zones.levels.dayview import DayView
from zones.maps.palettes import PALETTES
from zones.sites.marks import LOCKDOWN_COLOUR, QUARANTINE_COLOUR, SiteMarks

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
                outlines: gpd.GeoDataFrame | None = None,
                sites: SiteMarks | None = None) -> bytes:
    """The map of a day view as a PNG: title and date, legend with the rule set's level
    names and unit counts, a scale bar, declared units marked, the notices, and place
    names: the units of ``outlines`` (districts around communes) when there are several,
    else the largest units drawn; a name that would overlap another is left out. With
    ``sites``, the safety map's sites of the day over the levels, with their legend
    lines (no site's name is drawn)."""
    shapes = geometry.loc[view.codes, ["geometry"]].copy()
    colours = PALETTES[palette]
    shapes["fill"] = [colours[int(v)] for v in view.in_force]
    x0, y0, x1, y1 = shapes.total_bounds
    aspect = (y1 - y0) / max((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)), 1e-9)
    # the map takes the figure's width left of the legend column, plus room for the title
    fig_h = min(max(width_in * 0.5, width_in * (LEGEND_X - 0.03) * aspect + 1.8),
                width_in * 1.4)
    # the sites' legend stands beside the levels' under a narrow map (one column each)
    extra_rows = 0 if sites is None else max(len(sites.legend) - 4, 0)
    if width_in < 12:  # room for the legend below (and its sites' lines)
        fig_h = width_in * min(max(aspect, 0.6), 1.2) + 2.8 + 0.3 * extra_rows
    fig, ax = plt.subplots(figsize=(width_in, fig_h))
    ax.set_facecolor(BACKGROUND)
    shapes.plot(ax=ax, color=shapes["fill"], edgecolor="#555555", linewidth=0.3)
    if outlines is not None and not outlines.empty:
        outlines.boundary.plot(ax=ax, color="#303030", linewidth=1.2)
    marked = (view.declared > 0) & (view.declared != view.computed)
    if marked.any():
        shapes[marked].boundary.plot(ax=ax, color="black", linewidth=1.6, linestyle="--")
    if sites is not None:
        draw_sites(ax, sites, small=width_in < 12)
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
    if narrow and sites is not None:  # two legends side by side, the sites' at the right
        levels = ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.49, -0.06),
                           title=view.legend_title, fontsize=11, title_fontsize=12,
                           framealpha=0.95, alignment="left")
        ax.add_artist(levels)
        ax.legend(handles=site_handles(sites)[1:], loc="upper left",
                  bbox_to_anchor=(0.51, -0.06), title=sites.heading, fontsize=11,
                  title_fontsize=12, framealpha=0.95, alignment="left")
    elif narrow:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2,
                  title=view.legend_title, fontsize=12, title_fontsize=12, framealpha=0.95,
                  alignment="left")
    else:  # at the right of the figure, in a column kept free for it (never cut off)
        if sites is not None:
            handles += site_handles(sites)
        legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(LEGEND_X, 0.93),
                            title=view.legend_title, fontsize=11, title_fontsize=12,
                            framealpha=0.95, alignment="left")
        legend.set_in_layout(False)
    foot = " · ".join(view.notices)
    if view.ruleset_title:
        foot = view.ruleset_title + (f"\n{foot}" if foot else "")
    fig.text(0.01, 0.01, foot, fontsize=10, color="#444444", va="bottom")
    bottom = 0.1 + (0.3 * extra_rows / fig_h if narrow else 0)
    for _ in range(2 if narrow else 1):  # narrow: the first pass leaves the title cut at
        # the top (the legend under the map moves the box once it is drawn); a second fits
        fig.tight_layout(rect=(0, bottom if narrow else 0.06, 1 if narrow else LEGEND_X - 0.01,
                               1))
    several = outlines is not None and len(outlines) > 1
    named = outlines if several else geometry.loc[view.codes]
    place_names(fig, ax, named, bold=several, size=9.5 if narrow else 11,
                limit=None if several else MAX_NAMES)
    _scale_bar(fig, ax, lang, below=not narrow)
    return _png(fig)


LEGEND_X = 0.73  # the legend's column starts here (share of the figure's width)
#: the sites' markers (points²) on a full-width map; two maps side by side use 2/3
SITE_SIZE = {"facility": 30, "stop": 26, "quarantine": 60, "lockdown": 48}
_LOCKDOWN_FILL = (*matplotlib.colors.to_rgb(LOCKDOWN_COLOUR), 0.3)  # lightly
#: a lockdown's edge and hatching: darker than the red of the highest level, and solid
#: (a dashed black edge marks a declared level)
_LOCKDOWN_EDGE = "#4a0000"


def draw_sites(ax, sites: SiteMarks, small: bool = False) -> None:
    """The sites of ``sites`` over the levels (under the place names): lockdown polygons
    outlined and hatched, quarantine sites as squares, lockdown points as
    diamonds, facilities as dots in their band's colour, a black cross over each one that
    must stop. Markers only: no name of a site is written."""
    k = 2 / 3 if small else 1.0
    if sites.polygons:
        areas = gpd.GeoSeries(list(sites.polygons), crs="EPSG:4326")
        areas.plot(ax=ax, facecolor=_LOCKDOWN_FILL, edgecolor=_LOCKDOWN_EDGE, hatch="////",
                   linewidth=1.8, zorder=3)
    q, lp, f = sites.quarantine, sites.lockdown_points, sites.facilities
    if len(q):
        ax.scatter(q["lon"], q["lat"], s=SITE_SIZE["quarantine"] * k, marker="s",
                   color=QUARANTINE_COLOUR, edgecolors="white", linewidths=0.8,
                   zorder=4)
    if len(lp):
        ax.scatter(lp["lon"], lp["lat"], s=SITE_SIZE["lockdown"] * k, marker="D",
                   color=LOCKDOWN_COLOUR, edgecolors="white", linewidths=0.8,
                   zorder=4)
    if len(f):
        ax.scatter(f["lon"], f["lat"], s=SITE_SIZE["facility"] * k, marker="o",
                   color=f["colour"].tolist(), edgecolors="#222222", linewidths=0.6, zorder=5,
                   rasterized=len(f) > 2000)
        stop = f[f["stop"].to_numpy(dtype=bool)]
        if len(stop):
            ax.scatter(stop["lon"], stop["lat"], s=SITE_SIZE["stop"] * k, marker="x",
                       color="black", linewidths=1.2, zorder=5)



def site_handles(sites: SiteMarks) -> list:
    """The legend's lines of the sites, after a heading line (the day)."""
    out = [Patch(facecolor="none", edgecolor="none", label=sites.heading)]
    for line in sites.legend:
        if line.kind == "band":
            out.append(Line2D([], [], marker="o", linestyle="none", markersize=8,
                              markerfacecolor=line.colour, markeredgecolor="#222222",
                              label=line.label))
        elif line.kind == "stop":
            out.append(Line2D([], [], marker="x", linestyle="none", markersize=8,
                              color="black", markeredgewidth=1.5, label=line.label))
        elif line.kind == "quarantine":
            out.append(Line2D([], [], marker="s", linestyle="none", markersize=9,
                              markerfacecolor=line.colour, markeredgecolor="white",
                              label=line.label))
        elif line.kind == "lockdown_area":
            out.append(Patch(facecolor=_LOCKDOWN_FILL, edgecolor=_LOCKDOWN_EDGE, hatch="////",
                             linewidth=1.6, label=line.label))
        else:
            out.append(Line2D([], [], marker="D", linestyle="none", markersize=8,
                              markerfacecolor=line.colour, markeredgecolor="white",
                              label=line.label))
    return out
MAX_NAMES = 15  # units named on a map of one level (the largest first)
KINDS = (("Thành phố ", "TP. "), ("Thị xã ", "TX. "), ("Thị trấn ", "TT. "),
         ("Quận ", "Q. "), ("Phường ", "P. "), ("Huyện ", ""), ("Xã ", ""), ("Tỉnh ", ""))


def short_name(name: str) -> str:
    """A place name as maps print it: "Huyện An Biên" -> "An Biên", "Thành phố Rạch Giá"
    -> "TP. Rạch Giá", "Phường Vĩnh Lạc" -> "P. Vĩnh Lạc"."""
    for long, short in KINDS:
        if name.startswith(long) and len(name) > len(long):
            return short + name[len(long):]
    return name


def _anchor(geom):
    """Where a shape's name goes: on its largest part, at the centre when the centre is
    inside it, else at a point surely inside."""
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    centre = geom.centroid
    return centre if geom.contains(centre) else geom.representative_point()


def place_names(fig, ax, shapes: gpd.GeoDataFrame, bold: bool = False, size: float = 10,
                limit: int | None = None) -> list:
    """Write the names of ``shapes`` on the map, the largest shapes first; a name that
    would overlap one already written, or leave the map, is left out. Names are text
    (never parsed as markup). The names written (matplotlib texts)."""
    if shapes is None or shapes.empty or "name" not in shapes:
        return []
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    # the order of sizes only (degrees², no projection needed inside one region)
    sizes = pd.Series([g.area if g is not None else 0.0 for g in shapes.geometry],
                      index=shapes.index)
    order = sizes.sort_values(ascending=False, kind="stable").index
    placed, written = [], []
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for code in order:
        if limit is not None and len(placed) >= limit:
            break
        geom = shapes.geometry.loc[code]
        if geom is None or geom.is_empty:
            continue
        point = _anchor(geom)
        text = ax.text(point.x, point.y, short_name(str(shapes.at[code, "name"])),
                       fontsize=size, ha="center", va="center", color="#111111",
                       fontweight="bold" if bold else "normal", path_effects=halo, zorder=6)
        box = _free_spot(text, renderer, frame, placed, ax)
        if box is None:
            text.remove()
            continue
        placed.append(box)
        written.append(text)
    return written


def _free_spot(text, renderer, frame, placed, ax):
    """Move ``text`` to the first of its anchor, a line above or below it, or half a
    width to either side, where it overlaps no name already written and stays on the
    map; its box there, or None when there is no such place."""
    x, y = ax.transData.transform(text.get_position())
    box = text.get_window_extent(renderer)
    w, h = box.width, box.height
    for dx, dy in ((0, 0), (0, h * 1.1), (0, -h * 1.1), (w * 0.55, 0), (-w * 0.55, 0)):
        text.set_position(ax.transData.inverted().transform((x + dx, y + dy)))
        box = text.get_window_extent(renderer).expanded(1.08, 1.2)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and \
            box.y1 <= frame.y1
        if inside and not any(box.overlaps(other) for other in placed):
            return box
    return None


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


def trend_chart(story: pd.DataFrame, bands: list[float] | None, colours: dict[int, str],
                start, end, title: str, lang: str) -> bytes:
    """Three panels: cases per 100,000 in 7 days with the level bands, tests and positivity,
    vaccination coverage; the briefing's week shaded."""
    fig, axes = plt.subplots(3, 1, figsize=(14, 8.5), sharex=True)  # fills a 16:9 slide
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
