"""The real-shaped demo (issue 23): the published curve as stored (its source in the
header, every day once), the province's cases following its shape at the province's
scale, split over the communes by population with clustering (a few communes carry most
cases, neighbours resemble each other, hot spots last), and the demo built with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.adjacency import touching_pairs
from zones import api
from zones.demo import realshape
from zones.demo.build import build_units
from zones.demo.simulate import simulate


@pytest.fixture(scope="module")
def communes():
    units = build_units()
    pairs = touching_pairs(units.set_index("code", drop=False))
    out = units[units["level"] == "commune"].copy()
    out["district_code"] = out["parent_code"]
    return out.reset_index(drop=True), pairs


def test_the_curve_is_the_published_one_with_its_source():
    head = realshape.CURVE.read_text(encoding="utf-8").splitlines()[:8]
    assert any("worldometers.info/coronavirus/country/viet-nam" in line for line in head)
    c = realshape.curve()
    assert c.index[0] == pd.Timestamp("2021-06-01") and c.index[-1] == pd.Timestamp("2021-11-21")
    assert (np.diff(c.index.to_numpy()) == np.timedelta64(1, "D")).all()  # each day once
    # figures as published (Worldometers' Vietnam series): a few checked by hand
    assert c["2021-07-01"] == 713 and c["2021-08-26"] == 16083 and c["2021-10-12"] == 2949
    assert (c >= 0).all() and c.max() == 16083


def test_province_follows_the_curve_split_with_clustering(communes):
    frame, pairs = communes
    days = realshape.dates()
    lam = realshape.intensity(days, frame, pairs, np.random.default_rng(7))
    pop = frame["population"].to_numpy(dtype=float)
    cases = lam * pop / 100_000  # expected community cases, (days, communes)
    scale = pop.sum() / realshape.VN_POPULATION * realshape.COMMUNITY_SHARE
    # the province's expected day is the curve's, at the province's scale
    assert np.allclose(cases.sum(axis=1), realshape.curve().to_numpy() * scale)
    # clustering: the busiest tenth of communes carries most of a week's cases ...
    week = cases[60:67].sum(axis=0)
    top = np.sort(week)[::-1][: len(week) // 10].sum() / week.sum()
    assert top > 0.4, top
    # ... neighbours resemble each other more than communes taken at random ...
    rate = np.log(week / pop + 1e-9)
    at = {c: i for i, c in enumerate(frame["code"].astype(str))}
    pairs_in = [(at[a], at[b]) for a, b in zip(pairs["code_a"], pairs["code_b"], strict=True)
                if a in at and b in at]
    a, b = np.array(pairs_in).T
    assert np.corrcoef(rate[a], rate[b])[0, 1] > 0.3
    # ... and a hot spot of one week is still hot three weeks later
    later = cases[81:88].sum(axis=0)
    assert np.corrcoef(np.log(week / pop + 1e-9), np.log(later / pop + 1e-9))[0, 1] > 0.4


def test_simulate_real_shaped_covers_the_curve_days(communes):
    frame, pairs = communes
    series = simulate(frame, curve="real-shaped", pairs=pairs)
    assert series.dates[0] == pd.Timestamp("2021-06-01")
    assert series.dates[-1] == pd.Timestamp("2021-11-21")
    community = np.nansum(series.metrics["new_cases_community"], axis=1)
    july, june = community[30:61].sum(), community[:30].sum()
    assert july > 5 * june  # the published July growth, not the story's quiet July
    again = simulate(frame, curve="real-shaped", pairs=pairs)  # deterministic
    assert np.array_equal(np.nan_to_num(again.metrics["new_cases_community"]),
                          np.nan_to_num(series.metrics["new_cases_community"]))


def test_demo_real_shaped_builds_and_forecasts(tmp_path):
    ws = api.open_workspace(f"sqlite:///{tmp_path / 'real.db'}")
    built = api.demo(ws, api.LOCAL_ADMIN, curve="real-shaped")
    assert built["units"] > 140
    frame = api.outlook(ws, pd.Timestamp("2021-07-20").date(), "commune", None, "en")
    assert (frame["p_up"] + frame["p_down"] + frame["p_same"]).round(3).eq(1).all()
    assert frame["p_up"].max() >= 0.5  # the July growth: some commune is likely to rise
