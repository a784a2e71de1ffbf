"""Workbooks that would make a reader allocate a huge range are refused before reading,
with a message naming the limit and the file's figure; the web server never sees them."""

from __future__ import annotations

import io
import zipfile

import pytest

from geodata import sheets
from tests.test_ingest_fixtures import xlsx_bytes
from zones.cli import main
from zones.errors import ZonesError
from zones.settings import DEFAULTS, Settings


def with_sheet_xml(data: bytes, edit) -> bytes:
    """The workbook ``data`` with its first sheet's XML passed through ``edit``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            dst.writestr(item, body)
    return out.getvalue()


GOOD = xlsx_bytes([["Ngày", "Mã xã", "Số mẫu PCR"], ["01/09/2021", "00001", 5]])


def far_cell(body: bytes) -> bytes:  # one cell at the last column of the last row
    return body.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n">'
                                         b"<v>1</v></c></row></sheetData>")


def huge_dimension(body: bytes) -> bytes:  # a used range that claims the whole sheet
    import re
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', body)


def test_an_ordinary_workbook_passes():
    extents = sheets.check_workbook(GOOD, DEFAULTS.sheet_limits())
    assert extents and extents[0].rows == 2 and extents[0].columns == 3


@pytest.mark.parametrize("edit", [far_cell, huge_dimension])
def test_a_workbook_claiming_the_whole_sheet_is_refused_before_reading(edit):
    bomb = with_sheet_xml(GOOD, edit)
    assert len(bomb) < 10_000
    with pytest.raises(sheets.SheetLimitError) as err:
        sheets.check_workbook(bomb, DEFAULTS.sheet_limits())
    assert err.value.key == "xlsx_extent" and err.value.params["columns"] == 16384


def test_the_upload_says_what_to_do_and_stores_nothing(capsys, tmp_path, engine):
    path = tmp_path / "bom.xlsx"
    path.write_bytes(with_sheet_xml(GOOD, far_cell))
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "observations", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "1048576 dòng × 16384 cột" in err and "ZONES_XLSX_MAX_CELLS" in err
    assert "Traceback" not in err


def test_too_many_members_and_too_much_expansion():
    few = Settings(xlsx_max_members=3).sheet_limits()
    with pytest.raises(sheets.SheetLimitError, match="xlsx_members"):
        sheets.check_workbook(GOOD, few)
    small = Settings(xlsx_max_expanded_mb=0.001).sheet_limits()
    with pytest.raises(sheets.SheetLimitError, match="xlsx_expanded"):
        sheets.check_workbook(GOOD, small)


def test_a_boundary_attribute_table_bomb_is_refused_too(capsys, tmp_path, engine):
    table = xlsx_bytes([["code", "name", "population"], ["00001", "Phường Phúc Xá", 100]])
    path = tmp_path / "dan-so.xlsx"
    path.write_bytes(with_sheet_xml(table, far_cell))
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "units", "import", str(path), "--level", "commune"]) == 2
    err = capsys.readouterr().err
    assert "16384" in err and "Traceback" not in err


def test_error_cells_hidden_sheets_and_signed_flags(capsys, tmp_path, engine):
    """#DIV/0! is refused (not read as "not reported"), the visible sheet is read and
    named, and a flag of -1 is refused (not stored as 1)."""
    import re

    from openpyxl import Workbook

    book = Workbook()
    hidden = book.active
    hidden.title, hidden.sheet_state = "Nháp", "hidden"
    hidden.append(["Ngày", "Mã xã", "Số mẫu PCR"])
    hidden.append(["01/09/2021", "00001", 999])
    shown = book.create_sheet("Báo cáo")
    shown.append(["Ngày", "Mã xã", "Số mẫu PCR", "Đáp ứng năng lực điều trị"])
    shown.append(["01/09/2021", "00001", 0, -1])
    shown.append(["02/09/2021", "00001", 7, 1])
    book.active = 1
    buf = io.BytesIO()
    book.save(buf)

    def div0(body: bytes) -> bytes:
        return re.sub(rb'<c r="C2"[^>]*>.*?</c>', b'<c r="C2" t="e"><v>#DIV/0!</v></c>', body)
    data = buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, div0(body) if item.filename == "xl/worksheets/sheet2.xml"
                         else body)
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(out.getvalue())
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "observations", "import", str(path), "--dry-run"]) == 1
    text = capsys.readouterr().out
    assert "«Báo cáo»" in text and "999" not in text
    assert "«#DIV/0!»" in text and "«-1»" in text
    assert "1 dòng hợp lệ, 1 dòng bị từ chối" in text


def test_csv_rows_and_columns_are_bounded_while_read():
    from zones.ingest import read as ingest_read

    many = ("date,unit_code,new_cases\n" + "01/09/2021,30733,1\n" * 500).encode()
    with pytest.raises(ZonesError, match="ZONES_UPLOAD_MAX_ROWS"):
        ingest_read.read_upload(many, "a.csv", lang="vi", settings=Settings(upload_max_rows=100))
    assert len(ingest_read.read_upload(many, "a.csv", lang="vi").cells) == 500  # the default: read
    wide = ("date,unit_code,new_cases" + ",x" * 20 + "\n01/09/2021,30733,1\n").encode()
    with pytest.raises(ZonesError, match="ZONES_UPLOAD_MAX_COLUMNS"):
        ingest_read.read_upload(wide, "a.csv", lang="vi", settings=Settings(upload_max_columns=10))
