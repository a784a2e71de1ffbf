"""Uploads a commune official can trust (issue 20, uploads): names are looked for in the
sender's own subtree first, "name, parent" works in the name cell, "did you mean" is never
empty, a commune figure that disagrees with its hamlets is a warning naming both, a
district's own treatment capacity is taken (and holds it at the level of D-7) while its
counts are refused, a refused cell with control characters still gives a report, a
workbook claiming a huge extent with single quotes is refused before reading, and a dry
run exits as the real run would."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from geodata import sheets
from tests.test_ingest_fixtures import xlsx_bytes
from zones import api
from zones.cli import main
from zones.errors import ZonesError
from zones.settings import DEFAULTS

pytestmark = pytest.mark.both_stores

VINH_LAC, KIEN_LUONG_TT, RACH_GIA = "30745", "30787", "899"
PASSWORD = "mật-khẩu-rất-bí-mật-2021"
HEADER = "Ngày,Tên đơn vị,Ca mắc mới cộng đồng\n"


@pytest.fixture
def ws(demo_copy):
    """The demo with a Vĩnh Lạc commune official and a Rạch Giá district official."""
    ws = api.open_workspace(demo_copy)
    for name, role, unit in [("xa.vinhlac", "commune", VINH_LAC),
                             ("huyen.rachgia", "district", RACH_GIA)]:
        api.add_user(ws, api.LOCAL_ADMIN, name, PASSWORD, role, unit)
    return ws


def as_(ws, name: str | None):
    return api.LOCAL_ADMIN if name is None else api.actor_named(ws, name)


def check(ws, text: str, who: str | None = None, name: str = "so-lieu.csv"):
    return api.check_upload(ws, text.encode("utf-8"), name, actor=as_(ws, who))


def current(ws, code: str, day: str = "2021-09-02") -> pd.Series:
    rows = api.export_observations(ws)
    return rows[(rows["unit_code"] == code) & (rows["date"] == day)].iloc[0]


# --- the Vĩnh Lạc official's file -----------------------------------------------------------

def test_the_vinh_lac_officials_hamlets_pass_on_the_first_try(ws):
    text = HEADER + ("02/09/2021,Khu pho 1,3\n02/09/2021,khu phố 2,1\n"
                     '02/09/2021,"Khu pho 3, Phuong Vinh Lac",2\n')
    checked = check(ws, text, "xa.vinhlac")
    assert checked.problems.empty, checked.problems.to_dict("records")
    assert checked.values["unit_code"].tolist() == [f"{VINH_LAC}-01", f"{VINH_LAC}-02",
                                                    f"{VINH_LAC}-03"]
    result = api.store_upload(ws, checked, as_(ws, "xa.vinhlac"))
    assert result.inserted == 3
    assert [int(current(ws, f"{VINH_LAC}-0{i}")["new_cases_community"]) for i in (1, 2, 3)
            ] == [3, 1, 2]


@pytest.mark.parametrize(("who", "cell", "code", "kind"), [
    ("xa.vinhlac", "Khu pho 1", f"{VINH_LAC}-01", None),  # inside the sender's subtree
    ("huyen.rachgia", "Khu pho 4", f"{VINH_LAC}-04", None),  # the district's only one
    (None, "Khu pho 1", None, "name_ambiguous"),  # everywhere: three communes have one
    (None, "Khu pho 3, Phuong Vinh Lac", f"{VINH_LAC}-03", None),
    (None, "Khu phố 3, Vĩnh Lạc, Rạch Giá", f"{VINH_LAC}-03", None),
    (None, "Khu pho 3, Thi tran Kien Luong", f"{KIEN_LUONG_TT}-03", None),
    (None, "Khu pho 3, Phuong Vinh Thanh", None, "name_not_in_parent"),
    ("xa.vinhlac", "Khu pho 99", None, "name_unknown_none"),
    (None, "Qwxz Yyy", None, "name_unknown_none"),
    (None, "Vinh Lax", None, "name_unknown"),  # a close name: suggested
])
def test_names_in_the_senders_subtree_and_name_parent_cells(ws, who, cell, code, kind):
    checked = check(ws, HEADER + f'02/09/2021,"{cell}",1\n', who)
    assert checked.values["unit_code"].iloc[0] == code
    kinds = checked.problems["kind"].tolist()
    assert kinds == ([kind] if kind else []), checked.problems.to_dict("records")


@pytest.mark.parametrize(("query", "first"), [
    ("Khu pho 3, Phuong Vinh Lac", f"{VINH_LAC}-03"),
    ("khu pho 3 vinh lac", f"{VINH_LAC}-03"),
    ("Khu pho 3, Thi tran Kien Luong", f"{KIEN_LUONG_TT}-03"),
    ("vinh lac", VINH_LAC),
])
def test_the_search_box_reads_name_parent_as_the_upload_does(ws, query, first):
    assert api.find_units(ws, query)[0] == first


@pytest.mark.parametrize("cell", ["Khu pho 99", "Qwxz Yyy", "99999999"])
def test_an_unknown_name_or_code_says_there_is_no_close_one_in_words(ws, cell):
    column = "Mã đơn vị" if cell.isdigit() else "Tên đơn vị"
    checked = check(ws, f"Ngày,{column},Ca mắc mới cộng đồng\n02/09/2021,{cell},1\n",
                    "xa.vinhlac")
    problem = checked.problems.iloc[0]
    assert "không có" in problem["reason"] and "gần giống" in problem["reason"]
    assert "Có phải" not in problem["fix"] and not re.search(r":\s*\?", problem["fix"])
    assert "tải mẫu nhập liệu" in problem["fix"]


def test_a_close_name_is_suggested_by_name_and_code(ws):
    checked = check(ws, HEADER + "02/09/2021,Vinh Lax,1\n", "xa.vinhlac")
    assert "Phường Vĩnh Lạc" in checked.problems.iloc[0]["fix"]
    assert VINH_LAC in checked.problems.iloc[0]["fix"]


def test_the_template_of_an_unknown_code_says_no_close_code(ws):
    with pytest.raises(ZonesError, match="không có mã nào gần giống"):
        api.observation_template(ws, "ZZZZZZZZ", date(2021, 9, 1), date(2021, 9, 2))


# --- commune versus hamlets -----------------------------------------------------------------

def test_a_commune_figure_that_disagrees_with_its_hamlets_in_the_file_is_a_warning(ws):
    text = HEADER + ("02/09/2021,Khu pho 1,3\n02/09/2021,Khu pho 2,1\n"
                     "02/09/2021,Phường Vĩnh Lạc,40\n")
    checked = check(ws, text, "xa.vinhlac")
    stored = {i: int(current(ws, f"{VINH_LAC}-0{i}")["new_cases_community"])
              for i in range(3, 7)}
    hamlets = 3 + 1 + sum(stored.values())
    warned = checked.problems
    assert warned["kind"].tolist() == ["hamlets_sum_differs"]
    reason = warned["reason"].iloc[0]
    assert warned["row"].iloc[0] == 4 and warned["value"].iloc[0] == "40"
    assert f"40 ≠ {hamlets}" in reason and "Khu phố 1 (3)" in reason
    assert "Khu phố 2 (1)" in reason and f"Khu phố 6 ({stored[6]})" in reason
    assert checked.counts()["refused"] == 0 and checked.counts()["good"] == 3


@pytest.mark.parametrize(("offset", "warned"), [(0, False), (5, True), (-1, True)])
def test_a_commune_total_sent_alone_is_checked_against_the_stored_hamlets(ws, offset, warned):
    hamlets = sum(int(current(ws, f"{VINH_LAC}-0{i}")["tests_pcr"]) for i in range(1, 7))
    total = hamlets + offset
    checked = check(ws, f"Ngày,Mã đơn vị,Số mẫu PCR\n02/09/2021,{VINH_LAC},{total}\n",
                    "xa.vinhlac")
    kinds = checked.problems["kind"].tolist()
    assert kinds == (["hamlets_sum_differs"] if warned else [])
    if warned:
        assert f"{total} ≠ {hamlets}" in checked.problems["reason"].iloc[0]
    assert checked.counts()["good"] == 1  # a warning, never a refusal


# --- districts and provinces ----------------------------------------------------------------

@pytest.mark.parametrize(("code", "columns", "cells", "refused"), [
    (RACH_GIA, "Đáp ứng năng lực điều trị", "0", False),
    ("91", "Đáp ứng năng lực điều trị", "1", False),
    (RACH_GIA, "Ca mắc mới cộng đồng", "5", True),
    ("91", "Số mẫu PCR", "5", True),
    (RACH_GIA, "Đáp ứng năng lực điều trị,Số mẫu PCR", "0,5", True),
])
def test_a_district_sends_its_own_inputs_never_counts(ws, code, columns, cells, refused):
    checked = check(ws, f"Ngày,Mã đơn vị,{columns}\n02/09/2021,{code},{cells}\n")
    assert (checked.counts()["refused"] == 1) is refused
    if refused:
        problem = checked.problems.iloc[0]
        assert problem["kind"] == "unit_not_reporting" and problem["column"] != \
            "Đáp ứng năng lực điều trị"
        assert "chỉ gửi cho xã" in problem["reason"] and "Đáp ứng năng lực" in problem["reason"]
    else:
        assert checked.problems.empty and checked.counts()["good"] == 1


def test_a_district_whose_capacity_is_0_stays_at_the_level_of_d_minus_7(ws):
    """Upload (the district official) -> recompute -> assess: QĐ 4800 criterion 3."""
    day, week_before = date(2021, 12, 20), date(2021, 12, 13)

    def district_level(d):
        table = api.assess(ws, d, "district").set_index("unit_code")
        return int(table.at[RACH_GIA, "computed_level"])

    before, held = district_level(day), district_level(week_before)
    assert before < held  # the demo's Rạch Giá comes down a level that week
    text = "Ngày,Mã đơn vị,Đáp ứng năng lực điều trị\n" + "".join(
        f"{d:%d/%m/%Y},{RACH_GIA},0\n" for d in pd.date_range("2021-12-14", day))
    checked = check(ws, text, "huyen.rachgia")
    assert checked.problems.empty, checked.problems.to_dict("records")
    api.store_upload(ws, checked, as_(ws, "huyen.rachgia"))
    assert district_level(day) == held
    reasons = api.assess(ws, day, "district").set_index("unit_code").at[RACH_GIA, "reasons"]
    assert "Tiêu chí 3" in reasons and "13/12/2021" in reasons


# --- the error report, the workbook pre-check, dry runs -------------------------------------

def test_control_characters_in_a_refused_cell_give_a_report_not_a_failure(ws):
    text = ("Ngày,Mã đơn vị,Số mẫu PCR,Ghi chú\x02\n02/09/2021,30745,5,ok\n"
            "02/09/2021,Tên\x07\x1bcó,-1,=cmd\x01|x\n")
    checked = check(ws, text)
    report = load_workbook(io.BytesIO(api.upload_error_report(checked))).active
    rows = list(report.iter_rows(values_only=True))
    assert rows[0][-2] == "Ghi chú␂"
    refused = next(r for r in rows[1:] if r[0] == 3)
    assert refused[2:5] == ("Tên␇␛có", "'-1", "'=cmd␁|x")
    assert "không có đơn vị nào mang mã này" in refused[5]


def _far_cell(quote: bytes, ref: bytes):
    def edit(body: bytes) -> bytes:
        return body.replace(b"</sheetData>", b"<row r=" + quote + b"1048576" + quote
                            + b"><c r=" + quote + ref + quote + b"><v>1</v></c></row>"
                            b"</sheetData>")
    return edit


def _dimension(body: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"', b"<dimension ref = 'A1:XFD1048576'", body)


def _unreferenced_cells(body: bytes) -> bytes:  # positions counted, as a reader does
    return body.replace(b"</sheetData>", b"<row>" + b"<c/>" * 400 + b'</row><row r="20000">'
                        b"<c/></row></sheetData>")


def _with_sheet_xml(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, edit(body) if item.filename == "xl/worksheets/sheet1.xml"
                         else body)
    return out.getvalue()


GOOD_XLSX = xlsx_bytes([["Ngày", "Mã xã", "Số mẫu PCR"], ["01/09/2021", "30745", 5]])


@pytest.mark.parametrize(("edit", "rows", "columns"), [
    (_far_cell(b"'", b"XFD1048576"), 1048576, 16384),
    (_far_cell(b'"', b"&#88;FD1048576"), 1048576, 16384),
    (_far_cell(b"'", b"xfd1048576"), 1048576, 16384),
    (_dimension, 1048576, 16384),
    (_unreferenced_cells, 20000, 400),
])
def test_a_workbook_claiming_a_huge_extent_is_refused_however_it_is_written(
        ws, edit, rows, columns):
    bomb = _with_sheet_xml(GOOD_XLSX, edit)
    with pytest.raises(sheets.SheetLimitError) as err:
        sheets.check_workbook(bomb, DEFAULTS.sheet_limits())
    assert (err.value.params["rows"], err.value.params["columns"]) == (rows, columns)
    with pytest.raises(ZonesError, match=f"{rows} dòng × {columns} cột"):
        api.check_upload(ws, bomb, "bom.xlsx")


def test_the_precheck_still_passes_an_ordinary_workbook_written_with_single_quotes():
    plain = _with_sheet_xml(GOOD_XLSX, lambda b: b.replace(b'"', b"'"))
    assert [(e.rows, e.columns) for e in sheets.check_workbook(plain, DEFAULTS.sheet_limits())] == [(2, 3)]


@pytest.mark.parametrize(("rows", "code"), [
    ("02/09/2021,30745,7\n", 0),
    ("02/09/2021,30745,7\n02/09/2021,99999999,7\n", 1),
    ("02/09/2021,99999999,7\n", 2),
])
def test_a_dry_run_exits_as_the_real_run_would(demo_copy, tmp_path, capsys, rows, code):
    path = tmp_path / "so-lieu.csv"
    path.write_text("Ngày,Mã xã,Số mẫu PCR\n" + rows, encoding="utf-8")
    before = api.data_version(api.open_workspace(demo_copy))
    assert main(["--db", demo_copy, "observations", "import", str(path), "--dry-run"]) == code
    assert api.data_version(api.open_workspace(demo_copy)) == before
    assert main(["--db", demo_copy, "observations", "import", str(path)]) == code
    if code < 2:  # the same file again: already imported, its refused rows still said
        assert main(["--db", demo_copy, "observations", "import", str(path)]) == code
    capsys.readouterr()


@pytest.mark.parametrize("cell", [b"<c r='C2' t='e'><v>#DIV/0!</v></c>",
                                  b'<c t="e" r="C2"><v>#DIV/0!</v></c>',
                                  b'<c r = "C2" s="1" t = "e"><v>#DIV/0!</v></c>'])
def test_a_formula_error_cell_is_refused_however_its_attributes_are_written(ws, cell):
    data = _with_sheet_xml(GOOD_XLSX, lambda b: re.sub(rb'<c r="C2"[^>]*>.*?</c>', cell, b))
    problem = api.check_upload(ws, data, "loi.xlsx").problems.iloc[0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "Số mẫu PCR",
                                                                    "#DIV/0!")
