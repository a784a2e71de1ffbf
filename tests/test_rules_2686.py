"""QĐ 2686: commune levels, the neighbour cascade (exactly once), district and province
shares, manual flags and missing data."""

import pytest

import rules
from rules.testing import daily, make_inputs, observations

D = "2021-08-20"
QD2686 = rules.load_rulesets().get("qd2686")
FIGURES = ("clusters_unknown_source", "f0_high_risk_setting", "f0_unknown_source",
           "f0_community_known_source", "f1_community")


def quiet(code, start="2021-08-07", end=D):
    """Daily zero reports for all five figures over the 14-day window."""
    return daily(code, start, end, **dict.fromkeys(FIGURES, 0.0))


def event(code, metric, date="2021-08-15", n=1):
    return {"unit_code": code, "date": date, metric: n}


def commune(code, parent="H1", population=8000):
    return {"code": code, "name": f"Xã {code}", "level": "commune", "parent_code": parent,
                "population": population}


def assess(units, obs, pairs=(), flags=(), date=D):
    inputs = make_inputs(units, observations(*obs), pairs, flags)
    return rules.assess(inputs, QD2686, [date])


@pytest.mark.parametrize(("metric", "expected"), [
    ("clusters_unknown_source", 4), ("f0_high_risk_setting", 4), ("f0_unknown_source", 3),
    ("f0_community_known_source", 2), ("f1_community", 2), (None, 1)])
def test_commune_levels(metric, expected):
    obs = [quiet("X1")] + ([event("X1", metric)] if metric else [])
    assert assess([commune("X1")], obs).at(D)["X1"] == expected


def test_highest_level_wins():
    obs = [quiet("X1"), event("X1", "f1_community"), event("X1", "clusters_unknown_source")]
    assert assess([commune("X1")], obs).at(D)["X1"] == 4


def test_factors_age_out_after_14_days():
    obs = [quiet("X1", "2021-07-20"), event("X1", "f0_unknown_source", "2021-08-06")]
    result = rules.assess(make_inputs([commune("X1")], observations(*obs)), QD2686,
                          ["2021-08-19", "2021-08-20"])
    assert result.frame()["X1"].tolist() == [3, 1]


def test_no_report_in_window_is_not_enough_data():
    assert assess([commune("X1")], [quiet("X1", "2021-07-01", "2021-08-01")]).at(D)["X1"] == 0


def test_cascade_exactly_once():
    # chain A - B - C - D: A red; B touches red -> orange; C touches orange -> yellow;
    # D touches only yellow -> stays green (no second round of cascading)
    units = [commune(c) for c in "ABCD"]
    obs = [quiet(c) for c in "ABCD"] + [event("A", "clusters_unknown_source")]
    lv = assess(units, obs, pairs=[("A", "B"), ("C", "B"), ("C", "D")]).at(D)
    assert lv[list("ABCD")].tolist() == [4, 3, 2, 1]


def test_cascade_from_own_orange_and_lower_bound_only():
    units = [commune(c) for c in "ABC"]
    obs = [quiet(c) for c in "ABC"] + [event("A", "f0_unknown_source"),
                                       event("C", "clusters_unknown_source")]
    lv = assess(units, obs, pairs=[("A", "B"), ("B", "C")]).at(D)
    assert lv[list("ABC")].tolist() == [3, 3, 4]  # B: touches red -> orange (not red)


def test_cascade_does_not_fill_missing_data():
    units = [commune("A"), commune("B")]
    obs = [quiet("A"), event("A", "clusters_unknown_source")]
    assert assess(units, obs, pairs=[("A", "B")]).at(D)["B"] == rules.NO_DATA


def _district(levels_by_commune, flags=()):
    metric = {4: "clusters_unknown_source", 3: "f0_unknown_source", 2: "f1_community"}
    units = [commune(c, "H1") for c in levels_by_commune] + [
        {"code": "H1", "name": "Huyện", "level": "district", "parent_code": "T1"},
        {"code": "T1", "name": "Tỉnh", "level": "province", "parent_code": ""}]
    obs = [quiet(c) for c in levels_by_commune] + [
        event(c, metric[lv]) for c, lv in levels_by_commune.items() if lv > 1]
    return assess(units, obs, flags=flags).at(D)


@pytest.mark.parametrize(("levels", "expected"), [
    ({"a": 4, "b": 1, "c": 1}, 4),                    # 33% red
    ({"a": 4, "b": 1, "c": 1, "d": 1}, 3),            # 25% red -> orange (a red commune)
    ({"a": 3, "b": 3, "c": 1, "d": 1}, 4),            # 50% orange or red
    ({"a": 3, "b": 1, "c": 1}, 3),                    # 33% orange
    ({"a": 3, "b": 1, "c": 1, "d": 1}, 2),            # 25% orange: yellow [inferred]
    ({"a": 2, "b": 2, "c": 1, "d": 1}, 3),            # 50% yellow or above
    ({"a": 2, "b": 1, "c": 1, "d": 1}, 2),
    ({"a": 1, "b": 1}, 1),
])
def test_district_shares(levels, expected):
    assert _district(levels)["H1"] == expected


def test_district_flags():
    levels = {"a": 1, "b": 1}
    flag = [{"unit_code": "H1", "date": "2021-08-18", "flag": "uncontrolled_spread_gt50pct"}]
    assert _district(levels, flag)["H1"] == 4
    flag = [{"unit_code": "H1", "date": "2021-08-18", "flag": "key_industrial_zone_adjacent"}]
    assert _district(levels, flag)["H1"] == 3


def test_province_from_districts():
    units = [{"code": "T1", "name": "Tỉnh", "level": "province", "parent_code": ""}]
    obs = []
    # 10 districts with one commune each; 3 red = 30% is NOT more than 30% -> orange
    for i in range(10):
        units += [{"code": f"H{i}", "name": f"H{i}", "level": "district", "parent_code": "T1"},
                  commune(f"X{i}", f"H{i}")]
        obs += [quiet(f"X{i}")] + ([event(f"X{i}", "clusters_unknown_source")] if i < 3 else [])
    assert assess(units, obs).at(D)["T1"] == 3
    obs += [event("X3", "clusters_unknown_source")]
    assert assess(units, obs).at(D)["T1"] == 4
    exp = assess(units, obs).explain("T1", D)
    assert exp.level == 4 and exp.reasons


def test_district_without_commune_data_is_not_enough_data():
    units = [commune("a"), {"code": "H1", "name": "H", "level": "district", "parent_code": ""}]
    assert assess(units, []).at(D)["H1"] == rules.NO_DATA


def test_commune_with_no_data_left_out_of_shares():
    units = [commune("a"), commune("b"), commune("c"),
             {"code": "H1", "name": "H", "level": "district", "parent_code": ""}]
    obs = [quiet("a"), quiet("b"), event("a", "clusters_unknown_source")]
    assert assess(units, obs).at(D)["H1"] == 4  # 1 of 2 communes with data is red
