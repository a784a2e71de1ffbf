"""``declarations add|list|revoke`` and ``assess --ruleset`` of a broken custom file."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from zones.cli import main
from zones.levels.dayview import ruleset_registry
from zones.workspace import Workspace

pytestmark = pytest.mark.both_stores


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_revoke(capsys, demo_copy):
    code, out, err = run(capsys, "--db", demo_copy, "declarations", "add", "--unit", "30775",
                         "--level", "4", "--from", "02/09/2021", "--to", "05/09/2021",
                         "--decision", "2875/QĐ-UBND")
    assert code == 0 and "mã 1" in out
    assert "48 giờ" in err  # a raise with less than 48 hours' notice (NQ 128)
    code, out, _ = run(capsys, "--db", demo_copy, "declarations", "list")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert (rows[0]["unit_name"], rows[0]["level"], rows[0]["effective_from"],
            rows[0]["effective_to"], rows[0]["decision_number"]) == (
        "Phường Pháo Đài", "4", "02/09/2021", "05/09/2021", "2875/QĐ-UBND")
    code, out, _ = run(capsys, "--db", demo_copy, "assess", "--date", "2021-09-03")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["unit_code"] == "30775")
    assert (row["level"], row["declared_level"], row["decision"]) == ("4", "4", "2875/QĐ-UBND")
    code, out, _ = run(capsys, "--db", demo_copy, "declarations", "revoke", "1")
    assert code == 0
    code, out, _ = run(capsys, "--db", demo_copy, "assess", "--date", "2021-09-03")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["unit_code"] == "30775")
    assert row["declared_level"] == "" and row["level"] == row["computed_level"]


def test_add_refuses_with_every_problem_at_once(capsys, demo_copy):
    code, _, err = run(capsys, "--db", demo_copy, "--lang", "en", "declarations", "add",
                       "--unit", "99999", "--level", "3", "--from", "10/09/2021", "--to",
                       "01/09/2021", "--decision", " ")
    assert code == 2 and "Traceback" not in err
    assert "99999" in err and "01/09/2021" in err and "decision" in err.lower()
    code, _, err = run(capsys, "--db", demo_copy, "declarations", "add", "--unit", "30775",
                       "--level", "7", "--from", "10/09/2021", "--decision", "x")
    assert code == 2 and "7" in err
    code, _, err = run(capsys, "--db", demo_copy, "declarations", "revoke", "42")
    assert code == 2 and "42" in err


def test_assess_with_a_broken_custom_ruleset_lists_its_problems(capsys, demo_copy, tmp_path):
    ws = Workspace.at(demo_copy)
    if ws.rulesets_dir is None:
        pytest.skip("a server database has no rule-set folder (test_rulesets_store)")
    ws.rulesets_dir.mkdir(parents=True, exist_ok=True)
    source = (ruleset_registry(ws).get("qd4800").path).read_text(encoding="utf-8").replace(
        "  vi: Đánh giá", "  vi: Kiên Giang – Đánh giá", 1).replace("  en: COVID", "  en: KG COVID", 1)
    broken = source.replace("id: qd4800", "id: qd4800-kg").replace("fn: window_sum",
                                                                   "fn: window_summ", 1)
    (ws.rulesets_dir / "qd4800-kg.yaml").write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "--db", demo_copy, "assess", "--date", "2021-10-20",
                       "--ruleset", "qd4800-kg")
    assert code == 2 and "Traceback" not in err
    assert "qd4800-kg.yaml" in err and "window_summ" in err and "window_sum" in err
    assert "Không có bộ tiêu chí" not in err
    fixed = source.replace("id: qd4800", "id: qd4800-kg")
    (ws.rulesets_dir / "qd4800-kg.yaml").write_text(fixed, encoding="utf-8")
    code, out, _ = run(capsys, "--db", demo_copy, "assess", "--date", "2021-10-20",
                       "--ruleset", "qd4800-kg")
    assert code == 0 and {r["ruleset"] for r in csv.DictReader(io.StringIO(out))} == {
        "qd4800-kg"}
    shutil.rmtree(ws.rulesets_dir)


def test_the_signer_is_kept_and_listed_and_a_too_long_decision_is_refused(demo_copy, capsys,
                                                                         tmp_path):
    from zones.cli import main

    code = main(["--db", demo_copy, "declarations", "add", "--unit", "30745", "--level", "2",
                 "--from", "2021-12-01", "--decision", "77/QĐ-UBND", "--by", "Nguyễn Văn A"])
    assert code == 0, capsys.readouterr().err
    out = tmp_path / "d.csv"
    assert main(["--db", demo_copy, "declarations", "list", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].endswith(",note,signed_by,status,revoked_by,revoked_at")
    assert rows[-1].endswith(",Nguyễn Văn A,active,,")
    capsys.readouterr()
    code = main(["--db", demo_copy, "declarations", "add", "--unit", "30745", "--level", "2",
                 "--from", "2021-12-01", "--decision", "9" * 101])
    err = capsys.readouterr().err
    assert code == 2 and "101 ký tự" in err and "tối đa 100" in err and "Traceback" not in err
    assert main(["--db", demo_copy, "declarations", "list", "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == len(rows)
