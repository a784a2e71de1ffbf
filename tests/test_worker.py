"""The recomputation after uploads (``zones.levels.worker``): one at a time per database,
later debts merged into the running one, the page's call returning at once, the CLI's
waiting until the levels are current (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import date

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.test_ingest_fixtures import csv_bytes
from zones import api
from zones.levels import worker
from zones.levels.assessment import compute, stored_levels
from zones.storage import store

pytestmark = pytest.mark.both_stores


@pytest.fixture
def slow_refresh(monkeypatch):
    """A recomputation that records the day it started from and holds until released."""
    calls, inside, release = [], threading.Event(), threading.Event()

    def fake(ws, start=None, **kw):
        calls.append(start)
        paid = store.levels_owed(ws.engine)  # as the real one: what it read, no more
        inside.set()
        assert release.wait(60)
        with ws.engine.begin() as conn:
            store.settle_levels(conn, paid)
        return 0

    monkeypatch.setattr(worker, "refresh", fake)
    return calls, inside, release


def owe(ws, day):
    with ws.engine.begin() as conn:
        store.owe_levels(conn, day)


def first_running(ws, inside) -> threading.Thread:
    """A first upload's recomputation (as the page starts it), running."""
    owe(ws, date(2021, 10, 5))
    first = threading.Thread(target=worker.pay_owed, args=(ws, False))
    first.start()
    assert inside.wait(60)
    return first


def test_a_debt_written_while_one_runs_is_merged_into_it(demo_copy, slow_refresh):
    calls, inside, release = slow_refresh
    ws = api.open_workspace(demo_copy)
    first = first_running(ws, inside)
    assert worker.progress(ws).running_here
    owe(ws, date(2021, 9, 20))  # a second upload while the first recomputation runs
    assert worker.pay_owed(ws, wait=False) == 0  # left to the one running: at once
    assert first.is_alive()
    release.set()
    first.join(60)
    assert calls == [date(2021, 10, 5), date(2021, 9, 20)]  # paid by the first caller
    assert worker.progress(ws).owed is None and not worker.progress(ws).running_here


def test_the_cli_waits_until_the_levels_are_current(demo_copy, slow_refresh):
    calls, inside, release = slow_refresh
    ws = api.open_workspace(demo_copy)
    first = first_running(ws, inside)
    lines = []
    threading.Timer(0.5, release.set).start()
    worker.pay_owed(ws, wait=True, report=lines.append)
    assert store.levels_owed(ws.engine) is None  # when it returns, nothing is owed
    first.join(60)
    assert len(calls) == 1 and any("chờ" in line.text("vi") for line in lines)


def test_a_page_upload_returns_before_the_levels_and_they_follow(demo_copy):
    ws = api.open_workspace(demo_copy)
    text = "Ngày,Mã xã,Ca mắc mới cộng đồng\n" + "".join(
        f"{d:02d}/11/2021,30841,400\n" for d in range(1, 16))
    checked = api.check_upload(ws, csv_bytes(text), "so-lieu.csv")
    result = api.store_upload(ws, checked, api.LOCAL_ADMIN, background=True)
    assert result.recomputing and "đang được tính lại" in api.format_result(result, "vi")
    deadline = time.time() + 180
    while api.recompute_progress(ws).owed is not None and time.time() < deadline:
        time.sleep(0.2)
    assert api.recompute_progress(ws).owed is None
    wide = stored_levels(ws.engine)
    fresh = compute(ws).frame().reindex(index=wide.index, columns=wide.columns)
    assert np.array_equal(fresh.to_numpy(), wide.to_numpy())


def test_pages_say_levels_are_being_recomputed_and_follow(demo_copy, slow_refresh,
                                                          monkeypatch):
    calls, inside, release = slow_refresh
    ws = api.open_workspace(demo_copy)
    owe(ws, date(2021, 10, 5))  # an upload's recomputation not done yet
    monkeypatch.setenv("ZONES_DB", demo_copy)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert inside.wait(60), "the page started the recomputation in the background"
    assert any("đang được tính lại" in c.value for c in at.caption)
    assert at.title[0].value  # the page itself is drawn meanwhile, with the stored levels
    release.set()
    deadline = time.time() + 60
    while api.recompute_progress(ws).owed is not None and time.time() < deadline:
        time.sleep(0.1)
    at.run()
    assert not at.exception
    assert not any("đang được tính lại" in c.value for c in at.caption)
    assert calls == [date(2021, 10, 5)]
