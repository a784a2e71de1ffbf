"""History charts of one unit, drawn here as SVG pictures: rate with level bands, tests
and positivity, vaccination, levels. Painted with the panel, without a chart library in
the browser (issue 21: click on a unit -> charts <= 1 s; plotly took 1.4-1.9 s to build
four figures on a 2-core machine, after a 1.4 MB download).

Every function taking data is pure (the language is passed in): axes say dd/mm and
numbers in the reader's language, the day shown is a dotted line, and each picture's
``alt`` lists its key values (what a screen reader says, and what the hover said)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from ui import svgimage
from ui.common import lang
from zones.i18n import fmt_date, fmt_day_month, fmt_int, fmt_num, t
from zones.safe import text

#: the drawing box (SVG units; the picture scales to the column's width) and its parts
W, LEFT, RIGHT, TOP, FONT, ROW = 380, 40, 38, 14, 12, 17
#: the plot areas' heights (SVG units)
HEIGHTS = {"rate": 150, "tests": 120, "vaccination": 120, "levels": 24}
#: at most this many dates on the time axis
X_TICKS = 5
MARKER = "#333"
LINE = "#222"
PCR, ANTIGEN, POSITIVITY = "#8fb3d9", "#c9d7e6", "#b3261e"
COVER = (("cover_18", "ui.chart.cover18", "#2b6cb0"),
         ("cover_50", "ui.chart.cover50", "#6b46c1"),
         ("cover_65", "ui.chart.cover65", "#b7791f"))
DAY = pd.Timedelta(days=1)


def history_ui(history: pd.DataFrame, levels: pd.Series | None, day, names, colours,
               edges: list[float] | None) -> None:
    """Charts of cases per 100,000 (with bands), tests and positivity, vaccination, levels:
    one ``st.html`` of four pictures."""
    language = lang()
    if history.empty:
        st.caption(t("ui.no_history", lang=language))
        return
    st.html(panel_html(history, levels, day, names, colours, edges, language))


def panel_html(history: pd.DataFrame, levels: pd.Series | None, day, names, colours,
               edges: list[float] | None, language: str) -> str:
    """The four charts' HTML: each a heading and a picture."""
    parts = [(t("ui.chart.rate", lang=language), t("ui.chart.rate.bands", lang=language),
              rate_svg(history, day, colours, edges, language)),
             (t("ui.chart.tests", lang=language), None, tests_svg(history, day, language)),
             (t("ui.chart.vaccination", lang=language), None,
              vaccination_svg(history, day, language))]
    if levels is not None:
        parts.append((t("ui.chart.levels", lang=language), None,
                      levels_svg(levels, day, names, colours, language)))
    out = []
    for title, note, (svg, alt) in parts:
        head = f"<b>{text(title)}</b>" + (f"<br><small>{text(note)}</small>" if note else "")
        out.append(f"<div style='margin:0.6rem 0 0.2rem;font-size:0.9rem'>{head}</div>"
                   + svgimage.image(svg, f"{title}. {alt}", "zones-chart"))
    return "<div class='zones-charts'>" + "".join(out) + "</div>"


# ---------------------------------------------------------------- scales and parts

class Frame:
    """A plot area: time across (days at their middles), values up, in SVG units."""

    def __init__(self, index, day, height: float, top: float, y_top: float):
        stamps = [pd.Timestamp(d) for d in index if pd.notna(d)]
        if day is not None and pd.notna(pd.Timestamp(day)):
            stamps.append(pd.Timestamp(day))
        if not stamps:
            stamps = [pd.Timestamp("2021-01-01")]
        self.first, self.last = min(stamps).normalize(), max(stamps).normalize()
        self.start, self.days = self.first - DAY / 2, (self.last - self.first) / DAY + 1
        self.left, self.right, self.top, self.height = LEFT, W - RIGHT, top, height
        self.bottom = top + height
        self.day_width = (self.right - self.left) / self.days
        self.y_top = y_top if _finite(y_top) and y_top > 0 else 1.0

    def x(self, d) -> float:
        return self.left + (pd.Timestamp(d) - self.start) / DAY * self.day_width

    def xs(self, index) -> np.ndarray:
        """The middles of the days of ``index`` (NaN where no day)."""
        stamps = pd.DatetimeIndex(index).normalize()
        return self.left + ((stamps - self.start) / DAY).to_numpy(dtype=float) * self.day_width

    def y(self, v: float, y_top: float | None = None) -> float:
        top = y_top or self.y_top
        return self.bottom - min(max(float(v), 0.0), top) / top * self.height

    def ys(self, values: np.ndarray, y_top: float | None = None) -> np.ndarray:
        top = y_top or self.y_top
        return self.bottom - np.clip(values, 0.0, top) / top * self.height

    def x_axis(self, language: str) -> str:
        """The time axis: its line and up to ``X_TICKS`` days, dd/mm."""
        n = int(self.days)
        step = next((s for s in (1, 2, 3, 7, 14, 30, 61, 91, 182, 365, 730)
                     if math.ceil(n / s) <= X_TICKS), max(1, math.ceil(n / X_TICKS)))
        out = [f"<line x1='{self.left}' y1='{self.bottom:.1f}' x2='{self.right}' "
               f"y2='{self.bottom:.1f}' stroke='#888' stroke-width='1'/>"]
        for i in range(0, n, step):
            d = self.first + i * DAY
            x = self.x(d)
            out.append(f"<line x1='{x:.1f}' y1='{self.bottom:.1f}' x2='{x:.1f}' "
                       f"y2='{self.bottom + 4:.1f}' stroke='#888'/>")
            out.append(svgimage.label(x, self.bottom + 6, fmt_day_month(d), "middle",
                                      FONT, "#444", "hanging"))
        return "".join(out)

    def y_axis(self, y_top: float, suffix: str, language: str, right: bool = False) -> str:
        """Grid lines and numbers of a value axis (on the right with ``right``)."""
        out = []
        for v in ticks(y_top):
            y = self.y(v, y_top)
            if not right:
                out.append(f"<line x1='{self.left}' y1='{y:.1f}' x2='{self.right}' "
                           f"y2='{y:.1f}' stroke='#ddd' stroke-width='0.8'/>")
            x, anchor = (self.right + 4, "start") if right else (self.left - 4, "end")
            out.append(svgimage.label(x, y, number(v, language) + suffix, anchor, FONT,
                                      "#444"))
        return "".join(out)

    def marker(self, day) -> str:
        """The day shown: a dotted line across the plot."""
        if day is None or pd.isna(pd.Timestamp(day)):
            return ""
        x = self.x(pd.Timestamp(day).normalize())
        # over a white line: seen on the levels' colours too
        return (f"<line x1='{x:.1f}' y1='{self.top:.1f}' x2='{x:.1f}' y2='{self.bottom:.1f}' "
                f"stroke='#fff' stroke-width='2.5' stroke-opacity='0.8'/>"
                f"<line class='chart-day' x1='{x:.1f}' y1='{self.top:.1f}' x2='{x:.1f}' "
                f"y2='{self.bottom:.1f}' stroke='{MARKER}' stroke-width='1.2' "
                f"stroke-dasharray='3 3'/>")

    def line(self, series: pd.Series, colour: str, y_top: float | None = None,
             width: float = 2) -> str:
        """A line through the series' values, broken where a value is missing."""
        values = _numbers(series)
        xs, ys = self.xs(series.index), self.ys(values, y_top)
        ok = np.isfinite(values) & np.isfinite(xs)
        out = []
        # runs of drawable points: a lone value is a dot
        edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            if b - a == 1:
                out.append(f"<circle cx='{xs[a]:.1f}' cy='{ys[a]:.1f}' r='2' "
                           f"fill='{colour}'/>")
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs[a:b], ys[a:b],
                                                                 strict=True))
            out.append(f"<polyline points='{points}' fill='none' stroke='{colour}' "
                       f"stroke-width='{width}' stroke-linejoin='round'/>")
        return "".join(out)


def _numbers(series: pd.Series) -> np.ndarray:
    """The series' values as floats (NaN for what is not a number)."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def top_of(*series: pd.Series) -> float:
    """The largest finite value of the series (0 when none)."""
    values = [float(v) for s in series for v in s if _finite(v)]
    return max(values, default=0.0)


def ticks(y_top: float, most: int = 4) -> list[float]:
    """Round values from 0 to ``y_top``: at most ``most`` steps of 1, 2, 2.5 or 5 × 10^k."""
    if not _finite(y_top) or y_top <= 0:
        return [0.0]
    raw = y_top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(y_top / step + 1e-9) + 1)]


def number(v: float, language: str) -> str:
    """A value on an axis: whole numbers with thousands marks, others with one decimal."""
    return fmt_int(v, language) if float(v) == round(float(v)) else fmt_num(v, 1, language)


def at(series: pd.Series, day) -> float:
    """The series' value on ``day`` (or its last finite one before), NaN when none."""
    if day is None or series.empty:
        return float("nan")
    before = pd.to_numeric(series[series.index <= pd.Timestamp(day)], errors="coerce")
    before = before[np.isfinite(before.to_numpy(dtype=float))]
    return float(before.iloc[-1]) if len(before) else float("nan")


def legend(items: list[tuple[str, str, str]], y: float) -> tuple[str, float]:
    """Swatches and words (("line" | "box", colour, words)), wrapped to the width; the SVG
    and the height it takes."""
    out, x, row = [], float(LEFT), 0
    for kind, colour, words in items:
        width = 18 + 0.58 * FONT * len(words) + 14
        if x + width > W - 4 and x > LEFT:
            x, row = float(LEFT), row + 1
        cy = y + row * ROW + ROW / 2
        if kind == "line":
            out.append(f"<line x1='{x:.1f}' y1='{cy:.1f}' x2='{x + 14:.1f}' y2='{cy:.1f}' "
                       f"stroke='{text(colour)}' stroke-width='2.5'/>")
        else:
            out.append(f"<rect x='{x:.1f}' y='{cy - 5:.1f}' width='14' height='10' "
                       f"fill='{text(colour)}' stroke='#777' stroke-width='0.5'/>")
        out.append(svgimage.label(x + 18, cy, words, "start", FONT))
        x += width
    return "".join(out), (row + 1) * ROW if items else 0


def _svg(body: str, height: float, title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {height:.0f}' "
            f"width='{W}' height='{height:.0f}' font-family='sans-serif'>"
            f"<title>{text(title)}</title>{body}</svg>")


def _assemble(frame: Frame, body: str, items, title: str) -> str:
    """The chart with its time axis and legend below it."""
    keys, h = legend(items, frame.bottom + FONT + 12)
    return _svg(body + keys, frame.bottom + FONT + 16 + h, title)


def _span(index, language: str) -> str:
    days = [d for d in index if pd.notna(d)]
    return f"{fmt_date(min(days))}–{fmt_date(max(days))}" if days else "–"


# ---------------------------------------------------------------- the four charts

def rate_svg(h: pd.DataFrame, day, colours, edges: list[float] | None,
             language: str) -> tuple[str, str]:
    """Cases per 100,000 in 7 days over the level bands (0 to the first threshold: level
    1, ...), the day shown marked with its value. Returns (SVG, words)."""
    rate = h["rate_7d"] if "rate_7d" in h else pd.Series(dtype=float)
    edges = [float(e) for e in (edges or []) if _finite(e)]
    y_top = max(top_of(rate) * 1.1, edges[-1] * 1.2 if edges else 10.0)
    f = Frame(h.index, day, HEIGHTS["rate"], TOP, y_top)
    body = []
    if edges:
        bounds = [0.0, *edges, y_top]
        for lv in range(1, min(5, len(bounds))):
            y0, y1 = f.y(bounds[lv]), f.y(bounds[lv - 1])
            if y1 > y0:
                body.append(f"<rect x='{f.left}' y='{y0:.1f}' width='{f.right - f.left}' "
                            f"height='{y1 - y0:.1f}' fill='{text(colours[lv])}' "
                            f"fill-opacity='0.22'/>")
    body += [f.y_axis(y_top, "", language), f.x_axis(language), f.line(rate, LINE),
             f.marker(day)]
    now = at(rate, day)
    if _finite(now):
        x, y = f.x(pd.Timestamp(day).normalize()), f.y(now)
        body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{LINE}'/>")
        body.append(svgimage.label(x + (6 if x < W / 2 else -6), max(y - 10, TOP + 6),
                                   fmt_num(now, 1, language),
                                   "start" if x < W / 2 else "end", FONT + 1))
    rate_name = t("ui.rate", lang=language)
    top = top_of(rate)
    words = (f"{_span(h.index, language)}. {fmt_date(day)}: {fmt_num(now, 1, language)}; "
             f"max {fmt_num(top, 1, language) if rate.notna().any() else '–'}")
    if edges:
        words += "; " + ", ".join(number(e, language) for e in edges)
    title = t("ui.chart.rate", lang=language)
    return _assemble(f, "".join(body), [("line", LINE, rate_name)], title), words


def tests_svg(h: pd.DataFrame, day, language: str) -> tuple[str, str]:
    """PCR and antigen tests a day (stacked bars, left axis), positivity (%, right
    axis). Returns (SVG, words)."""
    pcr = pd.to_numeric(h.get("tests_pcr", pd.Series(dtype=float)), errors="coerce")
    antigen = pd.to_numeric(h.get("tests_antigen", pd.Series(dtype=float)), errors="coerce")
    pos = pd.to_numeric(h.get("positivity", pd.Series(dtype=float)), errors="coerce")
    total = pcr.fillna(0).add(antigen.fillna(0), fill_value=0)
    y_top = ticks_top(top_of(total))
    p_top = ticks_top(top_of(pos))
    f = Frame(h.index, day, HEIGHTS["tests"], TOP, y_top)
    body = [f.y_axis(y_top, "", language), f.y_axis(p_top, "%", language, right=True)]
    bar = max(f.day_width * 0.8, 0.5)
    xs, base = f.xs(h.index) - bar / 2, np.zeros(len(h))
    for series, colour in ((pcr, PCR), (antigen, ANTIGEN)):
        values = _numbers(series)
        values = np.where(np.isfinite(values) & (values > 0), values, 0.0)
        tops, bottoms = f.ys(base + values), f.ys(base)
        # one path a series (a few bytes a bar: the page's sanitiser reads it all)
        bars = "".join(f"M{x:.1f} {y1:.1f}V{y0:.1f}h{bar:.1f}V{y1:.1f}Z"
                       for x, y0, y1 in zip(xs, tops, bottoms, strict=True)
                       if np.isfinite(x) and y1 - y0 > 0)
        if bars:
            body.append(f"<path fill='{colour}' d='{bars}'/>")
        base = base + values
    body += [f.x_axis(language), f.line(pos, POSITIVITY, p_top), f.marker(day)]
    words = (f"{_span(h.index, language)}. {fmt_date(day)}: PCR {fmt_int(at(pcr, day), language)}, "
             f"{t('ui.chart.antigen', lang=language)} {fmt_int(at(antigen, day), language)}, "
             f"{t('ui.chart.positivity', lang=language)} {fmt_num(at(pos, day), 1, language)}%")
    items = [("box", PCR, "PCR"), ("box", ANTIGEN, t("ui.chart.antigen", lang=language)),
             ("line", POSITIVITY, t("ui.chart.positivity", lang=language) + " (%)")]
    return _assemble(f, "".join(body), items, t("ui.chart.tests", lang=language)), words


def ticks_top(top: float) -> float:
    """An axis' top: the first round value at or above ``top`` (1 when nothing)."""
    if not _finite(top) or top <= 0:
        return 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.ceil(top / step - 1e-9) * step


def vaccination_svg(h: pd.DataFrame, day, language: str) -> tuple[str, str]:
    """Coverage (%) of three groups, 0-100 %. Returns (SVG, words)."""
    f = Frame(h.index, day, HEIGHTS["vaccination"], TOP, 100.0)
    body = [f.y_axis(100.0, "%", language), f.x_axis(language)]
    items, values = [], []
    for col, key, colour in COVER:
        series = pd.to_numeric(h.get(col, pd.Series(dtype=float)), errors="coerce")
        body.append(f.line(series, colour))
        name = t(key, lang=language)
        items.append(("line", colour, name))
        values.append(f"{name} {fmt_num(at(series, day), 1, language)}%")
    body.append(f.marker(day))
    words = f"{_span(h.index, language)}. {fmt_date(day)}: " + ", ".join(values)
    return _assemble(f, "".join(body), items,
                     t("ui.chart.vaccination", lang=language)), words


def levels_svg(levels: pd.Series, day, names, colours, language: str) -> tuple[str, str]:
    """The level of each day, a strip of colours; the levels seen named below it.
    Returns (SVG, words: each run of days at one level, the latest first)."""
    days = levels[levels.index.notna()].dropna()
    f = Frame(days.index, day, HEIGHTS["levels"], TOP, 1.0)
    body, runs = [], []
    for d, lv in days.items():  # runs of days at one level (no seams between days)
        lv, d = int(lv), pd.Timestamp(d).normalize()
        if runs and runs[-1][0] == lv and runs[-1][2] + DAY == d:
            runs[-1][2] = d
        else:
            runs.append([lv, d, d])
    for lv, a, b in runs:
        x0, x1 = f.x(a) - f.day_width / 2, f.x(b) + f.day_width / 2
        body.append(f"<rect x='{x0:.2f}' y='{f.top}' width='{x1 - x0:.2f}' "
                    f"height='{f.height}' fill='{text(colours[lv])}'/>")
    body += [f.x_axis(language), f.marker(day)]
    seen = sorted({int(v) for v in days})
    items = [("box", colours[lv], names[lv]) for lv in seen]
    words = "; ".join(f"{names[lv]}: {fmt_date(a)}–{fmt_date(b)}"
                      for lv, a, b in reversed(runs[-8:])) or "–"
    return _assemble(f, "".join(body), items, t("ui.chart.levels", lang=language)), words
