"""Validating rows: every kind of bad cell, with row, column, value, reason and fix."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_ingest_fixtures import TODAY, UNITS, csv_bytes, make_db, xlsx_bytes
from zones.ingest.check import check_table, parse_counts, parse_dates
from zones.ingest.read import build_table
from zones.ingest.units import build_index
from zones.ingest.upload import check_upload
from zones.settings import DEFAULTS, Settings

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture(scope="module")
def units_engine(tmp_path_factory):
    """A database holding the unit tree, shared by these read-only tests."""
    return make_db(tmp_path_factory.mktemp("units") / "t.db")


def check(engine, text, lang="vi", name="a.csv", settings=DEFAULTS):
    data = text if isinstance(text, bytes) else csv_bytes(text)
    return check_upload(engine, data, name, lang=lang, today=TODAY, settings=settings)


def only_problem(checked):
    assert len(checked.problems) == 1, checked.problems.to_dict("records")
    return checked.problems.iloc[0]


@pytest.mark.parametrize(("cell", "kind", "reason"), [
    ("", "date_missing", "thiếu ngày"),
    ("1/9/21", "date_format", "không phải ngày hợp lệ"),
    ("ngày 1 tháng 9", "date_format", "không phải ngày hợp lệ"),
    ("31/02/2021", "date_impossible", "ngày không tồn tại"),
    ("2021-13-01", "date_impossible", "ngày không tồn tại"),
    ("02/10/2021", "date_future", "tương lai"),
    ("01/09/1921", "date_too_old", "quá cũ"),
])
def test_bad_dates(units_engine, cell, kind, reason):
    checked = check(units_engine, f"""
        Tiêu đề báo cáo,,
        Ngày,Mã xã,Số mẫu PCR
        {cell},00001,5
    """)
    p = only_problem(checked)
    assert (p["row"], p["column"], p["value"]) == (3, "Ngày", cell)
    assert p["kind"] == kind and reason in p["reason"] and p["fix"]
    assert 3 in checked.refused


@pytest.mark.parametrize("cell", ["01/09/2021", "1/9/2021", "01-09-2021", "01.09.2021",
                                  "2021-09-01", "2021-9-1", "2021-09-01 00:00:00"])
def test_accepted_date_forms(units_engine, cell):
    checked = check(units_engine, f"date,unit_code,tests_pcr\n{cell},00001,5")
    assert checked.problems.empty
    assert checked.values.loc[2, "date"] == pd.Timestamp("2021-09-01")


def test_real_excel_dates_and_numbers(units_engine):
    data = xlsx_bytes([["Ngày", "Mã xã", "Số mẫu PCR", "Số test nhanh"],
                       [datetime(2021, 9, 1), 1, 12, 3.0],
                       [datetime(2021, 9, 1, 14, 30), "00004", 12.5, None]])
    checked = check(units_engine, data, name="a.xlsx")
    assert checked.values.loc[2, "unit_code"] == "00001"  # Excel dropped the zeros
    assert checked.values.loc[2, "tests_antigen"] == 3
    p = only_problem(checked)
    assert (p["row"], p["column"], p["value"], p["kind"]) == (3, "Số mẫu PCR", "12.5",
                                                              "int_decimal")
    assert pd.isna(checked.values.loc[3, "tests_antigen"])


@pytest.mark.parametrize(("cell", "kind"), [
    ("abc", "int_text"), ("12 ca", "int_text"), ("#N/A", "int_text"), ("=1+1", "int_text"),
    ("-3", "int_negative"), ("−3", "int_negative"), ("2.5", "int_decimal"),
    ("2,5", "int_decimal"), ("99999999999", "int_too_large"),
])
def test_bad_counts(units_engine, cell, kind):
    checked = check(units_engine, f'date,unit_code,Ca mắc mới cộng đồng\n2021-09-01,00001,"{cell}"')
    p = only_problem(checked)
    assert (p["row"], p["column"], p["value"], p["kind"]) == (2, "Ca mắc mới cộng đồng",
                                                              cell, kind)


def test_counts_empty_is_not_zero_and_grouping_accepted():
    values, kind = parse_counts(pd.Series(["", "0", "1.240", "1,240", "12", " 7 "]).str.strip())
    assert values.isna().tolist() == [True, False, False, False, False, False]
    assert values.dropna().tolist() == [0, 1240, 1240, 12, 7]
    assert (kind == "").all()


def test_treatment_flag(units_engine):
    checked = check(units_engine, """
        date,unit_code,Đáp ứng năng lực điều trị
        2021-09-01,00001,Có
        2021-09-02,00001,không
        2021-09-03,00001,2
    """)
    assert checked.values["treatment_capacity_ok"].tolist()[:2] == [1, 0]
    p = only_problem(checked)
    assert (p["row"], p["kind"]) == (4, "flag_not_01")


def test_positive_more_than_tests(units_engine):
    checked = check(units_engine, "date,unit_code,tests_pcr,tests_pcr_positive\n2021-09-01,00001,5,6")
    p = only_problem(checked)
    assert (p["column"], p["kind"]) == ("tests_pcr_positive", "positive_gt_tests")
    assert "(5)" in p["reason"]


def test_units_by_name_ignore_accents_and_tone_placement(units_engine):
    checked = check(units_engine, """
        Ngày,Tên xã,Huyện,Tỉnh,Số mẫu PCR
        01/09/2021,phuong truc bach,,,1
        01/09/2021,Hòa Bình,Quận 1,TP Hồ Chí Minh,2
        01/09/2021,Phúc Xá,Hoàn Kiếm,,3
    """)
    assert checked.problems.empty, checked.problems.to_dict("records")
    assert checked.values["unit_code"].tolist() == ["00004", "26737", "00037"]


def test_ambiguous_name_lists_candidates(units_engine):
    p = only_problem(check(units_engine, "Ngày,Tên xã,Số mẫu PCR\n01/09/2021,Phúc Xá,1"))
    assert (p["row"], p["column"], p["value"], p["kind"]) == (2, "Tên xã", "Phúc Xá",
                                                              "name_ambiguous")
    assert "00001" in p["fix"] and "00037" in p["fix"] and "Quận Hoàn Kiếm" in p["fix"]


def test_unknown_name_suggests(units_engine):
    p = only_problem(check(units_engine, "Ngày,Tên xã,Số mẫu PCR\n01/09/2021,Truc Bac,1"))
    assert p["kind"] == "name_unknown"
    assert "Phường Trúc Bạch" in p["fix"] and "00004" in p["fix"]


def test_name_in_wrong_district(units_engine):
    p = only_problem(check(units_engine, "Ngày,Tên xã,Huyện,Số mẫu PCR\n01/09/2021,Tân Định,Ba Đình,1"))
    assert p["kind"] == "name_not_in_parent" and "26734" in p["fix"]


def test_unknown_code_and_code_name_mismatch(units_engine):
    checked = check(units_engine, """
        Ngày,Mã xã,Tên xã,Số mẫu PCR
        01/09/2021,00005,Phường Trúc Bạch,1
        01/09/2021,00007,Phường Trúc Bạch,1
        01/09/2021,,,1
    """)
    kinds = checked.problems.set_index("row")["kind"].to_dict()
    assert kinds == {2: "code_unknown", 3: "code_name_mismatch", 4: "unit_missing"}
    fixes = checked.problems.set_index("row")["fix"]
    assert "00004" in fixes[2]  # did you mean, from the name
    assert "Vĩnh Phúc" in checked.problems.set_index("row")["reason"][3]


DUPLICATED = """
    Ngày,Mã xã,Số mẫu PCR
    01/09/2021,00001,1
    2021-09-01,1,2
    02/09/2021,00001,3
"""


def test_duplicate_rows_the_last_wins_with_a_warning_naming_both(units_engine):
    checked = check(units_engine, DUPLICATED)
    warned = checked.problems[checked.problems["kind"] == "duplicate_replaced"]
    assert warned["row"].tolist() == [2] and "2, 3" in warned["reason"].iloc[0]
    assert checked.counts() == {"rows": 3, "refused": 0, "good": 2, "blank": 0,
                                "replaced": 1}
    assert checked.good["tests_pcr"].tolist() == [2, 3]  # row 3's value, not row 2's


def test_duplicate_rows_can_be_refused_both(units_engine):
    refuse = Settings.from_env({"ZONES_DUPLICATES": "refuse"})
    checked = check(units_engine, DUPLICATED, settings=refuse)
    dup = checked.problems[checked.problems["kind"] == "duplicate"]
    assert dup["row"].tolist() == [2, 3]
    assert all("2, 3" in r for r in dup["reason"])
    assert checked.counts() == {"rows": 3, "refused": 2, "good": 1, "blank": 0,
                                "replaced": 0}


def test_every_problem_of_a_row_is_reported_at_once(units_engine):
    checked = check(units_engine, "Ngày,Mã xã,Số mẫu PCR,Số test nhanh\n32/01/2021,ABC,-1,x")
    assert checked.problems["column"].tolist() == ["Ngày", "Mã xã", "Số mẫu PCR",
                                                   "Số test nhanh"]


def test_blank_rows_are_counted_not_refused(units_engine):
    checked = check(units_engine, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,\n01/09/2021,00004,4")
    assert checked.counts() == {"rows": 2, "refused": 0, "good": 1, "blank": 1,
                                "replaced": 0}


def test_english_messages(units_engine):
    p = only_problem(check(units_engine, "date,unit_code,tests_pcr\n2021-09-01,00001,abc", lang="en"))
    assert p["reason"] == "not a whole number"
    assert p["fix"].startswith("Enter a whole number >= 0")


def test_cp1258_upload_by_names(units_engine):
    checked = check(units_engine, (DATA / "cp1258.csv").read_bytes())
    assert checked.problems.empty
    assert checked.values["unit_code"].tolist() == ["00001", "00004"]


def test_date_parser_vectorised():
    when, kind = parse_dates(pd.Series(["01/09/2021", "29/02/2020", "29/02/2021", "x"]),
                             TODAY)
    assert kind.tolist() == ["", "", "date_impossible", "date_format"]
    assert when.notna().tolist() == [True, True, False, False]


# --- junk thrown at the validator --------------------------------------------------------------

_INDEX = build_index(UNITS.set_index("code", drop=False))
junk = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**12, 10**12),
                 st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                 st.datetimes(), st.sampled_from(["00001", "Phúc Xá", "01/09/2021", "=cmd",
                                                  "1.240", "2021-02-30", " "]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(junk, min_size=5, max_size=5), min_size=1, max_size=8))
def test_random_junk_never_crashes_and_every_refusal_is_explained(body):
    header = ["Ngày", "Mã xã", "Tên xã", "Số mẫu PCR", "Đáp ứng năng lực điều trị"]
    body = [r for r in body if any(v is not None and str(v).strip() for v in r)]
    if not body:
        return
    table = build_table([header, *body], lang="vi")
    values, problems = check_table(table, _INDEX, TODAY, "vi")
    assert problems["reason"].str.len().gt(0).all() and problems["fix"].str.len().gt(0).all()
    refused = set(problems["row"])
    ok = values.drop(index=list(refused))
    assert ok["date"].notna().all() and ok["unit_code"].notna().all()
    assert (ok["tests_pcr"].dropna() >= 0).all()
    assert set(problems["column"]) <= set(header)


def test_figures_for_a_district_are_refused_by_row(engine):
    from tests.test_ingest_fixtures import TODAY, csv_bytes
    from zones.ingest.upload import check_upload

    data = csv_bytes("""
        Ngày,Mã xã,Ca mắc mới cộng đồng
        01/09/2021,001,3
        01/09/2021,00001,2
    """)
    checked = check_upload(engine, data, "a.csv", lang="vi", today=TODAY)
    kinds = checked.problems.set_index("row")["reason"]
    assert list(kinds.index) == [2] and "Quận Ba Đình" in kinds[2]
    assert checked.counts()["good"] == 1


@pytest.mark.parametrize("district", ["Quận Ba Đình", "Ba Dinh", "Q. Ba Đình", "quan ba dinh"])
def test_parents_match_as_officials_write_them(units_engine, district):
    checked = check(units_engine, f"Ngày,Tên xã,Huyện,Số mẫu PCR\n01/09/2021,Phúc Xá,{district},3")
    assert checked.problems.empty, checked.problems["reason"].tolist()
