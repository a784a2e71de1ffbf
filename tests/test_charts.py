"""The unit panel's charts, drawn on the server as SVG (issue 21, item 2): names are text,
coordinates are numbers whatever the history, the day is marked, words list the values."""

from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from ui import charts

COLOURS = {0: "#cccccc", 1: "#2e7d32", 2: "#f9a825", 3: "#ef6c00", 4: "#c62828"}
HOSTILE = "<img src=x onerror=alert(1)>'\"&"
NAMES = {0: "Chưa đủ", 1: HOSTILE, 2: "Cấp 2", 3: "Cấp 3", 4: "Cấp 4"}
COLUMNS = ["rate_7d", "tests_pcr", "tests_antigen", "positivity", "cover_18", "cover_50",
           "cover_65"]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DRAWING = re.compile(r"[-\d., MLCZVh]+")


def history(values: list[float], start: str = "2021-09-01") -> pd.DataFrame:
    days = pd.date_range(start, periods=len(values))
    return pd.DataFrame(dict.fromkeys(COLUMNS, values), index=days, dtype=float)


def coordinates(svg: str) -> list[float]:
    """Every number of every drawing attribute of ``svg`` (a well-formed document)."""
    root = ET.fromstring(svg)
    out = []
    for el in root.iter():
        for key in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height",
                    "points", "d"):
            if key in el.attrib:
                value = el.attrib[key]
                # numbers only (a path's letters aside): no "nan", no "inf"
                assert DRAWING.fullmatch(value), (el.tag, key, value)
                out += [float(v) for v in NUMBER.findall(value)]
    return out


def all_svgs(h: pd.DataFrame, levels: pd.Series, day) -> list[str]:
    return [charts.rate_svg(h, day, COLOURS, [20, 50, 150], "vi")[0],
            charts.tests_svg(h, day, "en")[0], charts.vaccination_svg(h, day, "vi")[0],
            charts.levels_svg(levels, day, NAMES, COLOURS, "vi")[0]]


@pytest.mark.parametrize("values", [[], [float("nan")] * 5, [12.5], [0.0] * 3,
                                    [np.nan, 3.0, np.nan, 400.0, np.inf]])
def test_coordinates_are_finite_whatever_the_history(values):
    h = history(values)
    levels = pd.Series([1] * len(values), index=h.index, dtype=float)
    day = h.index[-1] if len(h) else pd.Timestamp("2021-09-01")
    for svg in all_svgs(h, levels, day):
        found = coordinates(svg)
        assert found and all(math.isfinite(v) for v in found)
        assert "class='chart-day'" in svg  # the day shown is marked


def test_a_hostile_level_name_is_text_in_the_svg_and_in_the_words():
    h = history([10.0, 60.0, 200.0])
    levels = pd.Series([1, 1, 2], index=h.index)
    svg, words = charts.levels_svg(levels, h.index[1], NAMES, COLOURS, "vi")
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    ET.fromstring(svg)  # still one well-formed document
    assert words.startswith("Cấp 2: 03/09/2021–03/09/2021; ")
    html = charts.panel_html(h, levels, h.index[1], NAMES, COLOURS, [20, 50, 150], "vi")
    pictures = re.findall(r"<img class='zones-chart' alt='([^']*)' "
                          r"src='data:image/svg\+xml;base64,([^']+)'", html)
    assert len(pictures) == 4
    alt = pictures[3][0]
    assert "<" not in alt and "'" not in alt and "&lt;img src=x" in alt
    assert "<img src=x" not in base64.b64decode(pictures[3][1]).decode()


def test_the_words_give_the_days_values_and_the_bands():
    h = history([10.0, 60.0, 200.0])
    h["positivity"] = [1.0, 2.5, 4.0]
    _, rate = charts.rate_svg(h, h.index[1], COLOURS, [20, 50, 150], "vi")
    assert rate == "01/09/2021–03/09/2021. 02/09/2021: 60,0; max 200,0; 20, 50, 150"
    _, tests = charts.tests_svg(h, h.index[2], "en")
    assert "03/09/2021: PCR 200, Antigen 200, Positivity 4.0%" in tests
    _, vacc = charts.vaccination_svg(h, h.index[0], "vi")
    assert "01/09/2021: ≥18 tuổi, ≥1 mũi 10,0%" in vacc


def test_the_bands_take_the_level_colours():
    svg, _ = charts.rate_svg(history([10.0, 60.0]), None, COLOURS, [20, 50, 150], "vi")
    for lv in range(1, 5):
        assert f"fill='{COLOURS[lv]}'" in svg
