"""A row dated before every rule set (a typo such as 2005 for 2021) is refused by row,
the good rows are stored, and every later computation still works."""

from __future__ import annotations

from zones.cli import main


def test_a_2005_row_is_refused_and_breaks_nothing(capsys, demo_copy, tmp_path):
    upload = tmp_path / "so-lieu.csv"
    upload.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng\n01/03/2005,30745,3\n"
                      "02/09/2021,30745,4\n", encoding="utf-8")
    assert main(["--db", demo_copy, "observations", "import", str(upload)]) == 1
    out = capsys.readouterr().out
    assert "«01/03/2005»" in out and "31/05/2021" in out and "Traceback" not in out
    assert "1 dòng hợp lệ, 1 dòng bị từ chối" in out
    assert main(["--db", demo_copy, "assess", "--date", "2021-09-02"]) == 0
    assert "30745" in capsys.readouterr().out
    again = tmp_path / "lan-sau.csv"
    again.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng\n03/09/2021,30745,2\n", encoding="utf-8")
    assert main(["--db", demo_copy, "observations", "import", str(again)]) == 0
    assert "Traceback" not in capsys.readouterr().err
