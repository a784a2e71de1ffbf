"""Every write ends in the same refresh: levels, rates, snapshot and data version follow a
boundary or population import at once, in the same process (no restart)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tests.test_app import run_page
from zones import api
from zones.cli import main
from zones.levels import snapshot
from zones.storage import store

THO_SON = "30841"  # red on 25/11/2021 in the demo: ~155 community cases per 100,000 in 7 days
DAY = date(2021, 11, 25)


def overview(url: str, monkeypatch) -> str:
    monkeypatch.setenv("ZONES_DB", url)
    at = run_page("app_pages/map.py", day=DAY, selected=THO_SON, view="91", show="commune")
    assert not at.exception, at.exception
    return " ".join(m.value for m in at.markdown)


def test_population_import_changes_levels_and_rates_at_once(demo_copy, tmp_path, monkeypatch):
    ws = api.open_workspace(demo_copy)
    before = api.day_view(ws, DAY, "commune")
    pos = before.position(THO_SON)
    assert before.in_force[pos] == 4 and before.rates[pos] > 150
    page_before = overview(demo_copy, monkeypatch)
    assert "Cấp 4 – Nguy cơ rất cao" in page_before
    population = int(api.units(ws).at[THO_SON, "population"])
    table = tmp_path / "dan-so.csv"
    table.write_text(f"code,population\n{THO_SON},{population * 10}\n", encoding="utf-8")

    assert main(["--db", demo_copy, "units", "import", str(table), "--level", "commune"]) == 0

    after = api.day_view(ws, DAY, "commune")
    assert after.rates[pos] == before.rates[pos] / 10 or abs(
        after.rates[pos] - before.rates[pos] / 10) < 1e-3
    assert after.in_force[pos] < 4
    stored = store.load_assessments(ws.engine, DAY, DAY).set_index("unit_code")["level"]
    assert stored[THO_SON] == after.computed[pos]  # the stored levels were recomputed
    assert snapshot.read(ws)["levels"].row(DAY, [THO_SON])[0] == after.computed[pos]
    page_after = overview(demo_copy, monkeypatch)  # same process, no restart
    assert "Cấp 4 – Nguy cơ rất cao" not in page_after.split("Vì sao")[0]


def test_boundary_import_recomputes_the_new_units(demo_copy, tmp_path):
    """Re-importing the stored boundaries as a new set: the levels are recomputed for it
    (none stale, none missing) and the day view reads the new set."""
    ws = api.open_workspace(demo_copy)
    exported = tmp_path / "units.geojson"
    assert main(["--db", demo_copy, "units", "export", "--level", "commune", "--format",
                 "geojson", "--out", str(exported)]) == 0
    version = api.data_version(ws)
    assert main(["--db", demo_copy, "units", "import", str(exported), "--level", "commune",
                 "--set-name", "Kiên Giang (nhập lại)"]) in (0, 1)
    assert api.data_version(ws) != version
    sets = api.boundary_sets(ws)
    assert sets.loc[sets["is_active"], "name"].tolist() == ["Kiên Giang (nhập lại)"]
    view = api.day_view(ws, DAY, "commune")
    stored = store.load_assessments(ws.engine, DAY, DAY)
    assert set(stored["unit_code"]) >= set(view.codes)
    assert pd.Series(view.computed).equals(
        stored.set_index("unit_code")["level"].reindex(view.codes).reset_index(drop=True))
