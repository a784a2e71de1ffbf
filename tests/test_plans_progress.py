"""A hand-computed hold-out of plan progress and the emulation table (issue 22).

Made-up units (district DA with six communes, one of them reporting through a hamlet)
and levels in force written out by hand, day by day; every expected status, value and
``since`` below was worked out on paper from the contract (architecture.md, milestone 3),
not by running the code.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zones.levels.tables import Table, reports_from
from zones.plans.emulation import emulation
from zones.plans.progress import breaches, green_streaks, progress

DAYS = pd.date_range("2021-09-01", periods=20, freq="D")  # i = 0 is 01/09
#              i: 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19
LEVELS = {
    "DA":    [3, 3, 3, 3, 3, 2, 2, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1],
    "10001": [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2],
    "10002": [2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    "10003": [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1],
    "10004": [0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    "10005": [2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    "10006": [2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
}
UNITS = pd.DataFrame({
    "name": ["Tỉnh P", "Huyện A", "Xã 1", "Xã 2", "Xã 3", "Xã 4", "Xã 5", "Xã 6", "Ấp 6a"],
    "level": ["province", "district"] + ["commune"] * 6 + ["hamlet"],
    "parent_code": [None, "P", "DA", "DA", "DA", "DA", "DA", "DA", "10006"]},
    index=pd.Index(["P", "DA", "10001", "10002", "10003", "10004", "10005", "10006", "H6"]))
TABLE = Table(DAYS, pd.Index(list(LEVELS)),
              np.array(list(LEVELS.values()), dtype="int8").T)


def d(day: int) -> date:
    return date(2021, 9, day)


def plan(pid, kind, level, start, by, share=None, hold=None, unit="DA"):
    return {"id": pid, "unit_code": unit, "kind": kind, "level": level, "share": share,
            "date_from": pd.Timestamp(start), "date_by": pd.Timestamp(by), "hold": hold,
            "decision": f"QĐ {pid}"}


PLANS = pd.DataFrame([
    plan(1, "reach", 2, d(5), d(12), hold=3),
    plan(2, "reach", 2, d(5), d(12), hold=5),
    plan(3, "share", 1, d(3), d(10), share=0.5),
    plan(4, "protect", 1, d(5), d(10)),
    plan(5, "protect", 2, d(5), d(10)),
    plan(6, "reach", 1, d(5), d(12)),  # hold: the default 7 days (plans.yaml)
])


def status(pid: int, day: date):
    got = progress(TABLE, UNITS, PLANS, day).set_index("plan_id").loc[pid]
    value = None if pd.isna(got["value"]) else float(got["value"])
    return got["status"], value, got["since"]


# (plan, day) -> (status, value, since): before D1, D1, inside, D2 − 1, D2, after D2
CASES = [
    (1, d(4), ("pending", 3, None)),
    (1, d(5), ("at_risk", 3, d(5))),          # D1, level 3 > 2
    (1, d(6), ("on_track", 2, d(6))),
    (1, d(8), ("at_risk", 3, d(8))),
    (1, d(11), ("on_track", 2, d(9))),        # D2 − 1: level 2 since 09/09
    (1, d(12), ("met", 2, d(12))),            # D2: 10, 11, 12/09 all at most 2
    (1, d(15), ("met", 1, d(12))),            # after D2: judged on D2
    (2, d(12), ("missed", 2, d(12))),         # hold 5: 08/09 was level 3
    (2, d(20), ("missed", 1, d(12))),
    (6, d(12), ("missed", 2, d(12))),         # at most 1: not before 14/09
    (3, d(2), ("pending", 0.0, None)),        # share of communes at 1 on 02/09
    (3, d(3), ("at_risk", 0.167, d(3))),      # D1: 1 of 6
    (3, d(5), ("on_track", 0.667, d(5))),     # 4 of 6
    (3, d(6), ("on_track", 0.833, d(5))),     # 5 of 6 (Xã 4 has a level again)
    (3, d(7), ("at_risk", 0.333, d(7))),
    (3, d(9), ("at_risk", 0.167, d(7))),      # D2 − 1
    (3, d(10), ("met", 0.667, d(10))),        # D2: 4 of 6 >= 0.5
    (3, d(13), ("met", 0.833, d(10))),        # after D2: 5 of 6 that day (Xã 1 rose), judged on D2
    (4, d(4), ("pending", 0, None)),
    (4, d(5), ("on_track", 0, d(5))),         # D1: Xã 1, 2, 5, 6 protected (Xã 4 has none)
    (4, d(6), ("on_track", 0, d(5))),
    (4, d(7), ("missed", 3, d(7))),           # Xã 2, 5, 6 rise to 2 on 07/09
    (4, d(9), ("missed", 3, d(7))),           # D2 − 1
    (4, d(10), ("missed", 3, d(7))),          # D2: missed since the first breach
    (4, d(16), ("missed", 3, d(7))),          # Xã 1 rises on 13/09, after D2: not counted
    (5, d(9), ("on_track", 0, d(5))),         # at most 2: nobody above
    (5, d(10), ("met", 0, d(10))),
    (5, d(20), ("met", 0, d(10))),
]


@pytest.mark.parametrize(("pid", "day", "expected"), CASES,
                         ids=[f"plan{p}-{day:%d%m}" for p, day, _ in CASES])
def test_progress_holdout(pid, day, expected):
    assert status(pid, day) == expected


def test_progress_columns_and_order():
    got = progress(TABLE, UNITS, PLANS, d(10))
    assert list(got.columns) == ["plan_id", "unit_code", "unit_name", "kind", "level",
                                 "share", "from", "by", "decision", "value", "target",
                                 "status", "since"]
    assert got["plan_id"].tolist() == [1, 2, 3, 4, 5, 6]
    assert got.set_index("plan_id")["target"].to_dict() == {1: 2, 2: 2, 3: 0.5, 4: 0, 5: 0,
                                                            6: 1}


def test_breaches_name_the_commune_the_day_and_the_rise():
    got = breaches(TABLE, UNITS, PLANS, d(20))
    assert got[["plan_id", "unit_code", "day", "level_before", "level"]].values.tolist() == [
        [4, "10002", d(7), 1, 2], [4, "10005", d(7), 1, 2], [4, "10006", d(7), 1, 2]]
    assert breaches(TABLE, UNITS, PLANS, d(6)).empty


def test_green_streaks():
    assert green_streaks(TABLE, ["DA", "10001", "10003", "10004", "X"], d(20)).tolist() == \
        [7, 0, 8, 10, 0]
    assert green_streaks(TABLE, ["10001"], d(12)).tolist() == [10]


def _reports() -> Table:
    rows = []
    for i, day in enumerate(DAYS):
        for code in ("10001", "10002", "10003", "10005", "H6"):
            if code in ("10002", "H6") and i in (6, 7):
                continue  # Xã 2 and Xã 6 (through its hamlet) silent on 07 and 08/09
            rows.append((day, code, 0))
        if LEVELS["10004"][i]:
            rows.append((day, "10004", 1))
    return reports_from(pd.DataFrame(rows, columns=["date", "unit_code",
                                                    "new_cases_community"]))


def test_emulation_holdout_with_ties():
    got = emulation(TABLE, _reports(), UNITS, "DA", d(5), d(12))
    assert got["unit_code"].tolist() == ["10001", "10005", "10002", "10006", "10004", "10003"]
    assert got["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    rows = got.set_index("unit_code")
    assert rows.loc["10001", ["green_days", "green_streak", "level_from", "level_to",
                              "improvement", "regressions", "reporting_rate"]].tolist() == \
        [8, 10, 1, 1, 0, 0, 1.0]
    assert rows.loc["10002", ["green_days", "green_streak", "regressions",
                              "reporting_rate"]].tolist() == [5, 3, 1, 0.75]
    assert rows.loc["10006", "reporting_rate"] == 0.75  # its hamlet's reports count
    assert rows.loc["10004", ["green_days", "green_streak", "regressions",
                              "reporting_rate"]].tolist() == [5, 2, 0, 0.625]
    assert pd.isna(rows.loc["10004", "level_from"]) and pd.isna(rows.loc["10004",
                                                                         "improvement"])
    assert rows.loc["10003", ["green_days", "level_from", "level_to", "improvement"]
                    ].tolist() == [0, 3, 2, 1]
    assert rows["streak_callout"].to_dict()["10001"] == 0


def test_emulation_calls_out_streaks_of_14_and_20_days():
    long = Table(pd.date_range("2021-08-01", periods=40, freq="D"), pd.Index(["10001", "10002"]),
                 np.array([[1] * 40, [2] * 24 + [1] * 16], dtype="int8").T)
    got = emulation(long, _reports(), UNITS.loc[["P", "DA", "10001", "10002"]], "DA",
                    date(2021, 9, 1), date(2021, 9, 9))
    assert got.set_index("unit_code")["streak_callout"].to_dict() == {"10001": 20,
                                                                     "10002": 14}
