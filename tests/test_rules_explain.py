"""Explanations, path down and number formatting (Vietnamese by default, English on request)."""

import pandas as pd
import pytest
from test_rules_4800 import QD4800, D, commune, week

import rules
from rules.testing import daily, make_inputs, observations


def explain(obs, units=None, code="X1", lang="vi", date=D, ruleset=QD4800):
    inputs = make_inputs(units or [commune()], observations(obs))
    return rules.assess(inputs, ruleset, [date]).explain(code, date, lang)


@pytest.mark.parametrize(("x", "lang", "text"), [
    (1240, "vi", "1.240"), (1240, "en", "1,240"), (0.75, "vi", "0,75"), (1234567.5, "vi",
                                                                          "1.234.567,5"),
    (70.0, "vi", "70"), (float("nan"), "vi", "–")])
def test_numbers(x, lang, text):
    assert rules.fmt_number(x, lang) == text


def test_percent():
    assert rules.fmt_percent(0.7) == "70%" and rules.fmt_percent(0.755) == "75,5%"
    assert rules.fmt_percent(0.755, "en") == "75.5%"


def test_band_reason_and_path_down_in_cases():
    exp = explain(week(cases=7))
    assert exp.level == 3 and exp.level_name == "Cấp 3 – Nguy cơ cao"
    assert exp.ruleset_id == "qd4800" and exp.ruleset_version
    assert "70" in exp.reasons[0] and "50" in exp.reasons[0]
    assert exp.path_down == [
        "Số ca cộng đồng 7 ngày phải giảm từ 7 xuống 4 (dưới 50/100.000 dân)"]
    assert exp.values["rate_7d"] == pytest.approx(70.0)


def test_path_down_english():
    exp = explain(week(cases=7), lang="en")
    assert exp.level_name == "Level 3 – High risk"
    assert exp.path_down == [
        "community cases in 7 days must fall from 7 to 4 (below 50 per 100,000)"]


def test_path_down_vaccination_people_needed():
    # 100,000 people, 70,000 aged 18+, 47,760 vaccinated (68.2%): 1,240 more reach 70%
    units = [commune(population=100_000)]
    obs = week(cases=0, population=100_000)
    obs["vaccinated_1dose_18plus"] = 47_760
    exp = explain(obs, units)
    assert exp.level == 2
    assert exp.path_down == ["Cần thêm 1.240 người ≥18 tuổi tiêm mũi 1 để đạt 70%"]
    assert any("Tiêu chí 2" in r for r in exp.reasons)


def test_path_down_offers_alternatives():
    exp = explain(week(cases=2, adult=0.6))  # band 2 + 1 = 3
    assert exp.level == 3
    (line,) = exp.path_down
    options = line.split("; hoặc ")
    assert sorted(options) == ["Cần thêm 700 người ≥18 tuổi tiêm mũi 1 để đạt 70%",
                               "Số ca cộng đồng 7 ngày phải giảm từ 2 xuống 1 (dưới 20/100.000 dân)"]


def test_lowest_level():
    assert explain(week(cases=0)).path_down == ["Đã ở cấp thấp nhất"]
    assert explain(week(cases=0), lang="en").path_down == ["Already at the lowest level"]


def test_not_enough_data_says_what_is_missing():
    exp = explain(week(cases=3), units=[commune(population=float("nan"))])
    assert exp.level == rules.NO_DATA and exp.level_name == "Chưa đủ dữ liệu"
    assert exp.missing == ["Dân số"]
    exp = explain(week(cases=3, end="2021-10-01"), lang="en")
    assert exp.level_name == "Not enough data"
    assert "community cases (no report in the 7 days to 20/10/2021)" in exp.missing


def test_hold_is_explained():
    obs = pd.concat([week(cases=15, end="2021-10-13", treatment_capacity_ok=0),
                     week(cases=0, treatment_capacity_ok=0)])
    exp = explain(obs)
    assert exp.level == 4
    assert any("Tiêu chí 3" in r and "13/10/2021" in r for r in exp.reasons)
    assert any("Tiêu chí 3" in p for p in exp.path_down)


def test_2686_cascade_explained_with_neighbour_names():
    qd2686 = rules.load_rulesets().get("qd2686")
    figures = ("clusters_unknown_source", "f0_high_risk_setting", "f0_unknown_source",
               "f0_community_known_source", "f1_community")
    units = [{"code": c, "name": f"Xã {c}", "level": "commune", "parent_code": "", "population": 5000}
             for c in "AB"]
    obs = observations(*[daily(c, "2021-08-01", "2021-08-20", **dict.fromkeys(figures, 0))
                         for c in "AB"],
                       {"unit_code": "A", "date": "2021-08-10", "clusters_unknown_source": 1})
    result = rules.assess(make_inputs(units, obs, [("A", "B")]), qd2686, ["2021-08-20"])
    exp = result.explain("B", "2021-08-20")
    assert exp.level == 3 and any("Xã A" in r for r in exp.reasons)
    assert exp.path_down == ["Đơn vị giáp ranh Xã A phải xuống dưới cấp 4"]
    exp_a = result.explain("A", "2021-08-20")
    assert "hết tính từ 24/08/2021" in exp_a.path_down[0]


def test_reasons_table_and_unknown_unit():
    units = [commune("X1"), commune("X2"),
             {"code": "H1", "name": "Huyện", "level": "district", "parent_code": ""}]
    inputs = make_inputs(units, observations(week("X1", cases=7)))
    result = rules.assess(inputs, QD4800, [D])
    table = result.reasons_table(D)
    assert list(table.columns) == ["unit_code", "unit_name", "level", "level_name", "ruleset",
                                   "reasons"]
    assert str(table["level"].dtype) == "Int8"
    row = table.set_index("unit_code").loc["X2"]
    assert pd.isna(row["level"]) and row["level_name"] == "Chưa đủ dữ liệu"
    assert list(result.reasons_table(D, level="district")["unit_code"]) == ["H1"]
    assert result.explain("nope", D).missing == ["Không có đơn vị mã nope"]


def test_entered_on():
    obs = observations(daily("X1", "2021-10-01", "2021-10-25", new_cases_community=0,
                             vaccinated_1dose_18plus=5250, vaccinated_full_65plus=850,
                             vaccinated_full_50plus=1700),
                       {"unit_code": "X1", "date": "2021-10-15", "new_cases_community": 3})
    result = rules.assess(make_inputs([commune()], obs), QD4800, ["2021-10-18", "2021-10-25"])
    assert result.entered_on("2021-10-18")["X1"] == pd.Timestamp("2021-10-15")
    assert result.entered_on("2021-10-25")["X1"] == pd.Timestamp("2021-10-22")
