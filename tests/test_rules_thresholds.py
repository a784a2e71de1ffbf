"""A rate exactly at a threshold a person wrote is at it, never just below through floating
point (3 cases in 10,000 people is 30 per 100,000, not 29.999999999999996)."""

from __future__ import annotations

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import rules
from rules.registry import SHIPPED
from tests.test_rules_4800 import commune, level_of, week

RAW = yaml.safe_load((SHIPPED / "qd4800.yaml").read_text(encoding="utf-8"))


def with_bands(starts: list[float]) -> rules.RuleSet:
    """A province's copy of QĐ 4800 with its own band starts (per 100,000 in 7 days)."""
    raw = {**RAW, "id": "qd4800-custom",
           "parameters": {**RAW["parameters"],
                          "band_starts_per_100k": {**RAW["parameters"][
                              "band_starts_per_100k"], "value": starts}}}
    return rules.parse_ruleset(raw)


def test_the_reported_case():
    custom = with_bands([10, 30, 150])
    assert level_of(week(cases=3, population=10_000),
                    [commune(population=10_000)], ruleset=custom) == 3
    exp = rules.assess(
        rules.testing.make_inputs([commune(population=10_000)],
                                  rules.testing.observations(week(cases=3))),
        custom, ["2021-10-20"]).explain("X1", "2021-10-20")
    assert any("= 30" in r and "→ cấp 3" in r for r in exp.reasons), exp.reasons


@settings(max_examples=60, deadline=None)
@given(hundredths=st.integers(1, 30_000), multiple=st.integers(1, 40))
def test_a_rate_at_a_written_threshold_reaches_it(hundredths, multiple):
    """Threshold T = hundredths / 100 (what a person writes); a population and a case count
    whose rate is exactly T: the unit is at T's level, one case fewer is below it."""
    g = math.gcd(hundredths, 10_000_000)
    population = 10_000_000 // g * multiple
    cases = hundredths // g * multiple  # cases * 100,000 / population == hundredths / 100
    threshold = hundredths / 100
    custom = with_bands([threshold, threshold * 2 + 1, threshold * 3 + 2])
    units = [commune(population=population)]
    assert level_of(week(cases=cases, population=population), units, ruleset=custom) == 2
    if cases > 1:
        below = week(cases=cases - 1, population=population)
        assert level_of(below, units, ruleset=custom) == 1
