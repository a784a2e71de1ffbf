"""Operator and indicator registries: tables of valid cases; NaN never holds."""

import numpy as np
import pytest

import rules
from rules.indicators import _ffill, _window_sums
from rules.operators import apply
from zones.maps import palettes

X = np.array([np.nan, 0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("ge", 2, [0, 0, 0, 1, 1]), ("gt", 2, [0, 0, 0, 0, 1]), ("le", 1, [0, 1, 1, 0, 0]),
    ("lt", 1, [0, 1, 0, 0, 0]), ("eq", 0, [0, 1, 0, 0, 0]), ("ne", 0, [0, 0, 1, 1, 1]),
    ("between", (1, 3), [0, 0, 1, 1, 0]), ("outside", (1, 3), [0, 1, 0, 0, 1]),
])
def test_operators(op, value, expected):
    assert apply(op, X, value).tolist() == [bool(e) for e in expected]


def test_registries_are_exposed():
    assert set(rules.OPERATORS) >= {"ge", "gt", "le", "lt", "eq", "between"}
    assert set(rules.INDICATOR_FUNCTIONS) >= {"window_sum", "window_mean", "latest",
                                              "days_since", "per_100k", "ratio"}


def test_window_sum_counts_only_reported_days():
    arr = np.array([[1.0], [np.nan], [2.0], [np.nan], [np.nan], [np.nan]])
    total, count = _window_sums(arr, 3)
    assert total.ravel().tolist() == [1, 1, 3, 2, 2, 0]
    assert count.ravel().tolist() == [1, 1, 2, 1, 1, 0]


def test_ffill():
    arr = np.array([[np.nan, 1.0], [5.0, np.nan], [np.nan, np.nan]])
    assert np.array_equal(_ffill(arr), np.array([[np.nan, 1], [5, 1], [5, 1]]),
                          equal_nan=True)


def test_palettes_same_order_and_grey_no_data():
    assert palettes.COLOURS[1] == "#2E9E44" and palettes.COLOURS[4] == "#D7263D"
    assert palettes.COLOURS[rules.NO_DATA] == "#9E9E9E"
    assert set(palettes.COLOURS_COLOURBLIND) == set(palettes.COLOURS)
    assert palettes.level_colour(3, "colourblind") == palettes.COLOURS_COLOURBLIND[3]
    assert palettes.colour_word(2) == "vàng" and palettes.colour_word(0, "en") == "grey"
