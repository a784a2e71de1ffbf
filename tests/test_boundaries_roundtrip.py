"""``units export`` -> ``units import``: a table whose ``level`` field gives each row's
level keeps every unit's level, code and parent; what cannot be stored is refused by row
(row, field, value, fix), never a database error, and nothing stored is changed by it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zones import api
from zones.cli import main
from zones.errors import ZonesError
from zones.storage import store
from zones.storage.db import open_db

pytestmark = pytest.mark.both_stores


def export(url: str, out: Path) -> bytes:
    assert main(["--db", url, "units", "export", "--out", str(out)]) == 0
    return out.read_bytes()


def units(url: str) -> pd.DataFrame:
    return store.load_units(open_db(url)).sort_index()


def test_the_units_export_imports_back_exactly(demo_copy, tmp_path, capsys):
    before = export(demo_copy, tmp_path / "units.csv")
    stored = units(demo_copy)
    assert set(stored["level"]) == {"province", "district", "commune", "hamlet"}
    capsys.readouterr()
    assert main(["--db", demo_copy, "units", "import", str(tmp_path / "units.csv")]) == 0
    err = capsys.readouterr().err
    assert "Bỏ dòng" not in err and "Không rõ cấp" not in err
    assert export(demo_copy, tmp_path / "again.csv") == before  # no new unit, no padding
    after = units(demo_copy)
    pd.testing.assert_frame_equal(after, stored)
    assert api.unit_changes(api.open_workspace(demo_copy)).empty  # nothing changed


def test_the_export_into_an_empty_database_and_through_the_page(demo_copy, empty_url,
                                                                  tmp_path, capsys):
    """The page's upload path (stage, plan, import: the same core) and the CLI agree."""
    before = export(demo_copy, tmp_path / "units.csv")
    ws = api.open_workspace(empty_url)
    path = api.stage_boundary_upload("units.csv", before)
    try:
        plan = api.plan_boundaries(ws, path, api.ImportOptions(), actor=api.LOCAL_ADMIN)
        assert plan.report.rejected == []
        assert plan.report.counts == {"province": 1, "district": 15, "commune": 143,
                                      "hamlet": 16}
        api.import_boundaries(ws, plan, api.LOCAL_ADMIN)
    finally:
        api.discard_boundary_upload(path)
    assert export(empty_url, tmp_path / "again.csv") == before
    got, want = units(empty_url), units(demo_copy)
    assert got["level"].to_dict() == want["level"].to_dict()
    assert got["parent_code"].to_dict() == want["parent_code"].to_dict()
    capsys.readouterr()


def test_a_table_of_mixed_levels_into_an_empty_database(empty_url, tmp_path, capsys):
    table = tmp_path / "tinh_huyen.csv"
    table.write_text("code,name,level,parent_code,population\n"
                     "91,Tỉnh Kiên Giang,province,,\n"
                     "899,Thành phố Rạch Giá,district,91,188960\n"
                     "900,Thành phố Hà Tiên,quận,91,96250\n"
                     "30733,Phường Vĩnh Thanh,commune,899,20460\n", encoding="utf-8")
    assert main(["--db", empty_url, "units", "import", str(table)]) == 0
    got = units(empty_url)
    assert got["level"].to_dict() == {"30733": "commune", "899": "district",
                                      "900": "district", "91": "province"}
    assert got["parent_code"].to_dict() == {"30733": "899", "899": "91", "900": "91",
                                            "91": None}
    assert got.loc["899", "population"] == 188960
    capsys.readouterr()


def test_rows_that_cannot_be_stored_are_refused_by_row(demo_copy, tmp_path, capsys):
    before = units(demo_copy)
    table = tmp_path / "sai.csv"
    table.write_text(
        "code,name,level,parent_code,population\n"
        "899,Rạch Giá,commune,91,1\n"  # 1: a stored district written as a commune
        "30733,Phường Vĩnh Thanh,commune,900,2\n"  # 2: moved under another district
        "30736,Phường Vĩnh Quang,commune,899,3\n"  # 3: a second row of one code
        "30736,Phường Vĩnh Quang,commune,899,4\n"  # 4
        "99990,Xã Mới,comune,899,5\n"  # 5: a level that is none
        "99991,Xã Mồ Côi,commune,X99,6\n"  # 6: a parent nowhere
        "99992,Ấp Con,hamlet,99991,7\n"  # 7: under the refused one
        "99993,Xã Thật Mới,commune,899,8\n"  # 8: a good new commune
        "30739,,commune,,9999\n",  # 9: a good update (empty name, empty parent)
        encoding="utf-8")
    assert main(["--db", demo_copy, "--lang", "en", "units", "import", str(table)]) == 1
    err = capsys.readouterr().err
    lines = {line.split(":")[0]: line for line in err.splitlines()
             if line.startswith("Rejected row")}
    assert "level field is commune" in lines["Rejected row 1 (code 899)"]
    assert "write district" in lines["Rejected row 1 (code 899)"]
    assert "parent_code field is 900" in lines["Rejected row 2 (code 30733)"]
    assert "rows 3, 4" in lines["Rejected row 3 (code 30736)"]
    assert "rows 3, 4" in lines["Rejected row 4 (code 30736)"]
    assert "level field is comune" in lines["Rejected row 5 (code 99990)"]
    assert "parent_code field is X99" in lines["Rejected row 6 (code 99991)"]
    assert "99991" in lines["Rejected row 7 (code 99992)"]
    assert len(lines) == 7
    after = units(demo_copy)
    assert after.loc["99993", ["level", "parent_code"]].tolist() == ["commune", "899"]
    assert after.loc["30739", "population"] == 9999
    assert after.loc["30739", "name"] == before.loc["30739", "name"]
    untouched = before.drop(index="30739")
    pd.testing.assert_frame_equal(after.drop(index=["30739", "99993"]), untouched)


def test_a_table_listing_its_parents_without_a_level_field_is_refused(empty_url, tmp_path,
                                                                        capsys):
    """No level for any row: one guessed for all would store "91" again as "091"."""
    table = tmp_path / "khong_cap.csv"
    table.write_text("code,name,parent_code\n91,Tỉnh Kiên Giang,\n"
                     "899,Thành phố Rạch Giá,91\n900,Thành phố Hà Tiên,91\n",
                     encoding="utf-8")
    assert main(["--db", empty_url, "units", "import", str(table)]) == 2
    assert "level" in capsys.readouterr().err
    assert units(empty_url).empty


def test_two_tables_adding_the_same_unit_at_once_store_it_once(demo_copy, tmp_path):
    """Both planned before either is stored: the second is a message, not a UNIQUE error."""
    table = tmp_path / "moi.csv"
    table.write_text("code,name,level,parent_code\n99993,Xã Thật Mới,commune,899\n",
                     encoding="utf-8")
    ws = api.open_workspace(demo_copy)
    plans = [api.plan_boundaries(ws, table, api.ImportOptions(), actor=api.LOCAL_ADMIN)
             for _ in range(2)]
    api.import_boundaries(ws, plans[0], api.LOCAL_ADMIN)
    with pytest.raises(ZonesError, match="99993"):
        api.import_boundaries(ws, plans[1], api.LOCAL_ADMIN)
    got = units(demo_copy)
    assert (got.index == "99993").sum() == 1


def test_a_level_cell_holding_no_level_refuses_its_row_of_a_boundary_file(tmp_path, capsys):
    """Not a level guessed for the whole file (every code re-padded as a commune)."""
    from tests.test_boundaries_fixtures import run, write_geojson
    from tests.test_boundaries_levels import multi_level

    gdf = multi_level()
    gdf.loc[gdf["code"] == "30801", "level"] = "comune"
    assert run(tmp_path, "units", "import", str(write_geojson(tmp_path / "a.geojson",
                                                                gdf))) == 1
    assert "level = comune" in capsys.readouterr().err
    got = units(f"sqlite:///{tmp_path}/t.db")
    assert got["level"].value_counts().to_dict() == {"commune": 3, "district": 2,
                                                     "province": 1}
    assert "30801" not in got.index
