"""Rule sets kept in the database: ``rulesets add / list / show`` (issue 13, item 4)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from zones import api
from zones.cli import main

pytestmark = pytest.mark.both_stores
SHIPPED = ROOT / "rules" / "rulesets" / "qd2686.yaml"


def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def province_copy(tmp_path, rid="kg-2686", edit=""):
    text = SHIPPED.read_text(encoding="utf-8").replace("id: qd2686", f"id: {rid}", 1).replace(
        "theo QĐ 2686/QĐ-BCĐQG", "theo QĐ 2686/QĐ-BCĐQG, tỉnh Kiên Giang", 1).replace(
        "under Decision 2686/QD-BCDQG", "under Decision 2686/QD-BCDQG, Kien Giang", 1)
    path = tmp_path / f"{rid}.yaml"
    path.write_text(text + edit, encoding="utf-8")
    return path


def listed(out: str) -> dict[str, dict]:
    return {r["id"]: r for r in csv.DictReader(io.StringIO(out))}


def test_add_list_show_and_use_a_province_copy(demo_copy, tmp_path, capsys):
    path = province_copy(tmp_path)
    code, out, err = run(capsys, demo_copy, "rulesets", "add", str(path))
    assert code == 0, err
    assert "kg-2686" in out and "bản lưu thứ 1" in out
    code, out, _ = run(capsys, demo_copy, "rulesets", "list")
    rows = listed(out)
    assert rows["kg-2686"]["source"] == "database" and rows["kg-2686"]["added_by"]
    assert rows["qd2686"]["source"] == "shipped"
    code, out, _ = run(capsys, demo_copy, "rulesets", "show", "kg-2686")
    assert code == 0 and out == path.read_text(encoding="utf-8")
    code, out, err = run(capsys, demo_copy, "assess", "--date", "2021-09-01",
                         "--ruleset", "kg-2686")
    assert code == 0, err
    assert {r["ruleset"] for r in csv.DictReader(io.StringIO(out))} == {"kg-2686"}
    # another process (a second replica) sees it without any shared folder
    listing = subprocess.run([sys.executable, "-m", "zones", "--db", demo_copy, "rulesets",
                              "list"], cwd=ROOT, capture_output=True, text=True)
    assert "kg-2686" in listed(listing.stdout)


def test_the_same_text_twice_changes_nothing_and_a_change_is_a_new_version(demo_copy, tmp_path,
                                                                        capsys):
    path = province_copy(tmp_path)
    assert run(capsys, demo_copy, "rulesets", "add", str(path))[0] == 0
    code, out, _ = run(capsys, demo_copy, "rulesets", "add", str(path))
    assert code == 0 and "không có gì thay đổi" in out
    changed = province_copy(tmp_path, edit="\n# điều chỉnh của tỉnh\n")
    code, out, _ = run(capsys, demo_copy, "rulesets", "add", str(changed))
    assert code == 0 and "bản lưu thứ 2" in out
    versions = api.ruleset_versions(api.open_workspace(demo_copy))
    assert list(versions["ruleset_id"]) == ["kg-2686", "kg-2686"]
    trail = api.audit_entries(api.open_workspace(demo_copy), api.LOCAL_ADMIN)
    assert (trail["action"] == "ruleset_added").sum() == 2


def test_a_bad_file_lists_every_problem_and_stores_nothing(demo_copy, tmp_path, capsys):
    bad = tmp_path / "hong.yaml"
    bad.write_text("id: hong\nversion: 1\nlevels: 3\n", encoding="utf-8")
    code, _out, err = run(capsys, demo_copy, "rulesets", "add", str(bad))
    assert code == 2 and "Traceback" not in err
    assert "'title'" in err and "'indicators'" in err and "'tiers'" in err and "'levels'" in err
    for name, content in (("copy.yaml", SHIPPED.read_bytes()),          # a shipped id
                          ("big.yaml", b"# x\n" * 200_000),              # over the bound
                          ("latin.yaml", "id: é\n".encode("latin-1"))):  # not UTF-8
        (tmp_path / name).write_bytes(content)
        code, _out, err = run(capsys, demo_copy, "rulesets", "add", str(tmp_path / name))
        assert code == 2 and "Traceback" not in err, name
    code, out, _ = run(capsys, demo_copy, "rulesets", "list")
    assert set(listed(out)) == {"qd2686", "qd4800"}
    assert api.ruleset_versions(api.open_workspace(demo_copy)).empty


def test_only_an_administrator_adds_a_rule_set(demo_copy, tmp_path, capsys):
    ws = api.open_workspace(demo_copy)
    api.add_user(ws, api.LOCAL_ADMIN, "xem", "mat-khau-dai-du-12", "observer", None, False)
    code, _out, err = run(capsys, demo_copy, "--as", "xem", "rulesets", "add",
                          str(province_copy(tmp_path)))
    assert code == 2 and "Traceback" not in err
    assert api.ruleset_versions(ws).empty
    trail = api.audit_entries(ws, api.LOCAL_ADMIN)
    refused = trail[(trail["action"] == "ruleset_added") & (trail["outcome"] == "refused")]
    assert len(refused) == 1


def test_show_an_unknown_id_names_the_ones_there_are(demo_copy, capsys):
    code, _out, err = run(capsys, demo_copy, "rulesets", "show", "qd2868")
    assert code == 2 and "qd2686" in err


def test_hostile_yaml_is_refused_with_a_message(demo_copy, tmp_path, capsys):
    """Nested aliases ("billion laughs") and deep nesting: refused, nothing stored."""
    laughs = ["id: lol", 'a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    (tmp_path / "lol.yaml").write_text("\n".join(laughs) + "\n", encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("id: deep\nx: " + "[" * 20_000 + "]" * 20_000 + "\n",
                                        encoding="utf-8")
    for name in ("lol.yaml", "deep.yaml"):
        code, _out, err = run(capsys, demo_copy, "rulesets", "add", str(tmp_path / name))
        assert code == 2 and "Traceback" not in err and name in err, err[-300:]
    assert api.ruleset_versions(api.open_workspace(demo_copy)).empty


def test_the_criteria_page_says_where_a_stored_rule_set_comes_from(demo_copy, tmp_path,
                                                                  monkeypatch, capsys):
    from tests.test_app import run_page
    from zones.safe import md_text

    assert run(capsys, demo_copy, "rulesets", "add", str(province_copy(tmp_path)))[0] == 0
    monkeypatch.setenv("ZONES_DB", demo_copy)
    at = run_page("app_pages/criteria.py", _actor=api.LOCAL_ADMIN)
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert md_text("kg-2686.yaml (lưu trong cơ sở dữ liệu bởi local-admin, ") in text
    at = run_page("app_pages/criteria.py")  # anyone else: where, in words only
    text = " ".join(m.value for m in at.markdown)
    assert md_text("kho dữ liệu (") in text and "local-admin" not in text


def test_an_administrator_adds_a_rule_set_on_the_criteria_page(demo_copy, tmp_path,
                                                               monkeypatch):
    """The page's form: a file with a problem is refused with it, a good one is stored and
    listed, its version (text from the file) shown literally."""
    monkeypatch.setenv("ZONES_DB", demo_copy)
    at = AppTest.from_file(str(ROOT / "app_pages" / "criteria.py"), default_timeout=90)
    at.session_state["_actor"] = api.LOCAL_ADMIN
    at.run()
    bad = province_copy(tmp_path, "kg-bad").read_text(encoding="utf-8").replace(
        "fn: window_sum", "fn: window_summ", 1)
    at.file_uploader(key="ruleset_file").set_value(("kg-bad.yaml", bad.encode(),
                                                    "application/x-yaml"))
    at.button[-1].click().run()  # "Kiểm tra và lưu", the form's one button
    assert not at.exception, at.exception
    assert any("window\\_summ" in e.value and "window\\_sum\\'" in e.value
               for e in at.error)  # the problem and its fix (markdown-escaped)
    assert "kg-bad" not in listed(api.list_rulesets(api.open_workspace(demo_copy)).to_csv(
        index=False))
    good = province_copy(tmp_path, "kg-2686").read_text(encoding="utf-8").replace(
        "version:", "version: '**x** ![i](http://e)' #", 1)
    at.file_uploader(key="ruleset_file").set_value(("kg-2686.yaml", good.encode(),
                                                    "application/x-yaml"))
    at.button[-1].click().run()
    assert not at.exception, at.exception
    said = " ".join(m.value for m in at.success)
    assert "kg-2686" in said and "![i](http://e)" not in said
    assert "kg-2686" in listed(api.list_rulesets(api.open_workspace(demo_copy)).to_csv(
        index=False))
