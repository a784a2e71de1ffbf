"""Finding a unit by code, by name without diacritics and by "name, parent name"."""

from __future__ import annotations

import doctest

import pytest

import zones.search
from zones import api


@pytest.fixture(scope="module")
def ws(demo_url):
    return api.open_workspace(demo_url)


def names(ws, query, limit=20):
    units = api.units(ws)
    return [units.at[c, "name"] for c in api.find_units(ws, query, limit)]


def test_by_name_without_diacritics_and_in_any_case(ws):
    assert names(ws, "vinh lac") == ["Phường Vĩnh Lạc"]
    assert names(ws, "VĨNH LẠC") == ["Phường Vĩnh Lạc"]
    assert names(ws, "phuong vinh lac") == ["Phường Vĩnh Lạc"]


def test_by_code_first_then_the_units_below(ws):
    assert api.find_units(ws, "30745")[0] == "30745"
    assert api.find_units(ws, "899")[0] == "899"
    assert api.find_units(ws, "30745-0")[:1] == ["30745-01"]


def test_a_name_shared_by_several_units_is_narrowed_by_its_parent(ws):
    units = api.units(ws)
    shared = units[units["level"] == "commune"]["name"].value_counts()
    shared = shared[shared > 1]
    assert not shared.empty, "the demo has communes sharing a name"
    name = shared.index[0]
    codes = units.index[units["name"] == name]
    for code in codes:
        parent = units.at[units.at[code, "parent_code"], "name"]
        plain = f"{name}, {parent}"
        assert api.find_units(ws, plain)[0] == code, plain
        assert api.find_units(ws, f"{name} {parent}")[0] == code


def test_nothing_found_and_empty_queries(ws):
    assert api.find_units(ws, "khong co don vi nay") == []
    assert api.find_units(ws, "   ") == ["91"]  # where to start: the provinces
    assert api.find_units(ws, ",") == []


def test_the_examples_in_the_module_hold():
    assert doctest.testmod(zones.search).failed == 0
