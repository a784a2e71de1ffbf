"""The page "Tuần tới" in a real Chromium (issue 23): the map colours each commune by its
probability of a higher level next week, as the CLI computes it, and its tooltip says the
probabilities; the units one case from a threshold are marked."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser import map_frame, open_page, streamlit_server
from tests.conftest import copy_of
from zones.cli import main
from zones.maps.palettes import PALETTES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DAY = "2021-09-01"  # the demo's focus day: the page opens on it


def test_outlook_map_matches_the_cli(browser, demo_url, tmp_path, capsys):
    url = copy_of(demo_url, tmp_path / "outlook.db")
    assert main(["--db", url, "outlook", "--date", DAY]) == 0
    rows = {r["unit_code"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    high = max(rows, key=lambda c: float(rows[c]["p_up"]))
    low = next(c for c, r in rows.items() if r["level"] and float(r["p_up"]) < 0.25)
    p_high = float(rows[high]["p_up"])
    assert p_high >= 0.5
    colours = PALETTES["default"]
    high_class = 1 + sum(p_high >= edge for edge in (0.25, 0.5, 0.75))
    with streamlit_server(url) as base:
        page = open_page(browser)
        page.goto(f"{base}/outlook")
        page.wait_for_function(
            """([code, colour]) => [...document.querySelectorAll('iframe')].some(f => {
                 try { const Z = f.contentWindow.__zl; let c = null;
                   Z.layer.eachLayer(l => { if (l.feature.properties.code === code)
                     c = l.options.fillColor; }); return c === colour; }
                 catch (e) { return false; } })""", arg=[high, colours[high_class]], timeout=120_000)
        frame = map_frame(page)
        fills = frame.evaluate("""() => { const out = {}; window.__zl.layer.eachLayer(l => {
            out[l.feature.properties.code] = l.options.fillColor; }); return out; }""")
        assert fills[high] == colours[high_class] and fills[low] == colours[1]
        tip = frame.evaluate("""(i) => window.__zl.rates[i]""",
                             list(fills).index(high))
        assert "tăng" in tip and "%" in tip
        assert page.get_by_text("có xác suất tăng cấp từ 50%").count() >= 1
