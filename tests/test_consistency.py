"""One level in force everywhere: for a unit on a day, the map, the panel, the overview,
"Chuyển cấp" and its CSV, the HTML export and the CLI (assess, transitions, map) show the
same level, level name and declaration — before 12/10/2021 (QĐ 2686) and after (QĐ 4800).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest

from tests.conftest import copy_of, export_spec
from tests.test_app import run_page
from zones import api
from zones.cli import main
from zones.safe import md_text

VINH_LAC, PHAO_DAI = "30745", "30775"
# (day, unit, declared level, decision, rule set in force)
CASES = [
    (date(2021, 9, 1), VINH_LAC, 2, "101/QĐ-UBND", "qd2686"),  # computed red: declared yellow
    (date(2021, 10, 20), PHAO_DAI, 4, "202/QĐ-UBND", "qd4800"),  # computed green: declared red
]


@pytest.fixture(scope="module")
def declared_db(tmp_path_factory, demo_url):
    """A copy of the demo with one declaration before and one after 12/10/2021."""
    path = tmp_path_factory.mktemp("consistency") / "decl.db"
    url = copy_of(demo_url, path)
    ws = api.open_workspace(url)
    for day, code, level, decision, _rs in CASES:
        api.declare(ws, unit_code=code, level=level, effective_from=day,
                    effective_to=day + pd.Timedelta(days=3), decision_number=decision,
                    actor=api.Actor("Ban Chỉ đạo", api.Role.LEADER),
                    now=datetime(2021, 8, 1))
    return url


def names_of(ws, ruleset_id: str) -> dict[int, str]:
    return api.rulesets(ws).get(ruleset_id).level_names("vi")


def cli(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.mark.parametrize(("day", "code", "declared", "decision", "rid"), CASES)
def test_every_view_shows_the_declared_level(capsys, tmp_path, monkeypatch, declared_db, day,
                                             code, declared, decision, rid):
    ws = api.open_workspace(declared_db)
    names = names_of(ws, rid)
    view = api.day_view(ws, day, "commune")
    pos = view.position(code)
    computed = int(view.computed[pos])
    assert computed != declared, "the test needs a declaration that differs"
    assert int(view.in_force[pos]) == declared and view.decision[pos] == decision
    assert view.ruleset_id == rid and view.level_names == names

    # CLI assess: the level in force, its name, then computed, declared and the decision
    status, out = cli(capsys, "--db", declared_db, "assess", "--date", day.isoformat())
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["unit_code"] == code)
    assert status == 0
    assert (row["level"], row["level_name"], row["ruleset"]) == (str(declared),
                                                                 names[declared], rid)
    assert (row["computed_level"], row["declared_level"], row["decision"]) == (
        str(computed), str(declared), decision)

    # CLI transitions and the "Chuyển cấp" frame (its CSV) agree: they end on the declared level
    week = day - pd.Timedelta(days=7)
    status, out = cli(capsys, "--db", declared_db, "transitions", "--from", week.isoformat(),
                      "--to", day.isoformat())
    moved = {r["unit_code"]: r for r in csv.DictReader(io.StringIO(out))}
    frame = api.transitions(ws, week, day, "commune").frame
    assert moved[code]["to_level"] == str(declared)
    page_csv = frame.to_csv(index=False)
    assert page_csv.replace("\r\n", "\n") == out.replace("\r\n", "\n")

    # CLI map and the dashboard's download: the same day view, declared level drawn, marked
    out_file = tmp_path / "map.html"
    assert main(["--db", declared_db, "map", "--date", day.isoformat(), "--out",
                 str(out_file)]) == 0
    html = out_file.read_text(encoding="utf-8")
    spec = export_spec(html)
    assert spec["selected"] is None  # an export outlines no unit
    levels, marks = spec["levels"], spec["marks"]
    assert levels[pos] == str(declared) and marks[pos] == str(computed + 1)
    assert {names[declared], names[computed]} <= set(spec["names"])
    assert html == api.map_html(ws, day, "commune")

    # the map page, the panel and the overview (Streamlit AppTest)
    capsys.readouterr()
    monkeypatch.setenv("ZONES_DB", declared_db)
    at = run_page("app_pages/map.py", day=day, selected=code, view="91", show="commune")
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert names[declared] in text and md_text(decision) in text  # as written, not Markdown
    assert f"Cấp tính toán: {names[computed]}" in " ".join(
        c.value for c in at.caption)  # the panel shows the computed level beside it
    at = run_page("app_pages/map.py", day=day, selected=code, view="91", show="commune",
                  side_tab="Tổng quan")
    summary = " ".join(h.body for h in at.get("html"))
    assert names[declared] in summary

    # the "Chuyển cấp" page lists the unit with its declared level as the new one
    at = run_page("app_pages/transitions.py", tr_start=week, tr_end=day)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    shown = table[table.iloc[:, 0] == code]
    assert shown.iloc[0, 3] == names[declared]


def test_a_whatif_ruleset_ignores_declarations(declared_db):
    ws = api.open_workspace(declared_db)
    day, code, _declared, _decision, _rid = CASES[1]
    view = api.day_view(ws, day, "commune", override="qd2686")
    pos = view.position(code)
    assert view.declared[pos] == 0 and view.in_force[pos] == view.computed[pos]
    assert view.ruleset_id == "qd2686"


@pytest.mark.parametrize("unit", ["91", "899", "30745"])
def test_local_results_equal_the_full_run_inside_the_unit(demo_url, unit):
    """A briefing computes reasons on a unit's neighbourhood only: inside the unit, the
    levels are those of the full run on every day (QĐ 2686 cascades included)."""
    from zones.levels import dayview

    ws = api.open_workspace(demo_url)
    local = dayview.local_result(ws, unit)
    full = api.computed_levels(ws)
    inside = api.view_units(api.units(ws), "commune", unit).index.union([unit])
    inside = inside.union(api.view_units(api.units(ws), "hamlet", unit).index)
    a = local.frame().loc[:, inside]
    b = pd.DataFrame(full.values, index=full.dates, columns=full.codes).loc[a.index, inside]
    assert (a.to_numpy() == b.to_numpy()).all()
