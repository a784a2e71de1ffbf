"""The CLI contract of ``observations import|export|template`` (exit codes 0/1/2)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.test_ingest_fixtures import csv_bytes, make_db, patch_recompute, stored
from zones.cli import main
from zones.ingest import read as ingest_read


@pytest.fixture(autouse=True)
def recomputed(monkeypatch) -> list:
    """The ``start`` of every levels recomputation requested."""
    return patch_recompute(monkeypatch)


GOOD = "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,5\n02/09/2021,00001,6"


@pytest.fixture
def db(tmp_path):
    make_db(tmp_path / "t.db")
    return f"sqlite:///{tmp_path}/t.db"


def run(db, *args):
    return main(["--db", db, "observations", *map(str, args)])


def write(tmp_path, text, name="up.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(text) if isinstance(text, str) else text)
    return path


def test_exit_0_when_every_row_is_stored(db, tmp_path, capsys):
    assert run(db, "import", write(tmp_path, GOOD)) == 0
    out = capsys.readouterr().out
    assert "2 dòng hợp lệ, 0 dòng bị từ chối" in out and "Đã lưu: 2 dòng" in out


def test_exit_1_some_rows_rejected_good_rows_stored(db, tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n03/09/2021,00001,-4")
    assert run(db, "import", path) == 1
    out = capsys.readouterr().out
    assert "Dòng 4, cột «Số mẫu PCR», giá trị «-4»: số âm. Cách sửa:" in out
    assert len(stored(make_db(tmp_path / "t.db", with_units=False))) == 2


def test_exit_2_when_nothing_is_stored(db, tmp_path, capsys):
    assert run(db, "import", write(tmp_path, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,X,5")) == 2
    err = capsys.readouterr().err
    assert "Không lưu gì" in err and "Traceback" not in err


def test_exit_2_all_or_nothing(db, tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n03/09/2021,00001,-4")
    assert run(db, "import", path, "--all-or-nothing") == 2
    assert stored(make_db(tmp_path / "t.db", with_units=False)).empty


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Tệp trống"),
    (b"PK\x03\x04garbage", "Tệp Excel bị hỏng"),
    (b"x,y\n1,2", "Không tìm thấy dòng tiêu đề"),
])
def test_exit_2_unusable_file(db, tmp_path, capsys, content, message):
    name = "f.xlsx" if content.startswith(b"PK") else "f.csv"
    assert run(db, "import", write(tmp_path, content, name)) == 2
    assert message in capsys.readouterr().err


def test_exit_2_missing_file_and_size_limit(db, tmp_path, capsys, monkeypatch):
    assert run(db, "import", tmp_path / "nope.csv") == 2
    assert "Không tìm thấy tệp" in capsys.readouterr().err
    monkeypatch.setattr(ingest_read, "MAX_BYTES", 50)
    big = write(tmp_path, GOOD * 10)
    assert run(db, "import", big) == 2
    assert "Tệp quá lớn" in capsys.readouterr().err


def test_wrong_sheet_name(db, tmp_path, capsys):
    from tests.test_ingest_fixtures import xlsx_bytes

    path = write(tmp_path, xlsx_bytes([["date", "unit_code"]]), "f.xlsx")
    assert run(db, "import", path, "--sheet", "Tuần 2") == 2
    assert "Không có trang tính «Tuần 2»" in capsys.readouterr().err


def test_dry_run_and_resend(db, tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert run(db, "import", path, "--dry-run") == 0
    assert "Chạy thử" in capsys.readouterr().out
    assert run(db, "import", path) == 0
    assert run(db, "import", path) == 0
    assert "đã được nhập lúc" in capsys.readouterr().out


def test_english_report(db, tmp_path, capsys):
    path = write(tmp_path, GOOD + "\n03/09/2021,00001,-4")
    assert main(["--db", db, "--lang", "en", "observations", "import", str(path)]) == 1
    assert "Row 4, column «Số mẫu PCR», value «-4»: a negative number. Fix:" in (
        capsys.readouterr().out)


def test_report_xlsx(db, tmp_path):
    path = write(tmp_path, GOOD + '\n03/09/2021,00001,"=HYPERLINK(""x"")"')
    out = tmp_path / "loi.xlsx"
    assert run(db, "import", path, "--report", out) == 1
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Dòng", "Ngày", "Mã xã", "Số mẫu PCR", "Lý do bị từ chối")
    assert rows[1][:4] == (4, "03/09/2021", "00001", "'=HYPERLINK(\"x\")")
    assert "không phải số nguyên" in rows[1][4]


def test_export_csv(db, tmp_path):
    assert run(db, "import", write(tmp_path, GOOD)) == 0
    out = tmp_path / "out.csv"
    assert run(db, "export", "--from", "02/09/2021", "--out", out) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame.iloc[0][["date", "unit_code", "tests_pcr", "new_cases_community"]].tolist() == [
        "2021-09-02", "00001", "6", ""]


def test_template_command(db, tmp_path):
    out = tmp_path / "mau.xlsx"
    assert run(db, "template", "--unit", "001", "--from", "01/09/2021", "--to",
               "2021-09-02", "--out", out) == 0
    ws = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    codes = [r[1] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert codes == ["00001", "00004", "00007"] * 2  # communes only: they send the figures
    assert run(db, "template", "--unit", "99", "--from", "01/09/2021", "--to",
               "02/09/2021", "--out", out) == 2
