"""An independent hold-out of ``plans add|list|revoke|progress`` and ``emulation``, written
from the contract alone (architecture.md §6, milestone 3), through the CLI.

Made-up units: province 97 (districts 971 with communes 97101-97103, 972 with 97201-97202)
and province 98 (district 981 with communes 98101-98107, built for ties at every key of
the emulation ranking, and district 982 whose commune 98201 reports every day so the data
cover the whole month). The level in force of every unit that matters is forced day by
day with declarations (RUNS below); every expected value was worked out by hand from
RUNS and the contract text, never by running the code.

Where the contract leaves a choice open, this test takes one (and says so):
- ``since`` of a ``pending`` plan is empty (a plan has no first day of waiting);
- ``protect``'s value counts the communes that broke the target on D1..min(D, D2): a
  commune above N after D2 breaks no target (the target covers D1..D2 only);
- the hold days of ``reach`` are the ``hold`` days ending on D2, even when some of them
  fall before D1 (the contract's words: "each of the hold days ending on D2");
- a revoked plan stays in ``plans list`` and leaves ``plans progress``;
- ``plans progress --unit`` covers the unit's subtree;
- ``green_streak`` runs back before D1 (only ``green_days`` is bounded by D1..D2);
- shares and rates are rounded half up (5/16 = 0.3125 is 0.313, as a person or a
  spreadsheet's ROUND writes it; Python's own rounding would write 0.312);
- a day without figures still has a level in force where a declaration covers it.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest

from zones.cli import main
from zones.storage import store
from zones.storage.db import open_db

pytestmark = pytest.mark.xdist_group("plans_contract")  # one worker builds the workspace

UNITS = pd.DataFrame(
    [("97", "Tỉnh Thử Nghiệm", "province", None),
     ("971", "Huyện Một", "district", "97"),
     ("97101", "Xã Một A", "commune", "971"),
     ("97102", "Xã Một B", "commune", "971"),
     ("97103", "Xã Một C", "commune", "971"),
     ("972", "Huyện Hai", "district", "97"),
     ("97201", "Xã Hai A", "commune", "972"),
     ("97202", "Xã Hai B", "commune", "972"),
     ("98", "Tỉnh Thi Đua", "province", None),
     ("981", "Huyện Thi Đua", "district", "98"),
     *[(f"9810{i}", f"Xã Đua {i}", "commune", "981") for i in range(1, 8)],
     ("982", "Huyện Canh", "district", "98"),
     ("98201", "Xã Canh", "commune", "982")],
    columns=["code", "name", "level", "parent_code"])

# The level in force, day of September 2021 -> level, as runs (first day, last day, level).
RUNS = {
    "97101": [(1, 9, 3), (10, 11, 2), (12, 13, 3), (14, 15, 2), (16, 16, 1), (17, 17, 3),
              (18, 20, 2), (21, 30, 4)],
    "97102": [(1, 9, 2), (10, 12, 1), (13, 13, 3), (14, 30, 1)],
    "97103": [(1, 9, 4), (10, 10, 3), (11, 11, 2), (12, 12, 1), (13, 13, 3), (14, 30, 1)],
    "97201": [(1, 19, 1), (20, 20, 2), (21, 21, 1), (22, 22, 3), (23, 30, 1)],
    "97202": [(1, 30, 2)],
    "971": [(1, 9, 3), (10, 12, 2), (13, 30, 1)],
    "972": [(1, 17, 1), (18, 18, 2), (19, 30, 1)],
    "98101": [(1, 9, 1), (10, 10, 2), (11, 30, 3)],
    "98102": [(1, 9, 1), (10, 10, 2), (11, 11, 1), (12, 16, 2), (17, 30, 1)],
    "98103": [(1, 9, 1), (10, 10, 2), (11, 11, 1), (12, 16, 2), (17, 30, 1)],
    "98104": [(1, 9, 1), (10, 10, 2), (11, 11, 1), (12, 16, 2), (17, 30, 1)],
    "98105": [(1, 9, 1), (10, 15, 2), (16, 30, 1)],
    "98106": [(1, 15, 3), (16, 30, 1)],
    "98107": [(1, 8, 1), (9, 9, 2), (10, 30, 1)],
}
# Days with a report (an observation row), by commune.
REPORTS = {"98201": range(1, 31), "98104": range(10, 21),
           "98102": (9, 10, 11, 12, 21), "98103": (9, 10, 11, 12, 21)}


def d(day: int) -> str:
    return f"2021-09-{day:02d}"


def vn(day: int) -> str:
    return f"{day:02d}/09/2021"


def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# plan id -> (unit, kind, level, share, from, by, hold); ids in the order they are added
PLANS = {
    1: ("97101", "reach", 2, None, 10, 20, 3),
    2: ("97101", "reach", 2, None, 10, 20, 4),
    3: ("97102", "reach", 2, None, 10, 20, None),   # the default hold: 7 days
    4: ("97102", "reach", 2, None, 10, 20, 8),
    5: ("97102", "reach", 2, None, 18, 20, None),   # hold days reach back before D1
    6: ("97102", "reach", 2, None, 18, 20, 8),
    7: ("971", "share", 1, 0.6, 10, 20, None),
    8: ("971", "share", 1, 0.7, 10, 20, None),
    9: ("972", "share", 1, 0.5, 10, 20, None),      # share exactly P counts
    10: ("97", "share", 2, 0.8, 10, 20, None),      # a province: all its communes
    11: ("971", "protect", 2, None, 10, 20, None),
    12: ("972", "protect", 1, None, 10, 20, None),  # the breach is on D2 itself
    13: ("972", "protect", 2, None, 10, 20, None),  # a level above N only after D2
    14: ("971", "reach", 1, None, 10, 20, None),    # a district's own level in force
    15: ("97101", "protect", 2, None, 10, 20, None),  # a commune protects itself
}


NOTE = '<b>Chốt</b> "ấp 3", =1+1'  # text, never markup or a formula


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    db = f"sqlite:///{folder / 'plans.db'}"
    engine = open_db(db)
    stamp = datetime(2021, 8, 1, 8, 0)
    with engine.begin() as conn:
        set_id = store.create_set(conn, name="hold-out", structure="2021")
        store.insert_units(conn, set_id, UNITS.assign(population=5_000))
        # the declarations are the set-up, not what is under test: stored directly, in
        # order (a later one wins where two cover a day), then recomputed by the upload;
        # test_runs_are_the_levels_in_force checks that they are the levels in force
        for code, runs in RUNS.items():
            for first, last, level in runs:
                store.insert_declaration(
                    conn, unit_code=code, level=level, effective_from=date(2021, 9, first),
                    effective_to=date(2021, 9, last), decision_number=f"{code}/QĐ-BCĐ",
                    entered_by="admin", entered_at=stamp, note=None, signed_by=None)
    engine.dispose()
    lines = ["date,unit_code,new_cases_community,new_cases_quarantine"]
    lines += [f"{d(day)},{code},0,0" for code, days in REPORTS.items() for day in days]
    (folder / "obs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--db", db, "observations", "import", str(folder / "obs.csv")]) == 0
    for pid, (unit, kind, level, share, start, by, hold) in PLANS.items():
        argv = ["plans", "add", "--unit", unit, "--kind", kind, "--level", str(level),
                # both date forms are accepted
                "--from", vn(start) if pid % 2 else d(start),
                "--by", d(by) if pid % 2 else vn(by),
                "--decision", f"KH {pid}/UBND"]
        if share is not None:
            argv += ["--share", str(share)]
        if hold is not None:
            argv += ["--hold", str(hold)]
        if pid == 1:
            argv += ["--note", NOTE]
        assert main(["--db", db, *argv]) == 0
    return db


def level_on(code: str, day: int) -> int:
    return next(level for first, last, level in RUNS[code] if first <= day <= last)


def test_runs_are_the_levels_in_force(url, capsys):
    """The set-up itself: what ``assess`` reports as the level in force is RUNS."""
    for day in (9, 13, 20, 25):
        got = {}
        for level in ("commune", "district"):
            code, out, _ = run(capsys, url, "assess", "--date", d(day), "--level", level)
            assert code == 0
            got.update({r["unit_code"]: r["level"] for r in rows(out)})
        for unit in RUNS:
            assert got[unit] == str(level_on(unit, day)), (unit, day)


# (status, value, since) of every plan on the days asked; since "" for pending
P, T, R, M, X = "pending", "on_track", "at_risk", "met", "missed"
EXPECTED = {
    # plan 1: reach 97101 <= 2, hold 3 (18..20)
    1: {9: (P, "3", ""), 10: (T, "2", 10), 11: (T, "2", 10), 12: (R, "3", 12),
        13: (R, "3", 12), 14: (T, "2", 14), 16: (T, "1", 14), 17: (R, "3", 17),
        18: (T, "2", 18), 19: (T, "2", 18), 20: (M, "2", 20), 25: (M, "4", 20)},
    # plan 2: the same with hold 4 (17..20): the 3 on 17 misses it
    2: {9: (P, "3", ""), 10: (T, "2", 10), 12: (R, "3", 12), 16: (T, "1", 14),
        17: (R, "3", 17), 19: (T, "2", 18), 20: (X, "2", 20), 25: (X, "4", 20)},
    # plan 3: reach 97102 <= 2, hold 7 (14..20): the 3 on 13 is just outside
    3: {9: (P, "2", ""), 10: (T, "1", 10), 12: (T, "1", 10), 13: (R, "3", 13),
        14: (T, "1", 14), 19: (T, "1", 14), 20: (M, "1", 20), 25: (M, "1", 20)},
    # plan 4: hold 8 (13..20) takes in the 3 on 13
    4: {13: (R, "3", 13), 19: (T, "1", 14), 20: (X, "1", 20), 25: (X, "1", 20)},
    # plans 5, 6: D1 = 18; hold 7 (14..20) met, hold 8 (13..20) missed
    5: {13: (P, "3", ""), 17: (P, "1", ""), 18: (T, "1", 18), 19: (T, "1", 18),
        20: (M, "1", 20), 25: (M, "1", 20)},
    6: {17: (P, "1", ""), 18: (T, "1", 18), 19: (T, "1", 18), 20: (X, "1", 20),
        25: (X, "1", 20)},
    # plan 7: share of 971's communes at level 1 >= 0.6
    7: {9: (P, "0.000", ""), 10: (R, "0.333", 10), 11: (R, "0.333", 10),
        12: (T, "0.667", 12), 13: (R, "0.000", 13), 14: (T, "0.667", 14),
        16: (T, "1.000", 14), 17: (T, "0.667", 14), 19: (T, "0.667", 14),
        20: (M, "0.667", 20), 25: (M, "0.667", 20)},
    # plan 8: the same at 0.7: on track only on 16
    8: {10: (R, "0.333", 10), 12: (R, "0.667", 10), 14: (R, "0.667", 10),
        16: (T, "1.000", 16), 17: (R, "0.667", 17), 19: (R, "0.667", 17),
        20: (X, "0.667", 20), 25: (X, "0.667", 20)},
    # plan 9: 972's communes at level 1 >= 0.5 (one of two is exactly 0.5)
    9: {9: (P, "0.500", ""), 10: (T, "0.500", 10), 19: (T, "0.500", 10),
        20: (X, "0.000", 20), 25: (X, "0.500", 20)},
    # plan 10: province 97's five communes at most 2 >= 0.8
    10: {9: (P, "0.600", ""), 10: (T, "0.800", 10), 11: (T, "1.000", 10),
         12: (T, "0.800", 10), 13: (R, "0.400", 13), 14: (T, "1.000", 14),
         17: (T, "0.800", 14), 19: (T, "1.000", 14), 20: (M, "1.000", 20),
         25: (M, "0.800", 20)},
    # plan 11: protect 971 <= 2: 97101 and 97102 (97103 is 3 on D1 and not protected)
    11: {9: (P, "0", ""), 10: (T, "0", 10), 11: (T, "0", 10), 12: (X, "1", 12),
         13: (X, "2", 12), 17: (X, "2", 12), 19: (X, "2", 12), 20: (X, "2", 12),
         25: (X, "2", 12)},
    # plan 12: protect 972 <= 1: only 97201, which breaks it on D2
    12: {9: (P, "0", ""), 10: (T, "0", 10), 19: (T, "0", 10), 20: (X, "1", 20),
         25: (X, "1", 20)},
    # plan 13: protect 972 <= 2: both; 97201 is 3 on 22, after D2
    13: {10: (T, "0", 10), 19: (T, "0", 10), 20: (M, "0", 20), 25: (M, "0", 20)},
    # plan 14: reach district 971 at level 1, hold 7 (14..20)
    14: {9: (P, "3", ""), 10: (R, "2", 10), 12: (R, "2", 10), 13: (T, "1", 13),
         19: (T, "1", 13), 20: (M, "1", 20), 25: (M, "1", 20)},
    # plan 15: protect 97101 <= 2 (2 on D1), above on 12
    15: {9: (P, "0", ""), 11: (T, "0", 10), 12: (X, "1", 12), 20: (X, "1", 12),
         25: (X, "1", 12)},
}
PROGRESS_COLUMNS = ["plan_id", "unit_code", "unit_name", "kind", "level", "share", "from",
                    "by", "decision", "value", "target", "status", "since"]


def progress(capsys, url, when: str, *extra) -> dict[int, dict]:
    code, out, err = run(capsys, url, "plans", "progress", "--date", when, *extra)
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(PROGRESS_COLUMNS)
    return {int(r["plan_id"]): r for r in rows(out)}


@pytest.mark.parametrize("day", sorted({day for cases in EXPECTED.values() for day in cases}))
def test_progress_status_value_since(url, capsys, day):
    got = progress(capsys, url, d(day) if day % 2 else vn(day))
    assert set(got) == set(PLANS)
    for pid, cases in EXPECTED.items():
        if day not in cases:
            continue
        status, value, since = cases[day]
        row = got[pid]
        expected_since = d(since) if since else ""
        assert (row["status"], row["value"], row["since"]) == (status, value,
                                                               expected_since), (pid, day)


def test_progress_plan_columns(url, capsys):
    got = progress(capsys, url, d(15))
    names = dict(zip(UNITS["code"], UNITS["name"], strict=True))
    for pid, (unit, kind, level, share, start, by, _hold) in PLANS.items():
        row = got[pid]
        assert row["unit_code"] == unit and row["unit_name"] == names[unit]
        assert (row["kind"], row["level"]) == (kind, str(level))
        assert (row["from"], row["by"]) == (d(start), d(by))
        assert row["decision"] == f"KH {pid}/UBND"
        if share is None:
            assert row["share"] == ""
        else:
            assert float(row["share"]) == share
        assert row["target"] != ""


def test_progress_of_one_unit_and_to_a_file(url, capsys, tmp_path):
    out = tmp_path / "progress.csv"
    code, _, _ = run(capsys, url, "plans", "progress", "--date", vn(12), "--unit", "97101",
                     "--out", str(out))
    assert code == 0
    got = rows(out.read_text(encoding="utf-8-sig"))
    assert sorted(int(r["plan_id"]) for r in got) == [1, 2, 15]
    assert [r["status"] for r in got] == ["at_risk", "at_risk", "missed"]
    # a district's or a province's plans are those of its subtree (a choice: the
    # contract says "[--unit CODE]" only)
    assert sorted(progress(capsys, url, d(12), "--unit", "971")) == [1, 2, 3, 4, 5, 6, 7,
                                                                     8, 11, 14, 15]
    assert sorted(progress(capsys, url, d(12), "--unit", "972")) == [9, 12, 13]
    assert progress(capsys, url, d(12), "--unit", "98") == {}


EMULATION_COLUMNS = ["rank", "unit_code", "unit_name", "green_days", "green_streak",
                     "level_from", "level_to", "improvement", "regressions",
                     "reporting_rate"]


def emulation(capsys, url, unit, start, end):
    code, out, err = run(capsys, url, "emulation", "--unit", unit, "--from", start,
                         "--to", end)
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(EMULATION_COLUMNS)
    return [[r[c] for c in EMULATION_COLUMNS[:2] + EMULATION_COLUMNS[3:]] for r in rows(out)]


def test_emulation_ties_at_every_key(url, capsys):
    """District 981 over 10..20/09: each neighbour pair ties on every key before one."""
    assert emulation(capsys, url, "981", vn(10), d(20)) == [
        # rank, code, green_days, streak, from, to, improvement, regressions, reporting
        ["1", "98107", "11", "11", "1", "1", "0", "0", "0.000"],   # most green days
        ["2", "98106", "5", "5", "3", "1", "2", "0", "0.000"],     # then improvement
        ["3", "98105", "5", "5", "2", "1", "1", "1", "0.000"],     # then fewer regressions
        ["4", "98104", "5", "4", "2", "1", "1", "2", "1.000"],     # then reporting rate
        ["5", "98102", "5", "4", "2", "1", "1", "2", "0.273"],     # then the code
        ["6", "98103", "5", "4", "2", "1", "1", "2", "0.273"],
        ["7", "98101", "0", "0", "2", "3", "-1", "2", "0.000"],
    ]


def test_emulation_of_a_district_and_of_a_province(url, capsys):
    assert emulation(capsys, url, "971", d(10), vn(20)) == [
        ["1", "97102", "10", "7", "1", "1", "0", "1", "0.000"],
        ["2", "97103", "8", "7", "3", "1", "2", "1", "0.000"],
        ["3", "97101", "1", "0", "2", "2", "0", "2", "0.000"],
    ]
    # a province ranks its districts, on their own levels in force
    assert emulation(capsys, url, "97", d(10), d(20)) == [
        ["1", "972", "10", "2", "1", "1", "0", "1", "0.000"],
        ["2", "971", "8", "8", "2", "1", "1", "0", "0.000"],
    ]
    # one day: D1 = D2, compared with the day before
    assert emulation(capsys, url, "971", d(13), d(13)) == [
        ["1", "97101", "0", "0", "3", "3", "0", "0", "0.000"],
        ["2", "97102", "0", "0", "3", "3", "0", "1", "0.000"],
        ["3", "97103", "0", "0", "3", "3", "0", "1", "0.000"],
    ]


def test_emulation_green_streak_reaches_back_before_d1(url, capsys):
    """``green_streak`` is the run of level 1 ending on D2, however far back it starts
    (``green_days`` alone is bounded by D1..D2)."""
    assert emulation(capsys, url, "981", d(25), vn(28)) == [
        ["1", "98102", "4", "12", "1", "1", "0", "0", "0.000"],
        ["2", "98103", "4", "12", "1", "1", "0", "0", "0.000"],
        ["3", "98104", "4", "12", "1", "1", "0", "0", "0.000"],
        ["4", "98105", "4", "13", "1", "1", "0", "0", "0.000"],
        ["5", "98106", "4", "13", "1", "1", "0", "0", "0.000"],
        ["6", "98107", "4", "19", "1", "1", "0", "0", "0.000"],
        ["7", "98101", "0", "0", "3", "3", "0", "0", "0.000"],
    ]


def test_emulation_reporting_rate_rounds_half_up(url, capsys, tmp_path):
    """06..21/09 is 16 days: 5/16 = 0.3125 is written 0.313, 11/16 = 0.6875 0.688."""
    assert emulation(capsys, url, "981", vn(6), vn(21)) == [
        ["1", "98107", "15", "12", "1", "1", "0", "1", "0.000"],
        ["2", "98105", "10", "6", "1", "1", "0", "1", "0.000"],
        ["3", "98104", "10", "5", "1", "1", "0", "2", "0.688"],
        ["4", "98102", "10", "5", "1", "1", "0", "2", "0.313"],
        ["5", "98103", "10", "5", "1", "1", "0", "2", "0.313"],
        ["6", "98106", "6", "6", "3", "1", "2", "0", "0.000"],
        ["7", "98101", "4", "0", "1", "3", "-2", "2", "0.000"],
    ]
    out = tmp_path / "emulation.csv"
    code, _, _ = run(capsys, url, "emulation", "--unit", "981", "--from", d(6), "--to", d(21),
                     "--out", str(out))
    assert code == 0
    assert [r["unit_code"] for r in rows(out.read_text(encoding="utf-8-sig"))][:3] == [
        "98107", "98105", "98104"]


def test_declared_levels_alone_are_the_levels_in_force(tmp_path, capsys):
    """Units and declarations but no figure at all: the level in force is the declared
    one wherever a declaration covers the day (a day none covers is refused, saying how
    to fix it)."""
    db = f"sqlite:///{tmp_path / 'bare.db'}"
    engine = open_db(db)
    with engine.begin() as conn:
        store.insert_units(conn, store.create_set(conn, name="bare", structure="2021"),
                           UNITS.assign(population=5_000))
    engine.dispose()
    for unit, level, span in (("97101", "2", ["--from", vn(1), "--to", vn(30)]),
                              ("97102", "1", ["--from", vn(5)])):  # open-ended
        assert run(capsys, db, "declarations", "add", "--unit", unit, "--level", level,
                   *span, "--decision", "1/QĐ")[0] == 0
    assert run(capsys, db, "plans", "add", "--unit", "97101", "--kind", "reach", "--level",
               "2", "--from", vn(10), "--by", vn(20), "--decision", "KH 1")[0] == 0
    for day, expected in (("2021-09-01", ("pending", "2", "")),
                          ("15/09/2021", ("on_track", "2", "2021-09-10")),
                          ("2021-10-05", ("met", "", "2021-09-20"))):  # 97101: no level
        row = progress(capsys, db, day)[1]
        assert (row["status"], row["value"], row["since"]) == expected, day
    for lang, fix in (("vi", "observations import"), ("en", "Import figures")):
        code, out, err = run(capsys, db, "--lang", lang, "plans", "progress", "--date",
                             "15/08/2021")
        assert code == 2 and fix in out + err and "15/08/2021" in out + err
    assert emulation(capsys, db, "971", vn(10), vn(20)) == [
        ["1", "97102", "11", "16", "1", "1", "0", "0", "0.000"],
        ["2", "97101", "0", "0", "2", "2", "0", "0", "0.000"],
        ["3", "97103", "0", "0", "", "", "", "0", "0.000"],  # no level: no improvement
    ]


def plan_ids(capsys, url) -> list[dict]:
    code, out, _ = run(capsys, url, "plans", "list")
    assert code == 0
    return rows(out)


VIETNAMESE = set("ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệịọỏốồổộớờởợụủứừửựỳỷ")
DATES = ["--from", "10/09/2021", "--by", "20/09/2021"]
REFUSED_ADDS = [  # (arguments of plans add, what the message must name)
    (["--unit", "99999", "--kind", "reach", "--level", "2", *DATES, "--decision", "KH"],
     "99999"),
    (["--unit", "97101", "--kind", "reach", "--level", "5", *DATES, "--decision", "KH"],
     "5"),
    (["--unit", "971", "--kind", "share", "--level", "1", "--share", "1.5", *DATES,
      "--decision", "KH"], "1.5"),
    (["--unit", "971", "--kind", "share", "--level", "1", *DATES, "--decision", "KH"],
     "--share"),
    (["--unit", "971", "--kind", "grow", "--level", "1", *DATES, "--decision", "KH"],
     "grow"),
    (["--unit", "97101", "--kind", "reach", "--level", "2", "--hold", "0", *DATES,
      "--decision", "KH"], "0"),
    (["--unit", "97101", "--kind", "reach", "--level", "2", "--from", "20/09/2021", "--by",
      "10/09/2021", "--decision", "KH"], "10/09/2021"),           # D2 < D1
    (["--unit", "97101", "--kind", "reach", "--level", "2", *DATES], "--decision"),
    (["--unit", "97101", "--kind", "reach", "--level", "2", "--from", "31/09/2021", "--by",
      "20/10/2021", "--decision", "KH"], "31/09/2021"),           # no such day
]


def test_plans_add_refuses_bad_input_in_the_users_language(url, capsys):
    """Exit 2, a message naming the value (Vietnamese by default, English with --lang en),
    no traceback, and nothing stored."""
    before = plan_ids(capsys, url)
    for argv, needle in REFUSED_ADDS:
        for lang in ("vi", "en"):
            code, out, err = run(capsys, url, "--lang", lang, "plans", "add", *argv)
            message = out + err
            assert code == 2, (argv, lang, message)
            assert needle in message, (argv, lang, message)
            assert bool(VIETNAMESE & set(message)) == (lang == "vi"), (argv, lang, message)
            assert "following arguments" not in message  # argparse's English, translated
    assert plan_ids(capsys, url) == before


def test_revoke_keeps_the_plan_listed_and_never_reuses_its_id(url, capsys):
    code, out, _ = run(capsys, url, "plans", "add", "--unit", "97102", "--kind", "reach",
                       "--level", "1", "--from", vn(10), "--by", vn(20), "--decision", "KH x")
    assert code == 0
    new_id = max(int(r["id"]) for r in plan_ids(capsys, url))
    assert new_id == len(PLANS) + 1
    assert new_id in progress(capsys, url, d(12))
    assert run(capsys, url, "plans", "revoke", str(new_id))[0] == 0
    listed = {int(r["id"]): r for r in plan_ids(capsys, url)}
    assert listed[1]["note"].lstrip("'") == NOTE
    assert new_id in listed and listed[new_id]["revoked_by"] and listed[new_id]["revoked_at"]
    assert all(not listed[pid]["revoked_at"] for pid in PLANS)
    assert new_id not in progress(capsys, url, d(12))
    # revoking it again, or a plan that never was, is refused with a message
    for lang in ("vi", "en"):
        for bad in (str(new_id), "999"):
            code, out, err = run(capsys, url, "--lang", lang, "plans", "revoke", bad)
            assert code == 2 and bad in out + err
    code, _, _ = run(capsys, url, "plans", "add", "--unit", "97102", "--kind", "reach",
                     "--level", "1", "--from", vn(10), "--by", vn(20), "--decision", "KH y")
    assert code == 0
    ids = [int(r["id"]) for r in plan_ids(capsys, url)]
    assert max(ids) == new_id + 1 and ids.count(new_id) == 1
    assert run(capsys, url, "plans", "revoke", str(new_id + 1))[0] == 0


@pytest.mark.parametrize("argv, needle", [
    (["--unit", "99999", "--from", "10/09/2021", "--to", "20/09/2021"], "99999"),
    (["--unit", "971", "--from", "20/09/2021", "--to", "10/09/2021"], "20/09/2021"),
    (["--unit", "971", "--from", "2021-13-01", "--to", "20/09/2021"], "2021-13-01"),
], ids=["unknown-unit", "to-before-from", "bad-date"])
def test_emulation_refuses_bad_input(url, capsys, argv, needle):
    code, out, err = run(capsys, url, "emulation", *argv)
    assert code == 2
    assert needle in out + err


def test_progress_refuses_a_bad_date(url, capsys):
    code, out, err = run(capsys, url, "plans", "progress", "--date", "32/09/2021")
    assert code == 2 and "32/09/2021" in out + err


def test_parallel_adds_and_revokes_never_share_an_id(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from zones import api

    db = f"sqlite:///{tmp_path / 'parallel.db'}"
    engine = open_db(db)
    with engine.begin() as conn:
        store.insert_units(conn, store.create_set(conn, name="p", structure="2021"),
                           UNITS.assign(population=5_000))
    engine.dispose()
    ws = api.open_workspace(db)

    def add(i: int) -> int:
        return api.add_plan(ws, actor=api.LOCAL_ADMIN, unit_code="97101", kind="reach",
                            level=2, share=None, date_from=date(2021, 9, 10),
                            date_by=date(2021, 9, 20), hold=None, decision=f"KH {i}",
                            note=None, measures=(), lang="vi")

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(add, range(12)))
        assert sorted(ids) == list(range(1, 13))
        list(pool.map(lambda i: api.revoke_plan(ws, i, api.LOCAL_ADMIN, "vi"), ids[::2]))
        ids += list(pool.map(add, range(12, 16)))
    assert sorted(ids) == list(range(1, 17))
    listed = api.list_plans(ws, None, "vi").set_index("id")
    assert sorted(listed.index) == list(range(1, 17))
    assert set(listed.index[listed["revoked_at"].notna()]) == set(ids[:12:2])
