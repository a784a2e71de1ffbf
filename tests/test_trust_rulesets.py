"""Issue 20, rule sets: every bad rule set found in the trust round is refused with its
problems listed, on every way in (``rulesets add``, the Tiêu chí page, ``assess --ruleset``,
a ``rulesets/`` folder beside a SQLite file), and none changes a level. Also: every right
is named in words, and the Tiêu chí page shows server paths to administrators only."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

import rules
from rules import checker as rules_checker
from rules.loader import parse_text
from rules.model import Range
from rules.registry import SHIPPED
from rules.strict_yaml import read_yaml
from tests.browser import ROOT
from zones import api
from zones.cli import main
from zones.errors import ZonesError
from zones.i18n import LANGS, t
from zones.levels.assessment import stored_levels
from zones.levels.refresh import refresh
from zones.people.access import Actor, Right, Role, require
from zones.storage import store

OFFICIAL = (SHIPPED / "qd4800.yaml").read_text(encoding="utf-8")
UNKNOWN = 20_000  # keys nobody knows, in one file


def province_copy(rid: str = "kg-4800") -> str:
    """QĐ 4800 as a province adapts it: its own id and title, in force from 1/11/2021 (so a
    copy that were accepted would set the levels of November and December)."""
    return (OFFICIAL.replace("id: qd4800", f"id: {rid}", 1)
            .replace("  vi: Đánh giá", "  vi: Kiên Giang – Đánh giá", 1)
            .replace("  en: COVID", "  en: Kien Giang COVID", 1)
            .replace("effective_from: 2021-10-12", "effective_from: 2021-11-01", 1))


def _bands(text: str, value: str) -> str:
    return text.replace("value: [20, 50, 150]", f"value: {value}", 1)


def _param(name: str, value: str):
    """Set the value of parameter ``name`` (its ``value:`` line after its name)."""
    def edit(text: str) -> str:
        head, tail = text.split(f"  {name}:\n    value: ", 1)
        return f"{head}  {name}:\n    value: {value}\n" + tail.split("\n", 1)[1]
    return edit


# id, edit of the province's copy, what the refusal must name
BAD = [
    ("nan-bands", lambda s: _bands(s, "[.nan, .nan, .nan]"),
     "'parameters.band_starts_per_100k.value[0]' = nan"),
    ("negative-bands", lambda s: _bands(s, "[-1, -1, -1]"),
     "'parameters.band_starts_per_100k.value[0]' = -1; expected a finite number from 0 to 100,000"),
    ("inf-band", lambda s: _bands(s, "[20, 50, .inf]"),
     "'parameters.band_starts_per_100k.value[2]' = inf"),
    ("huge-band", lambda s: _bands(s, "[20, 50, 1.0e+300]"),
     "'parameters.band_starts_per_100k.value[2]' = 1e+300"),
    ("flat-bands", lambda s: _bands(s, "[20, 20, 150]"), "strictly increasing"),
    ("falling-bands", lambda s: _bands(s, "[150, 50, 20]"), "strictly increasing"),
    ("window-100000000", _param("window_days", "100000000"),
     "'parameters.window_days.value' = 100000000; expected a whole number from 1 to 60 days"),
    ("window-0", _param("window_days", "0"), "'parameters.window_days.value' = 0"),
    ("window-nan", _param("window_days", ".nan"), "'parameters.window_days.value' = nan"),
    ("digits-5000", _param("window_days", "9" * 5000), "5,000 digits"),
    ("share-as-percent", _param("adult_cover_target", "70"),
     "'parameters.adult_cover_target.value' = 70; expected a finite number from 0 to 1"),
    ("negative-share", _param("elderly_target", "-0.5"), "'parameters.elderly_target.value'"),
    ("lag-days", _param("treatment_hold_lag_days", "-7"), "treatment_hold_lag_days"),
    ("nan-threshold", lambda s: s.replace("op: eq, value: 0}", "op: eq, value: .nan}", 1),
     "when.all[0].value' = nan"),
    ("duplicate-key", lambda s: s.replace("history_days: 63", "history_days: 63\nhistory_days: 6"),
     "'history_days' = 'history_days'; expected each key once in a mapping; written on line "),
    ("duplicate-nested", lambda s: s.replace("    value: 0.70\n", "    value: 0.70\n    value: 0.07\n"),
     "field 'value' = 'value'; expected each key once"),
    ("unknown-keys", lambda s: s + "".join(f"x{i}: 0\n" for i in range(UNKNOWN)),
     f"… và {UNKNOWN - 20} lỗi khác"),
    ("official-title", lambda s: s.replace("Kiên Giang – Đánh giá", "Đánh giá", 1),
     "trùng với tên bộ tiêu chí chính thức qd4800"),
    ("official-title-unaccented", lambda s: s.replace(
        "Kiên Giang – Đánh giá cấp độ dịch COVID-19 theo QĐ 4800/QĐ-BYT",
        "danh gia cap do dich  covid-19 theo QD 4800/QD-BYT", 1),
     "trùng với tên bộ tiêu chí chính thức qd4800"),
]
IDS = [case[0] for case in BAD]


def bad_file(folder: Path, case: tuple) -> Path:
    rid, edit, _ = case
    path = folder / f"kg-{rid}.yaml"
    path.write_text(edit(province_copy(f"kg-{rid}")), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_province_copy_itself_is_accepted_and_would_change_levels(demo_copy, tmp_path,
                                                                        capsys):
    """The control: the same copy with other numbers is stored and sets levels, so the
    refusals below are what keeps the levels."""
    ws = api.open_workspace(demo_copy)
    before = stored_levels(ws.engine)
    path = tmp_path / "kg-4800.yaml"
    path.write_text(_bands(province_copy(), "[1, 2, 3]"), encoding="utf-8")
    code, _, err = run(capsys, "--db", demo_copy, "rulesets", "add", str(path))
    assert code == 0, err
    assert not stored_levels(ws.engine).equals(before)


@pytest.mark.parametrize("case", BAD, ids=IDS)
def test_each_bad_rule_set_is_refused_by_rulesets_add_and_changes_nothing(case, demo_copy,
                                                                           tmp_path, capsys):
    ws = api.open_workspace(demo_copy)
    before = stored_levels(ws.engine)
    code, _, err = run(capsys, "--db", demo_copy, "rulesets", "add",
                       str(bad_file(tmp_path, case)))
    assert code == 2
    assert case[2] in err, err[-1500:]
    assert "Traceback" not in err and "không mong đợi" not in err
    assert len(re.findall(r"^  - ", err, flags=re.M)) <= 20
    assert str(tmp_path) not in err  # the file by its name, not its folder
    assert api.ruleset_versions(ws).empty
    assert stored_levels(ws.engine).equals(before)


#: what the front door says in English where the Vietnamese wording differs
IN_ENGLISH = {"unknown-keys": f"… and {UNKNOWN - 20} more problems",
              "official-title": "is that of the official rule set qd4800",
              "official-title-unaccented": "is that of the official rule set qd4800"}


@pytest.mark.parametrize("case", BAD[:3] + BAD[-3:], ids=IDS[:3] + IDS[-3:])
def test_the_front_door_refuses_them_in_english_too(case, demo_copy, tmp_path):
    ws = api.open_workspace(demo_copy)
    data = bad_file(tmp_path, case).read_bytes()
    with pytest.raises(ZonesError) as refused:
        api.add_ruleset(ws, api.LOCAL_ADMIN, data, f"kg-{case[0]}.yaml", "en")
    assert IN_ENGLISH.get(case[0], case[2]) in api.failure_message(refused.value, "en")
    assert api.ruleset_versions(ws).empty


def test_at_most_20_problems_are_listed_and_the_others_only_counted(monkeypatch):
    """20,000 unknown keys: 20 problems, a count, and a hint worked out for those 20 only
    (the check stops working on them early; its time is in bench/bench_rulesets.py)."""
    hints = []
    real = rules_checker.did_you_mean
    monkeypatch.setattr(rules_checker, "did_you_mean",
                        lambda *a: hints.append(a) or real(*a))
    text = province_copy() + "".join(f"x{i}: 0\n" for i in range(UNKNOWN))
    with pytest.raises(rules.RuleSetError) as info:
        parse_text(text, "kg.yaml")
    problems = info.value.problems
    assert len(problems) == 20 and problems.more == UNKNOWN - 20
    assert [p.field for p in problems[:2]] == ["x0", "x1"]
    assert len(hints) <= 20
    assert f"… and {UNKNOWN - 20} more problem(s)" in str(info.value)


def test_a_bad_file_in_the_folder_is_reported_skipped_and_changes_no_level(demo_copy,
                                                                            capsys):
    ws = api.open_workspace(demo_copy)
    if ws.rulesets_dir is None:
        pytest.skip("a server database has no rule-set folder")
    before = stored_levels(ws.engine)
    ws.rulesets_dir.mkdir(parents=True, exist_ok=True)
    for case in BAD:
        bad_file(ws.rulesets_dir, case)
    refresh(ws)  # any later write recomputes the levels with the folder's rule sets
    assert stored_levels(ws.engine).equals(before)
    assert str(ws.rulesets_dir) not in api.list_rulesets(ws).to_csv()  # names, not paths
    listed = api.list_rulesets(ws).set_index("file")
    for rid, _, _ in BAD:
        assert listed.loc[f"kg-{rid}.yaml", "status"].endswith("problem(s)"), rid
    assert set(api.rulesets(ws).rulesets) == {"qd2686", "qd4800"}
    for case in BAD:  # the what-if names the file's problems and computes nothing
        expected = case[2].replace("trùng với tên bộ tiêu chí chính thức qd4800",
                                   "the title of the official rule set qd4800")
        code, out, err = run(capsys, "--db", demo_copy, "assess", "--date", "2021-11-20",
                             "--ruleset", f"kg-{case[0]}")
        assert code == 2 and out == "", case[0]
        assert f"kg-{case[0]}.yaml" in err and str(ws.rulesets_dir) not in err
        assert (expected if case[0] != "unknown-keys" else "lỗi khác") in err, err[-800:]
        assert "Traceback" not in err and "không mong đợi" not in err


def test_a_stored_copy_with_an_official_title_is_no_longer_used(demo_copy, tmp_path, capsys):
    """A copy kept before this check (its title that of QĐ 4800) is listed as broken and
    its levels are not used any more."""
    ws = api.open_workspace(demo_copy)
    good = tmp_path / "kg-4800.yaml"
    good.write_text(province_copy(), encoding="utf-8")
    assert run(capsys, "--db", demo_copy, "rulesets", "add", str(good))[0] == 0
    with ws.engine.begin() as conn:  # as an older version stored it
        conn.exec_driver_sql("UPDATE stored_rulesets SET source = ?",
                             (OFFICIAL.replace("id: qd4800", "id: kg-4800", 1),))
        store.bump_version(conn)
    reg = api.rulesets(ws)
    assert "kg-4800" not in reg.rulesets
    assert [p.field for p in reg.errors["db:kg-4800"]] == ["title"]


# --- the strict reader, reusable for any checked YAML file -------------------------------

@pytest.mark.parametrize(("text", "field", "said"), [
    ("a: 1\nb: 2\na: 3\n", "a", "written on line 1 and again on line 3"),
    ("a: {x: 1, x: 2}\n", "x", "written on line 1 and again on line 1"),
    ("1: a\n01: b\n", "1", "again on line 2"),
    ("n: " + "7" * 5000 + "\n", "(line 1)", "this one has 5,000 digits"),
    ("n: -0x" + "f" * 20 + "\n", "(line 1)", "digits"),
])
def test_the_strict_reader_refuses_what_yaml_lets_through(text, field, said):
    with pytest.raises(rules.RuleSetError) as info:
        read_yaml(text, "f.yaml", rules.RuleSetError)
    assert [p.field for p in info.value.problems] == [field]
    assert said in (info.value.problems[0].suggestion or "")


def test_a_merged_template_overridden_is_not_a_duplicate():
    text = "t: &t {a: 1, b: 2}\nu: {<<: *t, a: 5}\n"
    assert read_yaml(text, "f.yaml") == {"t": {"a": 1, "b": 2}, "u": {"a": 5, "b": 2}}


def test_a_broken_file_is_found_by_the_id_written_in_it(tmp_path):
    """``assess --ruleset kg-x`` names the problems of the file that declares ``kg-x``
    whatever its name, even one with an integer too long to convert."""
    (tmp_path / "ban-sao.yaml").write_text(_param("window_days", "9" * 5000)(
        province_copy("kg-x")), encoding="utf-8")
    found = rules.load_rulesets(tmp_path).errors_of("kg-x")
    assert found is not None and "5,000 digits" in (found[1][0].suggestion or "")


@pytest.mark.parametrize(("bands", "said"), [
    ([40, 70, 90], None), ([40, 70, 120], "from 0 to 100 %"), ([70, 40, 90], "score bands rising"),
    ([math.nan, 70, 90], "from 0 to 100 %"), ([40, "70", 90], "from 0 to 100 %"),
])
def test_the_number_checks_serve_other_checked_files(bands, said):
    """The pieces a facility scoring scheme reuses (score bands 0-100 %): a declared
    range, strictly increasing edges, problems gathered in one error."""
    ck = rules_checker.Checker("scheme.yaml")
    percent = Range(0, 100, unit="%")
    values = [ck.number(v, None, f"bands[{i}]", percent) for i, v in enumerate(bands)]
    if rules_checker.MISSING not in values:
        ck.increasing(values, None, "bands", "score bands rising from 0 to 100 %")
    if said is None:
        assert ck.problems == []
    else:
        assert len(ck.problems) == 1 and said in ck.problems[0].expected


# --- every number of the shipped rule sets has a range ----------------------------------

def _numbers(obj, path=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _numbers(value, (*path, i))
    elif isinstance(obj, int | float) and not isinstance(obj, bool) and "version" not in path:
        yield path


SHIPPED_RAW = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in sorted(SHIPPED.glob("*.yaml"))}
NUMBERS = [(rid, path) for rid, raw in SHIPPED_RAW.items() for path in _numbers(raw)
           if path[0] != "templates"]  # merged into the tiers, reached there


def test_the_shipped_rule_sets_hold_numbers_to_check():
    assert len(NUMBERS) >= 40


@pytest.mark.parametrize("hostile", [math.nan, math.inf, -math.inf, -1, 1e12])
def test_any_number_of_a_shipped_rule_set_made_hostile_is_refused(hostile):
    """Each number (thresholds, bands, windows, lags, levels, raises, history...) replaced
    by NaN, ±infinity, a negative or an absurd value: refused, never an exception of
    another kind."""
    accepted = []
    for rid, path in NUMBERS:
        raw = copy.deepcopy(SHIPPED_RAW[rid])
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = hostile
        try:
            rules.parse_ruleset(raw, file=f"{rid}.yaml")
        except rules.RuleSetError:
            continue
        accepted.append((rid, path))
    assert accepted == []


# --- rights in words, paths for administrators only ----------------------------------------

@pytest.mark.parametrize("right", list(Right), ids=str)
def test_every_right_is_named_in_words_in_both_languages(right):
    for lang in LANGS:
        words = t(f"right.{right}", lang)
        assert words.strip() and words != f"right.{right}", (right, lang)


@pytest.mark.parametrize("right", [r for r in Right if r not in (Right.READ, Right.EXPORT)],
                         ids=str)
def test_a_refusal_names_the_right_in_words(right):
    observer = Actor("xem", Role.OBSERVER)
    for lang in LANGS:
        with pytest.raises(ZonesError) as info:
            require(observer, right)
        message = info.value.text(lang)
        assert t(f"right.{right}", lang) in message and "right." not in message


def _page_text(at: AppTest) -> str:
    parts = [e.label for e in at.expander]
    for kind in (at.markdown, at.caption, at.error, at.info):
        parts += [e.value for e in kind]
    return "\n".join(parts)


def test_the_criteria_page_shows_server_paths_to_administrators_only(demo_copy,
                                                                      monkeypatch):
    ws = api.open_workspace(demo_copy)
    if ws.rulesets_dir is None:
        pytest.skip("a server database has no rule-set folder")
    ws.rulesets_dir.mkdir(parents=True, exist_ok=True)
    bad_file(ws.rulesets_dir, BAD[0])
    monkeypatch.setenv("ZONES_DB", demo_copy)
    folder = str(ws.rulesets_dir.parent)
    seen = {}
    for who, state in (("anyone", {}), ("admin", {"_actor": api.LOCAL_ADMIN})):
        at = AppTest.from_file(str(ROOT / "app_pages" / "criteria.py"), default_timeout=90)
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception
        seen[who] = _page_text(at).replace("\\", "")  # markdown escapes aside
    assert "tệp trong thư mục bộ tiêu chí: kg-nan-bands.yaml" in seen["anyone"]
    assert folder not in seen["anyone"]
    assert f"{ws.rulesets_dir}/kg-nan-bands.yaml" in seen["admin"]


def test_the_criteria_page_refuses_a_bad_upload_with_its_problems(demo_copy, monkeypatch):
    monkeypatch.setenv("ZONES_DB", demo_copy)
    ws = api.open_workspace(demo_copy)
    before = stored_levels(ws.engine)
    at = AppTest.from_file(str(ROOT / "app_pages" / "criteria.py"), default_timeout=90)
    at.session_state["_actor"] = api.LOCAL_ADMIN
    at.run()
    for rid, edit, _ in (BAD[0], BAD[-3]):
        data = edit(province_copy(f"kg-{rid}")).encode()
        at.file_uploader(key="ruleset_file").set_value((f"kg-{rid}.yaml", data,
                                                        "application/x-yaml"))
        at.button[-1].click().run()
        assert not at.exception, at.exception
        said = " ".join(e.value for e in at.error).replace("\\", "")
        expected = {"nan-bands": "band_starts_per_100k.value[0]' = nan",
                    "unknown-keys": f"… và {UNKNOWN - 20} lỗi khác"}[rid]
        assert expected in said, said[-500:]
    assert api.ruleset_versions(ws).empty
    assert stored_levels(ws.engine).equals(before)
