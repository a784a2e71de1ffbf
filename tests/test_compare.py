"""What-if side by side, the core (``api.compare_levels``, ``api.open_draft``): the units
that differ between two rule sets on a day or two days under one rule set, the same levels
the map's rule-set switch shows, and a draft rule set checked like ``rulesets add`` and
never stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import copy_of
from zones import api
from zones.cli import main
from zones.compare import diff
from zones.errors import ZonesError
from zones.levels import dayview

DAY = date(2021, 10, 11)  # the last day of QĐ 2686 in the demo
AFTER = date(2021, 10, 20)
QD4800 = (Path(__file__).resolve().parent.parent / "rules" / "rulesets" / "qd4800.yaml"
          ).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ws(demo_url, tmp_path_factory):
    url = copy_of(demo_url, tmp_path_factory.mktemp("cmp") / "demo.db")
    ws = api.open_workspace(url)
    api.add_user(ws, api.LOCAL_ADMIN, "kg.tinh", "mat-khau-dai-2021", "province", "91")
    return ws


def province(ws) -> api.Actor:
    return api.actor_named(ws, "kg.tinh")


def draft_text(target: str = "0.80 -> 0.40", **changes: str) -> bytes:
    """A province's copy of QĐ 4800 with its own id and title, elderly target lowered."""
    text = QD4800.replace("id: qd4800", "id: qd4800-kg-dubao", 1).replace(
        "vi: Đánh giá cấp độ dịch COVID-19 theo QĐ 4800/QĐ-BYT (NQ 128/NQ-CP)",
        "vi: Dự thảo tiêu chí Kiên Giang", 1).replace(
        "en: COVID-19 level assessment under Decision 4800/QD-BYT (Resolution 128/NQ-CP)",
        "en: Kien Giang draft criteria", 1)
    old, new = target.split(" -> ")
    text = text.replace(f"value: {old}\n    configurable: true\n    note: Criterion 2, full",
                        f"value: {new}\n    configurable: true\n    note: Criterion 2, full", 1)
    for a, b in changes.items():
        text = text.replace(a, b, 1)
    return text.encode("utf-8")


def test_two_rule_sets_on_one_day_differ_exactly_where_their_what_ifs_do(ws):
    cmp = api.compare_levels(ws, api.Side(DAY, "qd2686"), api.Side(DAY, "qd4800"),
                             "commune", "91")
    stamp = pd.Timestamp(DAY)
    old = dayview.computed_levels(ws, "qd2686").row(stamp, cmp.codes)
    new = dayview.computed_levels(ws, "qd4800").row(stamp, cmp.codes)
    assert np.array_equal(cmp.a.levels, old) and np.array_equal(cmp.b.levels, new)
    assert np.array_equal(cmp.differ, old != new)
    assert 10 < cmp.differ.sum() < len(cmp.codes)
    table = cmp.table
    assert list(table.columns) == api.COMPARE_COLUMNS
    assert list(table["unit_code"]) == list(cmp.codes[cmp.differ])
    assert cmp.higher + cmp.lower == len(table)  # every commune has data that day
    assert set(table["ruleset_a"]) == {"qd2686"} and set(table["ruleset_b"]) == {"qd4800"}
    assert set(table["day_a"]) == set(table["day_b"]) == {"2021-10-11"}
    row = table.set_index("unit_code").loc["30733"]  # phường Vĩnh Thanh, Rạch Giá
    assert row["parents"] == "Thành phố Rạch Giá, Tỉnh Kiên Giang"
    assert row["level_name_a"] == cmp.a.level_names[int(row["level_a"])]
    assert row["reasons_a"] and row["reasons_b"].startswith("Tiêu chí 1")
    assert (table["level_a"] != table["level_b"]).all()


def test_a_side_assessed_on_its_day_has_the_levels_of_the_whole_run(ws):
    """Every 12th day of the demo and the days around the change of rule set, communes and
    districts: the one-day assessment on the view's neighbourhood gives the stored levels
    (rule set in force) and each what-if's."""
    stored = dayview.computed_levels(ws)
    runs = {rid: dayview.computed_levels(ws, rid) for rid in ("qd2686", "qd4800")}
    inputs = dayview.local_inputs(ws, "91")
    units = api.units(ws)
    for level in ("commune", "district"):
        codes = pd.Index(units.index[units["level"] == level])
        days = stored.dates[::12].union(pd.DatetimeIndex(["2021-10-11", "2021-10-12"]))
        for stamp in days:
            for rid, table in [(None, stored), *runs.items()]:
                side, _ = diff._side(ws, api.Side(stamp.date(), rid), codes, inputs, "vi")
                assert np.array_equal(side.levels, table.row(stamp, codes)), (level, stamp, rid)


def test_two_days_under_the_rule_set_in_force_are_the_stored_levels(ws):
    before = date(2021, 9, 1)
    cmp = api.compare_levels(ws, api.Side(before), api.Side(DAY), "commune", None, "en")
    stored = dayview.computed_levels(ws)
    a = stored.row(pd.Timestamp(before), cmp.codes)
    b = stored.row(pd.Timestamp(DAY), cmp.codes)
    assert np.array_equal(cmp.a.levels, a) and np.array_equal(cmp.b.levels, b)
    assert int(cmp.differ.sum()) == int((a != b).sum()) == len(cmp.table) > 0
    assert cmp.a.ruleset_id == cmp.b.ruleset_id == "qd2686"
    assert cmp.b.level_names[4] == "Very high risk"  # in the language asked
    # the same side twice: nothing differs
    same = api.compare_levels(ws, api.Side(DAY), api.Side(DAY, "qd2686"), "district")
    assert not same.differ.any() and same.table.empty
    assert list(same.table.columns) == api.COMPARE_COLUMNS


def test_a_day_outside_the_data_or_an_unknown_rule_set_is_a_message(ws):
    with pytest.raises(ZonesError, match="01/01/2020"):
        api.compare_levels(ws, api.Side(date(2020, 1, 1)), api.Side(DAY))
    with pytest.raises(ZonesError, match=r"qd9999.*qd2686"):
        api.compare_levels(ws, api.Side(DAY, "qd9999"), api.Side(DAY))


def test_a_draft_is_checked_like_rulesets_add_compared_and_never_stored(ws):
    version = api.data_version(ws)
    listed = len(api.list_rulesets(ws))
    draft = api.open_draft(ws, province(ws), draft_text(), "du-thao.yaml")
    assert draft.id == "qd4800-kg-dubao"
    cmp = api.compare_levels(ws, api.Side(AFTER, "qd4800"), api.Side(AFTER, None, draft),
                             "commune", "91")
    assert cmp.b.draft and "dự thảo" in cmp.b.title and cmp.b.ruleset_id == draft.id
    # a lower target for the elderly: the draft raises fewer communes, never more
    assert cmp.lower > 0 and cmp.higher == 0
    assert (cmp.table["level_b"] < cmp.table["level_a"]).all()
    assert cmp.table["reasons_a"].str.contains("tiêm").all()
    assert api.data_version(ws) == version  # nothing stored, nothing recomputed
    assert len(api.list_rulesets(ws)) == listed
    assert draft.id not in api.rulesets(ws).rulesets


@pytest.mark.parametrize("data, name, match", [
    (draft_text(**{"history_days: 63": "history_days: sáu mươi"}), "d.yaml", "history_days"),
    (draft_text(**{"id: qd4800-kg-dubao": "id: qd4800"}), "d.yaml", "qd4800"),
    (draft_text(**{"vi: Dự thảo tiêu chí Kiên Giang":
                   "vi: Đánh giá mức độ nguy cơ COVID-19 theo QĐ 2686/QĐ-BCĐQG"}),
     "d.yaml", "qd2686"),
    (b"\xff\xfe not utf-8", "d.yaml", "UTF-8"),
    (b"id: x\n" + b"#" * 2_000_000, "big.yaml", "big.yaml"),
])
def test_a_bad_draft_is_refused_with_its_problem(ws, data, name, match):
    with pytest.raises(ZonesError, match=match):
        api.open_draft(ws, province(ws), data, name)


def test_a_draft_needs_an_account(ws):
    with pytest.raises(api.AccessError):
        api.open_draft(ws, None, draft_text(), "du-thao.yaml")


# --- the page "So sánh" (Streamlit's AppTest) ------------------------------------------------

def run_compare(**state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages"
                               / "compare.py"), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_the_page_compares_two_rule_sets_and_lists_what_differs(ws, use_db):
    use_db(ws.url)
    at = run_compare(cmp_day_a=DAY)
    assert not at.exception, at.exception
    want = api.compare_levels(ws, api.Side(DAY, "qd2686"),
                              api.Side(DAY, "qd4800"), "commune", "91")
    texts = [m.value for m in at.markdown]
    assert any(t.startswith(f"{len(want.table)} đơn vị khác cấp độ") for t in texts), texts
    assert any(t.startswith("**A** ·") and "11/10/2021" in t for t in texts)
    assert at.selectbox(key="cmp_a").value == "qd2686"
    assert at.selectbox(key="cmp_b").value == "qd4800"
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == len(want.table)
    # two days under one rule set: the other mode
    at.segmented_control(key="cmp_mode").set_value("days").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cmp_rs").value == ""  # the rule set in force on each day


def test_switching_to_two_days_puts_day_a_a_week_before_day_b(ws, use_db):
    """The one-day mode's day carried over made both maps the same day (a notice that
    A and B are the same, and "the two maps agree" beside it): day A moves a week back."""
    from datetime import timedelta

    use_db(ws.url)
    at = run_compare()
    assert not at.exception, at.exception
    at.segmented_control(key="cmp_mode").set_value("days").run()
    assert not at.exception, at.exception
    day_a, day_b = at.session_state["cmp_day_a"], at.session_state["cmp_day_b"]
    assert day_b - day_a == timedelta(days=7), (day_a, day_b)
    assert not any("giống hệt nhau" in i.value for i in at.info)
    # the same day chosen on purpose: said once, not also "the two maps agree"
    at.session_state["cmp_day_a"] = day_b
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["cmp_day_a"] == day_b  # a choice, kept
    assert any("giống hệt nhau" in i.value for i in at.info)
    assert not any("Hai bản đồ giống nhau" in s.value for s in at.success)


def test_a_link_opens_the_what_if_beside_the_rule_set_in_force(ws, use_db):
    """A shared link: A the rule set in force, B a what-if, the same day."""
    from streamlit.testing.v1 import AppTest

    use_db(ws.url)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages"
                               / "compare.py"), default_timeout=90)
    at.query_params.update({"date": "2021-10-20", "a": "", "b": "qd2686"})
    at.session_state["cmp_mode"] = "days"  # a link in rule-set terms switches the mode
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cmp_a").value == "" and at.selectbox(key="cmp_b").value == "qd2686"
    assert any(t.startswith("**B** ·") and "2686" in t and "20/10/2021" in t
               for t in (m.value for m in at.markdown))


def test_a_unit_clicked_on_either_map_opens_it(ws, use_db):
    use_db(ws.url)
    at = run_compare(cmp_day_a=DAY, **{"compare-map": {"type": "click", "unit": "902",
                                                       "seq": 1}})
    assert not at.exception, at.exception
    want = api.compare_levels(ws, api.Side(DAY, "qd2686"), api.Side(DAY, "qd4800"),
                              "commune", "902")  # Huyện Kiên Lương's communes
    assert at.session_state["view"] == "902"
    texts = [m.value for m in at.markdown]
    assert any(t.startswith(f"{len(want.table)} đơn vị khác cấp độ") for t in texts), texts
    assert len(at.dataframe[0].value) == len(want.table)


def test_the_page_opens_a_draft_on_the_right_map_in_english(ws, use_db):
    use_db(ws.url)
    draft = api.open_draft(ws, province(ws), draft_text(), "du-thao.yaml")
    at = run_compare(lang="en", cmp_day_a=AFTER, _actor=province(ws),
                     cmp_draft={"file": "f1", "ruleset": draft}, cmp_b="__draft__",
                     cmp_a="qd4800")
    assert not at.exception, at.exception
    texts = [m.value for m in at.markdown]
    assert any("units differ between A and B: 0 higher in B" in t for t in texts), texts
    assert any(t.startswith("**B** ·") and "not stored" in t for t in texts), texts


def test_the_page_on_an_empty_database_says_what_to_do(empty_url, use_db):
    use_db(empty_url)
    at = run_compare()
    assert not at.exception
    assert any("python -m zones demo" in i.value for i in at.info)


# --- the optional command (beyond the milestone's contract) --------------------------------

def test_the_command_writes_the_units_that_differ(ws, tmp_path, capsys):
    out = tmp_path / "so-sanh.csv"
    code = main(["--db", ws.url, "compare", "--date", "11/10/2021", "--a", "qd2686",
                 "--b", "qd4800", "--unit", "91", "--out", str(out)])
    assert code == 0
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    want = api.compare_levels(ws, api.Side(DAY, "qd2686"), api.Side(DAY, "qd4800"),
                              "commune", "91")
    assert list(frame.columns) == api.COMPARE_COLUMNS
    assert list(frame["unit_code"]) == list(want.table["unit_code"])
    assert f"{len(want.table)} đơn vị khác cấp độ" in capsys.readouterr().err
    draft = tmp_path / "du-thao.yaml"
    draft.write_bytes(draft_text())
    code = main(["--db", ws.url, "--as", "kg.tinh", "--lang", "en", "compare", "--date",
                 "2021-10-20", "--a", "qd4800", "--draft", str(draft)])
    assert code == 0
    assert "0 higher in B" in capsys.readouterr().err


@pytest.mark.parametrize("args, match", [
    (["--unit", "99x"], "99x"), (["--a", "qd9999"], "qd9999"),
    (["--date-b", "01/01/2030"], "01/01/2030"), (["--draft", "khong-co.yaml"], "khong-co")])
def test_the_command_says_what_is_wrong(ws, capsys, args, match):
    assert main(["--db", ws.url, "compare", "--date", "11/10/2021", *args]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err


def test_an_observer_without_export_may_not_write_the_list(ws, capsys):
    api.add_user(ws, api.LOCAL_ADMIN, "bao.chi", "mat-khau-dai-2021", "observer", None, True)
    assert main(["--db", ws.url, "--as", "bao.chi", "compare", "--date", "11/10/2021"]) == 2
    assert "xuất dữ liệu" in capsys.readouterr().err
