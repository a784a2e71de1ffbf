"""Hierarchy: parents dissolved from communes (2021 and 2025), legacy -> 2025 codes."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import hierarchy
from geodata.fields import infer_mapping
from tests.test_boundaries_fixtures import communes_gdf


def build(gdf, **kw):
    fmap, structure = infer_mapping(gdf, **kw)
    base = hierarchy.canonical(gdf, fmap)
    return fmap, structure, base, hierarchy.build_parents(gdf, fmap, base)


def test_2021_builds_districts_and_province():
    _, structure, base, parents = build(communes_gdf())
    assert structure == "2021"
    got = parents.set_index("code")
    assert got.loc["899", ["name", "level", "parent_code"]].tolist() == [
        "Thành phố Rạch Giá", "district", "91"]
    assert got.loc["91", "level"] == "province" and got.loc["91", "parent_code"] is None
    assert got.loc["899", "population"] == 1200 + 2300
    assert got.loc["91", "population"] == 1200 + 2300 + 3400 + 4500
    assert got.loc["91", "geometry"].area == pytest.approx(0.04)
    assert base.set_index("code").loc["30733", "parent_code"] == "899"


def test_2025_has_no_districts():
    gdf = communes_gdf().drop(columns=["MaHuyen", "TenHuyen"])
    _, structure, base, parents = build(gdf)
    assert structure == "2025"
    assert parents["level"].tolist() == ["province"]
    assert set(base["parent_code"]) == {"91"}


def test_structure_2025_forced_skips_district_fields():
    _, _, base, parents = build(communes_gdf(), structure="2025")
    assert set(parents["level"]) == {"province"} and set(base["parent_code"]) == {"91"}


def test_parent_population_unknown_when_a_child_lacks_it():
    gdf = communes_gdf()
    gdf.loc[0, "DanSo"] = None
    _, _, _, parents = build(gdf)
    got = parents.set_index("code")["population"]
    assert pd.isna(got["899"]) and got["900"] == 3400 + 4500


def test_parents_by_name_only_get_made_codes():
    gdf = communes_gdf().drop(columns=["MaHuyen"])
    _, _, base, parents = build(gdf)
    districts = parents[parents["level"] == "district"]
    assert sorted(districts["name"]) == ["Huyện Hòn Đất", "Thành phố Rạch Giá"]
    assert set(districts["parent_code"]) == {"91"}
    assert set(base["parent_code"]) == set(districts["code"])


def test_parent_conflicts_reported():
    gdf = communes_gdf()
    gdf.loc[3, "MaTinh"] = "92"
    fmap, _ = infer_mapping(gdf)
    conflicts = hierarchy.parent_conflicts(gdf, fmap)
    assert conflicts.to_dict("records") == [{"code": "900", "parents": "91, 92"}]


def test_legacy_to_2025():
    got = hierarchy.legacy_to_2025(["30733", 4, "99999"]).set_index("legacy_code")
    assert got.loc["00004", "code_2025"] == "00004"
    assert got.loc["30733", "code_2025"] != ""
    assert got.loc["99999", "code_2025"] == "" and not got.loc["99999", "is_default"]


def test_legacy_mapping_covers_the_legacy_communes():
    table = hierarchy.legacy_mapping()
    assert table["legacy_code"].nunique() > 10_000
    assert table.groupby("legacy_code")["is_default"].any().all()
