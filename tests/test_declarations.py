"""Declared levels: validation, the 48-hour notice warning, the overlay on computed levels."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from zones import api
from zones.errors import ZonesError
from zones.levels import declarations
from zones.levels.tables import Table
from zones.storage import store

pytestmark = pytest.mark.both_stores


@pytest.fixture
def ws(demo_copy):
    return api.open_workspace(demo_copy)


@pytest.fixture
def demo_engine(ws):
    return ws.engine


def test_every_problem_reported_at_once(ws, demo_engine):
    with pytest.raises(ZonesError) as err:
        api.declare(ws, actor=api.LOCAL_ADMIN, unit_code="99999", level=7,
                         effective_from=date(2021, 9, 10), effective_to=date(2021, 9, 1),
                         decision_number=" ")
    text = str(err.value)
    assert "99999" in text and "Cấp độ 7" in text and "01/09/2021" in text
    assert "số quyết định" in text
    assert store.load_declarations(demo_engine).empty


def test_raise_with_short_notice_warns(ws):
    # Phường Pháo Đài is green on 01/09/2021 in the demo; declared red the next morning
    done = api.declare(ws, actor=api.LOCAL_ADMIN, unit_code="30775", level=4,
                            effective_from=date(2021, 9, 2), decision_number="2875/QĐ-UBND",
                            now=datetime(2021, 9, 1, 14, 0))
    assert done.warnings and "48 giờ" in done.warnings[0]


def test_raise_with_enough_notice_does_not_warn(ws):
    done = api.declare(ws, actor=api.LOCAL_ADMIN, unit_code="30775", level=4,
                            effective_from=date(2021, 9, 5), decision_number="1/QĐ-UBND",
                            now=datetime(2021, 9, 1, 8, 0))
    assert done.warnings == []


def test_declared_level_overrides_computed_on_covered_dates(ws, demo_engine):
    api.declare(ws, actor=api.LOCAL_ADMIN, unit_code="30775", level=3, effective_from=date(2021, 9, 3),
                effective_to=date(2021, 9, 5), decision_number="2/QĐ-UBND",
                     now=datetime(2021, 8, 1))
    computed = api.computed_levels(ws)
    eff = declarations.effective(computed, store.load_declarations(demo_engine))
    assert eff.row("2021-09-04", ["30775"])[0] == 3
    assert eff.row("2021-09-06", ["30775"])[0] == computed.row("2021-09-06", ["30775"])[0]
    assert eff.row("2021-09-02", ["30775"])[0] == computed.row("2021-09-02", ["30775"])[0]


def test_effective_latest_entered_wins():
    dates = pd.date_range("2021-10-01", periods=5)
    table = Table(dates, pd.Index(["a", "b"]), np.ones((5, 2), dtype="int8"))
    decl = pd.DataFrame({
        "unit_code": ["a", "a"], "level": [3, 2],
        "effective_from": pd.to_datetime(["2021-10-01", "2021-10-02"]),
        "effective_to": pd.to_datetime([None, "2021-10-03"]),
        "entered_at": pd.to_datetime(["2021-09-01", "2021-09-02"])})
    eff = declarations.effective(table, decl)
    assert eff.values[:, 0].tolist() == [3, 2, 2, 3, 3]
    assert eff.values[:, 1].tolist() == [1] * 5
