"""The layer "Tuần tới" of the main map (issue 23): the spec built from an outlook table
(classes of P(up), near-threshold marks, tooltips as plain text, the legend), the page
with the layer on (the unit panel's probabilities), and off under a what-if rule set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import loaders
from ui.outlook_view import outlook_spec
from zones import api
from zones.outlook import service

ROOT = Path(__file__).resolve().parent.parent
COLOURS = {0: "#c0c0c0", 1: "#1a9850", 2: "#fee08b", 3: "#fc8d59", 4: "#d73027"}


def layer(codes: list[str]) -> loaders.Layer:
    n = len(codes)
    return loaders.Layer("k", "/zones-map/layer/k", "commune", None, pd.Index(codes),
                         np.array(codes, dtype=object), np.ones(n), ((9.0, 104.0), (11.0, 106.0)))


def outlook_frame() -> pd.DataFrame:
    """Seven units: each class edge of P(up), one without a level, one near a threshold;
    a unit of the table that is not in the view."""
    rows = [("a", 1, 0.0, 0.0, 0), ("b", 1, 0.249, 0.1, 0), ("c", 2, 0.25, 0.0, 1),
            ("d", 2, 0.5, 0.125, 0), ("e", 3, 0.75, 0.0, 0), ("f", 4, 0.0, 0.625, 1),
            ("g", None, 0.0, 0.0, 0), ("elsewhere", 1, 0.9, 0.0, 1)]
    return pd.DataFrame({
        "unit_code": [r[0] for r in rows], "unit_name": ["<b>x</b>"] * len(rows),
        "level": pd.array([r[1] for r in rows], dtype="Int8"),
        "p_up": [r[2] for r in rows], "p_down": [r[3] for r in rows],
        "p_same": [round(1 - r[2] - r[3], 3) for r in rows],
        "expected_level": pd.array([r[1] for r in rows], dtype="Int8"),
        "near_threshold": [r[4] for r in rows], "reason": ["<script>x</script>"] * len(rows)})


def test_spec_classes_marks_tooltips_and_legend():
    codes = ["g", "f", "e", "d", "c", "b", "a", "h"]  # the layer's order; h: no outlook
    spec = outlook_spec(outlook_frame(), layer(codes), COLOURS, "01/09/2021 → 08/09/2021",
                        "vi")
    # P(up) classes by feature: <25 %, 25-50 %, 50-75 %, >= 75 %; 0 without a level
    assert spec["levels"] == "01432110"
    # marked: the near-threshold units (c, f), with 1 + their class; not the unit outside
    assert spec["marks"] == "02003000"
    assert spec["rates"][1] == "tăng 0,0%, giảm 62,5%"
    assert spec["rates"][3] == "tăng 50,0%, giảm 12,5%"
    assert spec["rates"][0] == spec["rates"][7] == ""  # no level, not in the table
    assert spec["legendTitle"] == "Xác suất tăng cấp"
    assert spec["names"] == ["Không dự báo (chưa đủ dữ liệu)", "Dưới 25%", "25% – dưới 50%",
                             "50% – dưới 75%", "Từ 75%"]
    assert spec["colours"] == [COLOURS[i] for i in range(5)]
    assert spec["texts"]["marked"] == "gần ngưỡng" and spec["texts"]["rate"] == "Tuần tới"
    assert spec["timeline"] is None and spec["layer"] == "/zones-map/layer/k"
    # the tooltips are text the map escapes: no markup of ours, no unit name or reason
    assert "<" not in json.dumps(spec, ensure_ascii=False)
    en = outlook_spec(outlook_frame(), layer(codes), COLOURS, "", "en")
    assert en["rates"][3] == "up 50.0%, down 12.5%" and en["legendTitle"].startswith("Prob")
    # no unit near a threshold: no marks and no legend line for them
    calm = outlook_frame().assign(near_threshold=0)
    quiet = outlook_spec(calm, layer(codes), COLOURS, "", "vi")
    assert quiet["marks"] == "" and quiet["texts"]["marked"] == ""


def run(**state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages/map.py"), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_map_page_with_the_layer_and_a_unit_panel(demo_url, use_db):
    use_db(demo_url)
    frame = api.outlook(api.open_workspace(demo_url), pd.Timestamp("2021-09-01").date(),
                        "commune", "91", "vi")
    code = frame.sort_values("p_up").iloc[-1]["unit_code"]
    at = run(outlook_layer=True, plan_colours=False, selected=code)
    assert not at.exception, at.exception
    assert at.toggle(key="outlook_layer").value is True
    assert not at.toggle(key="outlook_layer").disabled
    assert any("có xác suất tăng cấp từ 50%" in c.value for c in at.caption)
    panel = [m.value for m in at.markdown if "**Tuần tới**" in m.value]
    row = frame.set_index("unit_code").loc[code]
    assert len(panel) == 1
    assert f"tăng cấp {row['p_up'] * 100:.1f}%".replace(".", ",") in panel[0]
    assert any(m.value == "**Điều gì sẽ làm tăng cấp**" for m in at.markdown)
    # the page's run and the panel's share one outlook, kept by data version
    ws = api.open_workspace(demo_url)
    day = pd.Timestamp("2021-09-01").date()
    assert service.day_outlook(ws, day, "commune", "vi") is \
        service.day_outlook(ws, day, "commune", "vi")
    # turning the plan colours on turns the layer off (one colouring at a time)
    at.toggle(key="plan_colours").set_value(True).run()
    assert not at.exception
    assert at.toggle(key="outlook_layer").value is False
    assert not any("**Tuần tới**" in m.value for m in at.markdown)


def test_the_layer_is_off_under_a_what_if_rule_set(demo_url, use_db):
    use_db(demo_url)
    at = run(outlook_layer=True, override="qd4800")
    assert not at.exception, at.exception
    toggle = at.toggle(key="outlook_layer")
    assert toggle.disabled and toggle.value is False
    assert any("chỉ có cho cấp độ đang áp dụng" in c.value for c in at.caption)


def test_the_outlook_never_wears_the_levels_colours():
    """Next week's risk is one hue of its own, darker as it rises: a unit at P(up) >= 75 %
    is never painted the red of a red zone, whatever palette the reader chose."""
    from zones.maps.palettes import OUTLOOK_COLOURS, PALETTES

    level_colours = {c.lower() for palette in PALETTES.values() for c in palette.values()}
    assert not level_colours & {c.lower() for c in OUTLOOK_COLOURS.values()}

    def lightness(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert [lightness(OUTLOOK_COLOURS[i]) for i in range(1, 5)] == sorted(
        (lightness(OUTLOOK_COLOURS[i]) for i in range(1, 5)), reverse=True)
