"""Field mapping: Vietnamese GIS, GADM, 2025 ward lists, geoBoundaries; code padding."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.fields import (
    GeodataError,
    clean_codes,
    infer_mapping,
    level_from_codes,
    norm_field,
    parse_counts,
)


def frame(*cols, values=None):
    return pd.DataFrame({c: [values or "1"] for c in cols})


@pytest.mark.parametrize(("cols", "level", "code", "name", "parents", "structure"), [
    (("MaXa", "TenXa", "MaHuyen", "TenHuyen", "MaTinh", "TenTinh"), "commune", "MaXa", "TenXa",
     [("district", "MaHuyen", "TenHuyen"), ("province", "MaTinh", "TenTinh")], "2021"),
    (("ma_xa", "ten_xa", "ma_tinh"), "commune", "ma_xa", "ten_xa",
     [("province", "ma_tinh", None)], "2025"),
    (("Mã xã", "Tên xã"), "commune", "Mã xã", "Tên xã", [], "2021"),
    (("MAHUYEN", "TENHUYEN", "MATINH"), "district", "MAHUYEN", "TENHUYEN",
     [("province", "MATINH", None)], "2021"),
    (("ward_code", "ward_name", "ward_full_name", "province_code", "province_name"),
     "commune", "ward_code", "ward_full_name", [("province", "province_code", "province_name")],
     "2025"),
    (("GID_1", "NAME_1", "GID_2", "NAME_2", "GID_3", "NAME_3"), "commune", "GID_3", "NAME_3",
     [("district", "GID_2", "NAME_2"), ("province", "GID_1", "NAME_1")], "2021"),
    (("GID_0", "GID_1", "NAME_1"), "province", "GID_1", "NAME_1", [], "2021"),
])
def test_recognised_fields(cols, level, code, name, parents, structure):
    fmap, struct = infer_mapping(frame(*cols))
    assert (fmap.level, fmap.code, fmap.name, struct) == (level, code, name, structure)
    assert [(p.level, p.code, p.name) for p in fmap.parents] == parents
    assert not fmap.guessed_level


def test_geoboundaries_level_from_shape_type():
    df = pd.DataFrame({"shapeID": ["VNM-ADM1-1"], "shapeName": ["An Giang"],
                       "shapeType": ["ADM1"]})
    fmap, _ = infer_mapping(df)
    assert (fmap.level, fmap.code, fmap.name) == ("province", "shapeID", "shapeName")


def test_population_fields_and_override():
    df = frame("MaXa", "TenXa", "DanSo", "nguoi")
    assert infer_mapping(df)[0].population == {"population": "DanSo"}
    fmap, _ = infer_mapping(df, overrides={"population": "nguoi", "code": "MaXa"})
    assert fmap.population["population"] == "nguoi"


def test_generic_code_guesses_level_from_codes():
    df = pd.DataFrame({"code": ["01", "79"], "name": ["a", "b"]})
    fmap, _ = infer_mapping(df)
    assert (fmap.level, fmap.guessed_level) == ("province", True)


def test_parent_override_for_2025_and_2021():
    df = frame("code", "name", "tinh_cha")
    fmap, _ = infer_mapping(df, level="commune", structure="2025",
                            overrides={"parent": "tinh_cha"})
    assert [(p.level, p.code) for p in fmap.parents] == [("province", "tinh_cha")]
    fmap, _ = infer_mapping(df, level="commune", structure="2021",
                            overrides={"parent": "tinh_cha"})
    assert fmap.parents[0].level == "district"


def test_no_code_field_lists_the_fields():
    with pytest.raises(GeodataError, match="no_code_field") as err:
        infer_mapping(frame("foo", "bar"))
    assert err.value.params["fields"] == "foo, bar"


def test_override_naming_a_missing_field():
    with pytest.raises(GeodataError) as err:
        infer_mapping(frame("MaXa"), overrides={"name": "TenPhuong"})
    assert err.value.key == "field_not_found"
    assert err.value.params["field"] == "TenPhuong"


@pytest.mark.parametrize(("values", "level", "expected"), [
    ([1, 79.0, "01", " 7 "], "province", ["01", "79", "01", "07"]),
    ([1, 760], "district", ["001", "760"]),
    ([4, "30733", 30733.0], "commune", ["00004", "30733", "30733"]),
    (["VNM.1.1_1", None], "commune", ["VNM.1.1_1", ""]),
    (["7"], "hamlet", ["7"]),
])
def test_codes_stay_strings_and_are_padded(values, level, expected):
    assert clean_codes(pd.Series(values, dtype=object), level).tolist() == expected


def test_level_from_codes():
    assert level_from_codes(pd.Series(["001", "002"])) == "district"
    assert level_from_codes(pd.Series(["30733"])) == "commune"
    assert level_from_codes(pd.Series(["a1"])) is None


def test_norm_field_ignores_case_diacritics_separators():
    assert norm_field("Mã_Xã") == norm_field("MAXA") == norm_field("ma xa") == "maxa"


def test_parse_counts():
    got = parse_counts(pd.Series(["12.345", "1 234", "1234.0", "abc", None, "7"]))
    assert got.tolist()[:3] == [12345.0, 1234.0, 1234.0]
    assert got.isna().tolist() == [False, False, False, True, True, False]
