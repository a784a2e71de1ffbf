"""The outlook in a real Chromium (issue 23): the page "Tuần tới" colours each commune by
its probability of a higher level next week, as the CLI computes it, and its tooltip says
the probabilities; the units one case from a threshold are marked. The main map's layer
"Tuần tới" shows the same classes, legend and tooltip through the map's own frame."""

from __future__ import annotations

import csv
import io
import time

import pytest

from tests.browser import MAP_IFRAME, fill_of, idle, map_frame, open_page, settle, streamlit_server
from tests.conftest import copy_of
from zones.cli import main
from zones.maps.palettes import OUTLOOK_COLOURS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DAY = "2021-09-01"  # the demo's focus day: the page opens on it


@pytest.fixture(scope="module")
def served(demo_url, tmp_path_factory):
    """(database URL, dashboard URL): one server for the module's tests."""
    url = copy_of(demo_url, tmp_path_factory.mktemp("outlook") / "outlook.db")
    with streamlit_server(url) as base:
        yield url, base


def test_outlook_map_matches_the_cli(browser, served, capsys):
    url, base = served
    assert main(["--db", url, "outlook", "--date", DAY]) == 0
    rows = {r["unit_code"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    high = max(rows, key=lambda c: float(rows[c]["p_up"]))
    low = next(c for c, r in rows.items() if r["level"] and float(r["p_up"]) < 0.25)
    p_high = float(rows[high]["p_up"])
    assert p_high >= 0.5
    colours = OUTLOOK_COLOURS  # one hue of its own, never the levels' colours
    high_class = 1 + sum(p_high >= edge for edge in (0.25, 0.5, 0.75))
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


def test_main_map_layer_legend_and_tooltip(browser, served, capsys):
    url, base = served
    assert main(["--db", url, "outlook", "--date", DAY]) == 0
    rows = {r["unit_code"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    page = open_page(browser, 1366, 768)
    page.goto(base)
    frame = map_frame(page)
    idle(page)
    page.get_by_text("Tuần tới", exact=True).last.click()  # the toggle under the map
    frame.locator(".zl-legend").get_by_text("Xác suất tăng cấp").wait_for(timeout=120_000)
    legend = frame.locator(".zl-legend").inner_text()
    assert "Từ 75%" in legend and "Dưới 25%" in legend and "gần ngưỡng" in legend
    settle(frame)
    # hover the unit of the highest P(up): its tooltip says the CLI's probability
    code = max(rows, key=lambda c: float(rows[c]["p_up"]))
    point = frame.evaluate("""(code) => { const Z = window.__zl; let c = null;
        Z.layer.eachLayer(l => { if (l.feature.properties.code === code)
            c = Z.map.latLngToContainerPoint(l.getBounds().getCenter()); });
        return c; }""", code)
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    time.sleep(0.5)
    tip = frame.locator(".leaflet-tooltip").first.inner_text(timeout=30_000)
    p_up = f"{float(rows[code]['p_up']) * 100:.1f}%".replace(".", ",")
    assert rows[code]["unit_name"] in tip and f"Tuần tới: tăng {p_up}" in tip, tip
    high_class = 1 + sum(float(rows[code]["p_up"]) >= e for e in (0.25, 0.5, 0.75))
    assert fill_of(frame, code) == OUTLOOK_COLOURS[high_class]
