"""The data-entry template and the error report workbooks."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.test_ingest_fixtures import TODAY, csv_bytes, store_checked
from zones.errors import ZonesError
from zones.ingest import xlsx as ingest_xlsx
from zones.ingest.upload import check_upload, error_report, template_for_unit
from zones.ingest.xlsx import neutralise


@pytest.fixture(autouse=True)
def _no_recompute(recomputed) -> list:
    """Every test here records recomputations instead of running them."""
    return recomputed


def book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_template_lists_unit_and_children_for_each_date(engine):
    wb = book(template_for_unit(engine, "001", date(2021, 9, 1), date(2021, 9, 3), "vi"))
    assert wb.sheetnames == ["Số liệu", "Hướng dẫn"]
    ws = wb["Số liệu"]
    assert "Quận Ba Đình (001)" in ws["A1"].value and "01/09/2021" in ws["A1"].value
    header = [c.value for c in ws[4]]
    assert header[:4] == ["Ngày", "Mã xã", "Tên xã", "Ca mắc mới cộng đồng"]
    assert header[-1] == "Đáp ứng năng lực điều trị"
    body = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(body) == 3 * 3  # the district's three communes; a district sends no figures
    assert body[0][:3] == (datetime(2021, 9, 1), "00001", "Phường Phúc Xá")
    assert [r[1] for r in body[:3]] == ["00001", "00004", "00007"]
    assert ws["A5"].number_format == "DD/MM/YYYY" and ws["B5"].number_format == "@"
    assert all(v is None for v in body[0][3:])


def test_template_validation_and_instructions(engine):
    wb = book(template_for_unit(engine, "00004", date(2021, 9, 1), date(2021, 9, 1), "vi"))
    rules = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
             for dv in wb["Số liệu"].data_validations.dataValidation}
    assert rules == {"D5:Q5": ("whole", "greaterThanOrEqual", "0", None),
                     "R5": ("whole", "between", "0", "1")}
    text = "\n".join(str(r[0]) for r in wb["Hướng dẫn"].iter_rows(values_only=True) if r[0])
    assert "Để trống ô nếu chưa có số liệu" in text or "Để trống ô" in text
    assert "HƯỚNG DẪN NHẬP SỐ LIỆU" in text


def test_filled_template_imports_back(engine):
    data = template_for_unit(engine, "001", date(2021, 9, 1), date(2021, 9, 2), "vi")
    wb = book(data)
    ws = wb["Số liệu"]
    ws["D5"] = 4  # 00001 on 01/09
    ws["K10"] = 30  # 00007 on 02/09: tests_pcr
    buf = io.BytesIO()
    wb.save(buf)
    checked = check_upload(engine, buf.getvalue(), "mau.xlsx", lang="vi", today=TODAY)
    assert checked.problems.empty
    assert checked.counts() == {"rows": 6, "refused": 0, "good": 2, "blank": 4,
                                "replaced": 0}
    assert store_checked(engine, checked).inserted == 2


def test_template_refusals(engine, monkeypatch):
    with pytest.raises(ZonesError, match="Không có đơn vị mã 0004X"):
        template_for_unit(engine, "0004X", date(2021, 9, 1), date(2021, 9, 2), "vi")
    with pytest.raises(ZonesError, match="Khoảng ngày không hợp lệ"):
        template_for_unit(engine, "001", date(2021, 9, 2), date(2021, 9, 1), "vi")
    monkeypatch.setattr(ingest_xlsx, "MAX_TEMPLATE_ROWS", 8)
    with pytest.raises(ZonesError, match="Mẫu quá lớn \\(9 dòng; tối đa 8\\)"):
        template_for_unit(engine, "001", date(2021, 9, 1), date(2021, 9, 3), "vi")


def test_english_template(engine):
    wb = book(template_for_unit(engine, "00004", date(2021, 9, 1), date(2021, 9, 1), "en"))
    assert wb.sheetnames == ["Data", "Instructions"]
    assert [c.value for c in wb["Data"][4]][:3] == ["date", "unit_code", "unit_name"]


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("Phúc Xá", "Phúc Xá"), (5, 5), (None, None),
])
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def test_error_report_keeps_original_rows_and_neutralises(engine):
    checked = check_upload(engine, csv_bytes("""
        Ngày,Mã xã,Số mẫu PCR,Ghi chú
        01/09/2021,00001,5,ok
        02/09/2021,=2+3,-1,@danger
    """), "a.csv", lang="vi", today=TODAY)
    ws = book(error_report(checked)).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.title == "Lỗi"
    assert rows[0] == ("Dòng", "Ngày", "Mã xã", "Số mẫu PCR", "Ghi chú", "Lý do bị từ chối")
    assert rows[1][:5] == (3, "02/09/2021", "'=2+3", "'-1", "'@danger")
    assert "Mã xã: không có đơn vị nào mang mã này" in rows[1][5]
    assert "Số mẫu PCR: số âm" in rows[1][5]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_a_corrected_error_report_sent_back_is_an_ordinary_upload(engine):
    from zones.ingest.upload import preview

    bad = csv_bytes("Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,-3\n02/09/2021,00001,5")
    first = check_upload(engine, bad, "a.csv", lang="vi", today=TODAY)
    report = error_report(first)
    wb = book(report)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Số mẫu PCR") + 1, value=3)  # the official's fix
    buf = io.BytesIO()
    wb.save(buf)
    again = check_upload(engine, buf.getvalue(), "loi_a.xlsx", lang="vi", today=TODAY)
    assert again.problems.empty and again.counts()["good"] == 1
    shown = preview(again, only_problems=False)
    assert list(shown.columns).count("Dòng") == 1
    assert len(error_report(check_upload(engine, report, "loi_a.xlsx", lang="vi", today=TODAY)))
