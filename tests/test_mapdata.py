"""What the map reads: tables, snapshot cache, summaries, moves, rates formatting, the
last report per day, the opening day."""

import numpy as np
import pandas as pd
import pytest

from zones import api
from zones.levels import dayview, snapshot
from zones.levels import tables as mapdata
from zones.levels.assessment import stored_levels
from zones.levels.refresh import refresh
from zones.storage import store


def small_table():
    dates = pd.date_range("2021-09-01", periods=5)
    values = np.array([[1, 2], [1, 3], [2, 3], [2, 3], [2, 0]], dtype="int8")
    return mapdata.Table(dates, pd.Index(["a", "b"]), values)


def test_row_handles_unknown_units_and_dates():
    t = small_table()
    assert t.row("2021-09-02", ["b", "zz", "a"]).tolist() == [3, 0, 1]
    assert t.row("2020-01-01", ["a"]).tolist() == [0]


def test_entered_on_is_the_start_of_the_current_run():
    t = small_table()
    assert mapdata.entered_on(t, "a", "2021-09-04") == pd.Timestamp("2021-09-03")
    assert mapdata.entered_on(t, "b", "2021-09-04") == pd.Timestamp("2021-09-02")
    assert mapdata.entered_on(t, "a", "2021-09-01") == pd.Timestamp("2021-09-01")
    assert mapdata.entered_on(t, "nope", "2021-09-01") is None


def test_moves_and_summary():
    before, after = np.array([1, 2, 3, 0]), np.array([2, 2, 1, 4])
    mv = mapdata.moves(before, after, ["a", "b", "c", "d"], ["A", "B", "C", "D"])
    assert dict(zip(mv["code"], mv["direction"], strict=True)) == {"d": "data", "a": "up",
                                                                  "c": "down"}
    s = mapdata.summary(np.array([1, 1, 4, 0]), np.array([10.0, 20.0, 5.0, np.nan]))
    assert s.set_index("level")["units"].to_dict() == {4: 1, 3: 0, 2: 0, 1: 2, 0: 1}
    assert s.set_index("level").at[1, "population"] == 30


@pytest.mark.parametrize(("lang", "expected"), [("vi", ["", "1.234", "12", "3,5"]),
                                               ("en", ["", "1,234", "12", "3.5"])])
def test_format_rates(lang, expected):
    assert mapdata.format_rates([np.nan, 1234.4, 12.2, 3.46], lang) == expected


@pytest.mark.both_stores
def test_snapshot_matches_the_database_and_goes_stale(demo_copy):
    ws = api.open_workspace(demo_copy)
    # the demo's snapshot is in the database: a copy (another replica) reads it too
    assert snapshot.read(ws) is not None
    refresh(ws)
    snap = snapshot.read(ws)
    wide = stored_levels(ws.engine)
    levels = snap["levels"]
    assert np.array_equal(levels.values[:, levels.codes.get_indexer(wide.columns)],
                          wide.to_numpy())
    with ws.engine.begin() as conn:  # another assessment run: this snapshot is no longer it
        store.set_meta(conn, store.Meta.LEVELS_VERSION, "another-run")
        store.bump_version(conn)
    assert snapshot.read(ws) is None
    again = api.computed_levels(ws)  # falls back to the database
    assert np.array_equal(again.values[:, again.codes.get_indexer(wide.columns)],
                          wide.to_numpy())


def test_district_rates_are_the_engines_over_reporting_communes(demo_url):
    """The map's rate of a district is the engine's: cases of the communes that reported,
    over those communes' population (a commune that did not report does not dilute it)."""
    ws = api.open_workspace(demo_url)
    units = store.load_units(ws.engine)
    day = pd.Timestamp("2021-10-20")  # QĐ 4800 in force: the headline is the 7-day rate
    obs = store.current_observations(ws.engine, start=(day - pd.Timedelta(days=6)).date(),
                                     end=day.date())
    communes = units[(units["level"] == "commune") & (units["parent_code"] == "899")]
    mine = obs[obs["unit_code"].isin(communes.index)].dropna(subset=["new_cases_community"])
    reported = communes.loc[communes.index.isin(mine["unit_code"])]
    expected = mine["new_cases_community"].sum() * 100_000 / reported["population"].sum()
    view = api.day_view(ws, day, "district")
    assert view.rates[view.position("899")] == pytest.approx(expected, rel=1e-5)
    assert "7 ngày" in view.rate_label


def test_last_report_is_relative_to_the_day(demo_url):
    """Hòn Nghệ (30814) stops reporting 10–24/11/2021 in the demo."""
    reports = dayview.last_reports(api.open_workspace(demo_url))
    k = reports.dates.get_indexer([pd.Timestamp("2021-11-20")])[0]
    last = reports.row("2021-11-20", ["30814", "30745"])
    assert reports.dates[last[0]] == pd.Timestamp("2021-11-09")
    assert last[1] == k  # Vĩnh Lạc reported that day
    assert reports.row("2021-12-01", ["30814"])[0] == reports.dates.get_loc(
        pd.Timestamp("2021-12-01"))
    view = api.day_view(api.open_workspace(demo_url), "2021-11-20", "commune")
    assert str(view.last_report[view.position("30814")]) == "2021-11-09"


def test_pages_open_on_the_focus_day_else_the_last_day(demo_copy, tmp_path):
    ws = api.open_workspace(demo_copy)
    assert str(api.default_day(ws)) == "2021-09-01"  # the demo's outbreak
    last = api.computed_levels(ws).dates[-1].date()
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM meta WHERE key = 'focus_day'")  # real data
        store.bump_version(conn)
    assert api.default_day(ws) == last


def test_the_first_upload_of_figures_opens_the_map_on_the_latest_day(demo_copy, tmp_path):
    """Figures sent up to 04/01/2022 into the demo: the map opens on that day."""
    from zones.cli import main

    path = tmp_path / "so-lieu.csv"
    path.write_text("Ngày,Mã xã,Số mẫu PCR\n04/01/2022,30745,30\n", encoding="utf-8")
    assert main(["--db", demo_copy, "observations", "import", str(path)]) == 0
    ws = api.open_workspace(demo_copy)
    assert str(api.default_day(ws)) == "2022-01-04"
