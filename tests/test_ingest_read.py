"""Reading uploads: encodings, delimiters, title blocks, sheets, headers, bad files."""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from tests.test_ingest_fixtures import csv_bytes, xlsx_bytes
from zones.errors import ZonesError
from zones.ingest import read as ingest_read
from zones.ingest.read import header_key, map_headers, read_upload

DATA = Path(__file__).parent / "data" / "ingest"
VI_CSV = """
    Ngày,Mã xã,Tên xã,Ca mắc mới cộng đồng
    01/09/2021,00001,Phường Phúc Xá,3
"""


def test_utf8_with_and_without_bom_read_the_same():
    plain = read_upload(csv_bytes(VI_CSV), "a.csv", lang="vi")
    bom = read_upload(codecs.BOM_UTF8 + csv_bytes(VI_CSV), "a.csv", lang="vi")
    assert plain.cells.equals(bom.cells)
    assert plain.headers == bom.headers == {
        "date": "Ngày", "unit_code": "Mã xã", "unit_name": "Tên xã",
        "new_cases_community": "Ca mắc mới cộng đồng"}
    assert plain.cells.loc[2, "unit_name"] == "Phường Phúc Xá"
    assert bom.encoding == "utf-8-sig"


def test_cp1258_file_is_detected_and_composed_to_nfc():
    table = read_upload((DATA / "cp1258.csv").read_bytes(), "cp1258.csv", lang="vi")
    assert table.encoding == "cp1258"
    assert table.headers["new_cases_community"] == "Ca mắc mới cộng đồng"
    assert table.cells.loc[2, "unit_name"] == "Phường Phúc Xá"


def test_utf16_and_semicolon_delimited():
    text = VI_CSV.replace(",", ";")
    table = read_upload(codecs.BOM_UTF16_LE + csv_bytes(text, "utf-16-le"), "a.csv", lang="vi")
    assert table.cells.loc[2, "unit_code"] == "00001"


def test_header_below_title_block_gives_excel_row_numbers():
    data = csv_bytes("""
        BÁO CÁO SỐ LIỆU COVID-19 PHƯỜNG PHÚC XÁ,,,
        Kỳ báo cáo: tuần 35,,,
        ,,,
        NGÀY , mã  XÃ,tests_PCR,Ghi chú
        01/09/2021,00001,12,x
        ,,,
        02/09/2021,00001,10,
    """)
    table = read_upload(data, "a.csv", lang="vi")
    assert table.header_row == 4
    assert list(table.cells.index) == [5, 7]  # the blank row 6 is skipped, numbers kept
    assert table.ignored == ["Ghi chú"]
    assert table.headers["tests_pcr"] == "tests_PCR"


def test_headers_match_without_case_spacing_or_diacritics():
    header = ["ngay", "MA DON VI", "Số người ≥50 tuổi tiêm đủ liều", "so nguoi >=65 tuoi tiem du lieu",
              "F0  chưa rõ nguồn lây", "Đáp ứng năng lực điều trị", "Mã xã"]
    positions, written, ignored = map_headers(header)
    assert positions == {"date": 0, "unit_code": 1, "vaccinated_full_50plus": 2,
                         "vaccinated_full_65plus": 3, "f0_unknown_source": 4,
                         "treatment_capacity_ok": 5}
    assert ignored == ["Mã xã"]  # a second unit_code column is not used
    assert written["vaccinated_full_65plus"] == "so nguoi >=65 tuoi tiem du lieu"
    assert header_key("Mã  Xã") == header_key("ma xa") == "maxa"


def test_xlsx_first_sheet_real_dates_and_title_rows():
    data = xlsx_bytes([["Báo cáo tuần"], [], ["Ngày", "Mã xã", "Số mẫu PCR"],
                       [datetime(2021, 9, 1), "00001", 12]],
                      extra={"Khác": [["x"]]})
    table = read_upload(data, "a.xlsx", lang="vi")
    assert (table.kind, table.sheet, table.header_row) == ("xlsx", "Sheet1", 3)
    assert pd.Timestamp(table.cells.loc[4, "date"]) == pd.Timestamp(datetime(2021, 9, 1))
    assert table.cells.loc[4, "tests_pcr"] == 12


def test_xlsx_named_sheet_and_wrong_sheet_name():
    data = xlsx_bytes([["ghi chú"]], extra={"Số liệu": [["date", "unit_code"], ["x", "y"]]})
    assert read_upload(data, "a.xlsx", lang="vi", sheet="so lieu").sheet == "Số liệu"
    with pytest.raises(ZonesError, match=r"Không có trang tính «Tuần 3».*«Sheet1», «Số liệu»"):
        read_upload(data, "a.xlsx", lang="vi", sheet="Tuần 3")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.csv", "Tệp trống"),
    (b"\n\n ,, \n", "a.csv", "Tệp trống"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "Tệp Excel bị hỏng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", r"Excel cũ \(\.xls\)"),
    (b"%PDF-1.4\x00\x01\x02", "a.csv", "không phải CSV hay XLSX"),
    (b"a,b,c\n1,2,3\n", "a.csv", "Không tìm thấy dòng tiêu đề"),
    (b"Ngay,so mau pcr\n01/09/2021,3\n", "a.csv", "Thiếu cột đơn vị"),
    (b"Ma xa,so mau pcr\n00001,3\n", "a.csv", "Thiếu cột ngày"),
    (b"Ngay,Ma xa\n", "a.csv", "Không có dòng số liệu nào"),
])
def test_unusable_files_are_refused_with_a_message(data, name, message):
    with pytest.raises(ZonesError, match=message):
        read_upload(data, name, lang="vi")


def test_broken_workbook_fixture():
    with pytest.raises(ZonesError, match="Tệp Excel bị hỏng"):
        read_upload((DATA / "broken.xlsx").read_bytes(), "broken.xlsx", lang="vi")


def test_xlsx_without_header_row():
    with pytest.raises(ZonesError, match="Không tìm thấy dòng tiêu đề"):
        read_upload(xlsx_bytes([[1, 2, 3], [4, 5, 6]]), "a.xlsx", lang="vi")


def test_size_limit(monkeypatch):
    monkeypatch.setattr(ingest_read, "MAX_BYTES", 1000)
    with pytest.raises(ZonesError, match=r"Tệp quá lớn \(0\.0 MB; tối đa 0 MB\)"):
        read_upload(b"x" * 1001, "big.csv", lang="vi")


def test_english_messages():
    with pytest.raises(ZonesError, match="The file is empty"):
        read_upload(b"", "a.csv", lang="en")


def test_a_stray_quote_that_glues_rows_refuses_the_file_naming_the_row():
    lines = ["Ngày,Mã xã,Số mẫu PCR", *(f"{d:02d}/09/2021,00001,{d}" for d in range(1, 41))]
    lines[10] = lines[10].replace(",00001,", ',"00001,')
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(ZonesError, match=r"Dòng 11: dấu ngoặc kép .* dòng 11–41"):
        read_upload(data, "a.csv", lang="vi")


def test_a_quoted_note_over_two_lines_is_still_one_cell():
    data = 'Ngày,Mã xã,Số mẫu PCR,Ghi chú\n01/09/2021,00001,5,"dòng một\ndòng hai"\n'.encode()
    table = read_upload(data, "a.csv", lang="vi")
    assert len(table.cells) == 1
