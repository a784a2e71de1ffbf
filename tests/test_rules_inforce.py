"""The rule set in force per date: QĐ 2686 until 2021-10-11, QĐ 4800 from 2021-10-12."""

import numpy as np
import pandas as pd
import pytest

import rules
from rules.testing import daily, make_inputs, observations

REG = rules.load_rulesets()
FIGURES = ("clusters_unknown_source", "f0_high_risk_setting", "f0_unknown_source",
           "f0_community_known_source", "f1_community")


def _inputs():
    units = [{"code": "X1", "name": "Xã Một", "level": "commune", "parent_code": "", "population": 10_000,
                  "pop_18plus": 7000, "pop_50plus": 2000, "pop_65plus": 1000}]
    obs = observations(
        daily("X1", "2021-09-20", "2021-10-20", new_cases_community=0,
              vaccinated_1dose_18plus=5250, vaccinated_full_65plus=850,
              vaccinated_full_50plus=1700, **dict.fromkeys(FIGURES, 0)),
        {"unit_code": "X1", "date": "2021-10-08", "f0_unknown_source": 1,
         "new_cases_community": 1})
    return make_inputs(units, obs)


def test_registry_in_force_dates():
    assert REG.in_force("2021-06-01").id == "qd2686"
    assert REG.in_force("2021-10-11").id == "qd2686"
    assert REG.in_force(pd.Timestamp("2021-10-12")).id == "qd4800"
    with pytest.raises(LookupError):
        REG.in_force("2021-05-01")


def test_switch_on_12_october():
    dates = pd.date_range("2021-10-10", "2021-10-13")
    result = rules.assess_in_force(_inputs(), REG, dates)
    assert list(result.ruleset_ids) == ["qd2686", "qd2686", "qd4800", "qd4800"]
    assert result.frame()["X1"].tolist() == [3, 3, 1, 1]  # orange under 2686, then 10/100k
    assert result.ruleset_versions[0] == REG.get("qd2686").version
    assert result.explain("X1", "2021-10-11").level_name == "Nguy cơ cao"
    assert result.explain("X1", "2021-10-12").ruleset_id == "qd4800"
    assert result.levels.dtype == np.int8 and result.levels.shape == (4, 1)


def test_override_uses_one_ruleset():
    dates = pd.date_range("2021-10-10", "2021-10-13")
    result = rules.assess_in_force(_inputs(), REG, dates, override="qd4800")
    assert set(result.ruleset_ids) == {"qd4800"}
    with pytest.raises(KeyError):
        rules.assess_in_force(_inputs(), REG, dates, override="qd480")


def test_inputs_contract_is_checked():
    with pytest.raises(rules.RulesInputError, match="parent_code"):
        rules.Inputs(pd.DataFrame({"name": [], "level": []}),
                     pd.DataFrame({"unit_code": [], "date": []}))
