"""The CLI contract: commands, CSV columns, exit codes, clear messages (no tracebacks)."""

import csv
import io

import pytest

from tests.conftest import export_spec
from zones.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("url", ["nonsense://x", "sqlite:////no/such/folder/z.db",
                                 "postgresql+nosuchdriver://u@h/db"])
def test_bad_db_url_is_exit_2_with_a_message(capsys, url):
    code, _out, err = run(capsys, "--db", url, "assess", "--date", "2021-09-01")
    assert code == 2
    assert "Traceback" not in err
    assert "cơ sở dữ liệu" in err


def test_unknown_command_is_exit_2_in_vietnamese(capsys, empty_url):
    code, _, err = run(capsys, "--db", empty_url, "frobnicate")
    assert code == 2
    assert "Lệnh không hợp lệ: 'frobnicate'" in err


def test_unknown_command_in_english(capsys, empty_url):
    code, _, err = run(capsys, "--lang", "en", "--db", empty_url, "frobnicate")
    assert code == 2
    assert "Unknown command" in err


def test_missing_required_option(capsys, empty_url):
    code, _, err = run(capsys, "--db", empty_url, "assess")
    assert code == 2
    assert "Thiếu tham số" in err


@pytest.mark.parametrize("value", ["32/13/2021", "2021-02-30", "hôm qua"])
def test_bad_date(capsys, empty_url, value):
    code, _, err = run(capsys, "--db", empty_url, "assess", "--date", value)
    assert code == 2
    assert f"Ngày không hợp lệ: {value}" in err


def test_assess_on_empty_database_says_what_to_do(capsys, empty_url):
    code, _, err = run(capsys, "--db", empty_url, "assess", "--date", "2021-09-01")
    assert code == 2
    assert "python -m zones demo" in err


def test_assess_demo_gives_every_commune_some_not_green(capsys, demo_url):
    code, out, _ = run(capsys, "--db", demo_url, "assess", "--date", "2021-09-01")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["unit_code", "unit_name", "level", "level_name", "ruleset",
                             "reasons", "computed_level", "declared_level", "decision"]
    assert len(rows) == 143  # every legacy commune of Kiên Giang
    levels = {r["level"] for r in rows}
    assert levels - {"1"}, "the late-August outbreak must show"
    assert {r["ruleset"] for r in rows} == {"qd2686"}
    red = next(r for r in rows if r["unit_name"] == "Phường Vĩnh Lạc")
    assert red["level"] == "4" and red["reasons"]


def test_assess_uses_qd4800_from_12_october(capsys, demo_url):
    code, out, _ = run(capsys, "--db", demo_url, "assess", "--date", "2021-11-20",
                       "--level", "district")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 15
    assert {r["ruleset"] for r in rows} == {"qd4800"}


def test_assess_date_outside_data(capsys, demo_url):
    code, _, err = run(capsys, "--db", demo_url, "assess", "--date", "2020-01-01")
    assert code == 2 and "nằm ngoài khoảng dữ liệu" in err


def test_assess_unknown_ruleset(capsys, demo_url):
    code, _, err = run(capsys, "--db", demo_url, "assess", "--date", "2021-09-01",
                       "--ruleset", "qd9999")
    assert code == 2 and "qd4800" in err


def test_transitions_csv(capsys, demo_url, tmp_path):
    out = tmp_path / "t.csv"
    code, _, _ = run(capsys, "--db", demo_url, "transitions", "--from", "15/08/2021",
                     "--to", "01/09/2021", "--out", str(out))
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["unit_code", "unit_name", "from_level", "to_level", "changed_on",
                             "cause"]
    assert {r["cause"] for r in rows} == {"data"}  # one rule set (QĐ 2686), no declaration
    assert any(r["unit_name"] == "Phường Vĩnh Lạc" and r["to_level"] == "4" for r in rows)
    assert all("2021-08-16" <= r["changed_on"] <= "2021-09-01" for r in rows)


def test_transitions_reversed_dates(capsys, demo_url):
    code, _, err = run(capsys, "--db", demo_url, "transitions", "--from", "2021-09-01",
                       "--to", "2021-08-01")
    assert code == 2 and "phải trước" in err


def test_map_export_is_standalone(capsys, demo_url, tmp_path):
    out = tmp_path / "map.html"
    code, _, _ = run(capsys, "--db", demo_url, "map", "--date", "2021-09-01", "--out", str(out))
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "L.geoJson" in html and "Phường Vĩnh Lạc" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html and "code.jquery" not in html
    assert "<script src=" not in html and "stylesheet" not in html
    assert any("Ranh giới gần đúng" in n for n in export_spec(html)["notices"])


def test_demo_refuses_to_overwrite_without_reset(capsys, demo_url):
    code, _, err = run(capsys, "--db", demo_url, "demo")
    assert code == 2 and "--reset" in err


@pytest.mark.parametrize("argv", [["units", "import", "/no/such/file.geojson"],
                                  ["observations", "import", "/no/such/file.csv"]])
def test_missing_input_file_is_exit_2(capsys, empty_url, argv):
    code, _, err = run(capsys, "--db", empty_url, *argv)
    assert code == 2 and "Không tìm thấy tệp" in err


def test_unwritable_output_is_exit_2(capsys, demo_url):
    code, _, err = run(capsys, "--db", demo_url, "assess", "--date", "2021-09-01",
                       "--out", "/no/such/folder/x.csv")
    assert code == 2 and "Không ghi được tệp" in err and "None" not in err


def test_a_file_that_is_no_database_or_from_a_newer_version(capsys, tmp_path, demo_url):
    import shutil
    import sqlite3

    junk = tmp_path / "ghi-chu.db"
    junk.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    code, _, err = run(capsys, "--db", f"sqlite:///{junk}", "assess", "--date", "2021-09-01")
    assert code == 2 and "không phải cơ sở dữ liệu của hệ thống" in err
    newer = tmp_path / "moi.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = run(capsys, "--db", f"sqlite:///{newer}", "assess", "--date", "2021-09-01")
    assert code == 2 and "phiên bản mới hơn" in err and "Traceback" not in err
