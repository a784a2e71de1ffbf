"""QĐ 4800: the worked examples of rulesets.md §2.6, missing data, holds, hysteresis and
aggregation to districts and provinces."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import rules
from rules.testing import daily, make_inputs, observations

D = "2021-10-20"
REG = rules.load_rulesets()
QD4800 = REG.get("qd4800")


def commune(code="X1", parent="H1", population=10_000, **extra):
    return dict(code=code, name=f"Xã {code}", level="commune", parent_code=parent,
                population=population, pop_18plus=population * 0.7,
                pop_50plus=population * 0.2, pop_65plus=population * 0.1, **extra)


def week(code="X1", cases=0, adult=0.75, elderly=0.85, population=10_000, end=D, **extra):
    """7 days ending on ``end``: ``cases`` on the last day, cumulative vaccination."""
    start = pd.Timestamp(end) - pd.Timedelta(days=6)
    base = daily(code, start, end, new_cases_community=0,
                 vaccinated_1dose_18plus=round(adult * population * 0.7),
                 vaccinated_full_65plus=round(elderly * population * 0.1),
                 vaccinated_full_50plus=round(elderly * population * 0.2), **extra)
    base.loc[base.index[-1], "new_cases_community"] = cases
    return base


def level_of(obs, units=None, ruleset=QD4800, date=D, code="X1", pairs=()):
    inputs = make_inputs(units or [commune()], observations(obs), pairs)
    return int(rules.assess(inputs, ruleset, [date]).at(date)[code])


@pytest.mark.parametrize(("cases", "expected"), [(0, 1), (1, 1), (2, 2), (4, 2), (5, 3),
                                                 (14, 3), (15, 4), (60, 4)])
def test_worked_examples_bands(cases, expected):
    assert level_of(week(cases=cases)) == expected


@pytest.mark.parametrize(("cases", "adult", "elderly", "expected"), [
    (1, 0.69, 0.85, 2),   # adult coverage missed -> band + 1
    (1, 0.75, 0.79, 2),   # elderly coverage missed -> band + 1
    (15, 0.50, 0.85, 4),  # capped at 4
    (1, 0.50, 0.50, 2),   # both missed: no stacking by default
    (5, 0.70, 0.80, 3),   # exactly on target counts as met
])
def test_worked_examples_vaccination(cases, adult, elderly, expected):
    assert level_of(week(cases=cases, adult=adult, elderly=elderly)) == expected


def _with_params(ruleset, **changes):
    info = {k: dataclasses.replace(p, value=changes.get(k, p.value))
            for k, p in ruleset.parameter_info.items()}
    raw = __import__("yaml").safe_load(ruleset.path.read_text(encoding="utf-8"))
    for k, v in changes.items():
        raw["parameters"][k]["value"] = v
    assert info  # parameters exist
    return rules.parse_ruleset(raw, file="edited")


def test_stacking_is_configurable():
    stacked = _with_params(QD4800, stack_vaccination_raises=True)
    assert level_of(week(cases=1, adult=0.5, elderly=0.5), ruleset=stacked) == 3


def test_adult_target_is_configurable():
    lower = _with_params(QD4800, adult_cover_target=0.6)
    assert level_of(week(cases=1, adult=0.65), ruleset=lower) == 1


def test_elderly_group_switches_to_50_plus_in_november():
    obs = week(cases=1, end="2021-11-05")
    obs["vaccinated_full_50plus"] = 0.5 * 2000  # 50+ below target, 65+ fine
    assert level_of(obs, date="2021-11-05") == 2
    obs = week(cases=1, end="2021-10-25")
    obs["vaccinated_full_50plus"] = 0.5 * 2000
    assert level_of(obs, date="2021-10-25") == 1


def test_quarantine_cases_do_not_count():
    obs = week(cases=0, new_cases_quarantine=50)
    assert level_of(obs) == 1


def test_no_population_or_no_cases_is_not_enough_data():
    assert level_of(week(cases=3), units=[commune(population=np.nan)]) == rules.NO_DATA
    obs = week(cases=3).assign(new_cases_community=np.nan)
    assert level_of(obs) == rules.NO_DATA


def test_cases_reported_outside_window_are_not_enough_data():
    assert level_of(week(cases=3, end="2021-10-10")) == rules.NO_DATA


def test_zero_cases_reported_is_green_not_missing():
    assert level_of(week(cases=0)) == 1


def test_missing_vaccination_gives_band_alone_and_is_flagged():
    obs = week(cases=2).drop(columns=["vaccinated_1dose_18plus"])
    inputs = make_inputs([commune()], observations(obs))
    result = rules.assess(inputs, QD4800, [D])
    assert int(result.at(D)["X1"]) == 2
    exp = result.explain("X1", D)
    assert any("≥18 tuổi" in m for m in exp.missing)


def test_missing_vaccination_assume_not_met_option():
    strict = _with_params(QD4800, missing_vaccination="assume_not_met")
    obs = week(cases=0).drop(columns=["vaccinated_1dose_18plus"])
    assert level_of(obs, ruleset=strict) == 2


def _two_weeks(first_cases, second_cases, capacity_ok):
    a = week(cases=first_cases, end="2021-10-13", treatment_capacity_ok=capacity_ok)
    b = week(cases=second_cases, end=D, treatment_capacity_ok=capacity_ok)
    return pd.concat([a, b])


def test_treatment_capacity_not_met_holds_previous_level():
    assert level_of(_two_weeks(15, 0, capacity_ok=0)) == 4
    assert level_of(_two_weeks(15, 0, capacity_ok=1)) == 1


def test_hold_never_lowers_and_needs_a_previous_level():
    assert level_of(_two_weeks(0, 5, capacity_ok=0)) == 3
    assert level_of(week(cases=2, treatment_capacity_ok=0)) == 2


def test_hysteresis_delays_downgrade():
    slow = _with_params(QD4800, min_days_before_downgrade=14)
    obs = observations(daily("X1", "2021-10-01", "2021-11-10", new_cases_community=0,
                             vaccinated_1dose_18plus=5250, vaccinated_full_65plus=850,
                             vaccinated_full_50plus=1700),
                       {"unit_code": "X1", "date": "2021-10-05", "new_cases_community": 20})
    inputs = make_inputs([commune()], obs)
    dates = pd.date_range("2021-10-05", "2021-11-05")
    fast = rules.assess(inputs, QD4800, dates).frame()["X1"]
    held = rules.assess(inputs, slow, dates).frame()["X1"]
    assert fast["2021-10-05"] == 4 and fast["2021-10-12"] == 1
    assert (held["2021-10-05":"2021-10-24"] == 4).all()   # 14 days below from 10-12
    assert held["2021-10-25"] == 1
    exp = rules.assess(inputs, slow, dates).explain("X1", "2021-10-20")
    assert any("ngày" in p for p in exp.path_down)


def _district_inputs(obs, extra_units=()):
    units = [commune("X1"), commune("X2"), commune("X3", population=20_000),
             {"code": "H1", "name": "Huyện Một", "level": "district", "parent_code": "T1"},
             {"code": "T1", "name": "Tỉnh Một", "level": "province", "parent_code": ""},
             *extra_units]
    return make_inputs(units, observations(*obs))


def test_district_and_province_use_summed_figures_of_communes():
    # 4 + 0 + 6 cases over 40,000 people = 25 / 100k -> level 2 (communes: 40, 0, 30)
    inputs = _district_inputs([week("X1", 4), week("X2", 0), week("X3", 6, population=20_000)])
    lv = rules.assess(inputs, QD4800, [D]).at(D)
    assert lv.to_dict() == {"X1": 2, "X2": 1, "X3": 2, "H1": 2, "T1": 2}


def test_hamlets_are_assessed_on_their_own_and_not_double_counted():
    hamlet = {"code": "A1", "name": "Ấp Một", "level": "hamlet", "parent_code": "X1", "population": 2000,
                  "pop_18plus": 1400, "pop_50plus": 400, "pop_65plus": 200}
    obs = [week("X1", 4), week("X2", 0), week("X3", 6, population=20_000),
           week("A1", 4, population=2000)]
    lv = rules.assess(_district_inputs(obs, [hamlet]), QD4800, [D]).at(D)
    assert lv["A1"] == 4 and lv["H1"] == 2  # hamlet: 200/100k; district unchanged


def test_district_uses_reporting_communes_only():
    inputs = _district_inputs([week("X1", 4), week("X2", 0)])  # X3 did not report
    lv = rules.assess(inputs, QD4800, [D]).at(D)
    assert lv["X3"] == rules.NO_DATA and lv["H1"] == 2  # 4 / 20,000 = 20 / 100k


def test_district_with_no_reporting_commune_is_not_enough_data():
    lv = rules.assess(_district_inputs([]), QD4800, [D]).at(D)
    assert lv["H1"] == rules.NO_DATA and lv["T1"] == rules.NO_DATA


def test_share_of_units_option_is_labelled():
    shares = _with_params(QD4800, higher_tier_method="share_of_units")
    inputs = _district_inputs([week("X1", 15), week("X2", 0), week("X3", 0, population=20_000)])
    result = rules.assess(inputs, shares, [D])
    assert result.at(D)["H1"] == 4  # 1 of 3 communes red: >= 30%
    table = rules.describe_ruleset(shares, "vi")
    assert table["tier"].str.contains("tỷ lệ đơn vị").any()


def test_district_treatment_flag_uses_its_own_report():
    obs = [_two_weeks(15, 0, capacity_ok=1).assign(unit_code="X1"),
           week("X2", 0), week("X3", 0, population=20_000),
           daily("H1", "2021-10-01", D, treatment_capacity_ok=0)]
    obs[1] = pd.concat([obs[1], week("X2", 0, end="2021-10-13")])
    obs[2] = pd.concat([obs[2], week("X3", 0, end="2021-10-13", population=20_000)])
    lv = rules.assess(_district_inputs(obs), QD4800, [D]).at(D)
    # D-7: 15 / 40,000 = 37.5 per 100k -> district level 2, held by its own "not met" report
    assert lv["X1"] == 1 and lv["H1"] == 2
    lv = rules.assess(_district_inputs(obs[:3]), QD4800, [D]).at(D)
    assert lv["H1"] == 1
