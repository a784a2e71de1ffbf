"""``kill -9`` at any moment of an upload never leaves stale levels: the data and the debt
of recomputing are committed together, and the next command pays it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from tests.browser import ROOT
from zones import api
from zones.levels.assessment import compute, stored_levels
from zones.storage import store

pytestmark = pytest.mark.slow


def stored_equal_fresh(url: str) -> bool:
    ws = api.open_workspace(url)  # pays any debt first, as every command does
    assert store.levels_owed(ws.engine) is None
    wide = stored_levels(ws.engine)
    fresh = compute(ws)
    frame = fresh.frame().reindex(index=wide.index, columns=wide.columns)
    return bool(np.array_equal(frame.to_numpy(), wide.to_numpy()))


def test_kill_minus_nine_at_random_moments(demo_url, tmp_path):
    rng = random.Random(20211201)
    for attempt in range(4):
        path = tmp_path / f"k{attempt}.db"
        shutil.copy(demo_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
        upload = tmp_path / f"up{attempt}.csv"
        day = pd.Timestamp("2021-08-20") + pd.Timedelta(days=attempt)
        upload.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng,Chùm ca bệnh chưa rõ nguồn lây\n"
                          f"{day:%d/%m/%Y},30775,9,2\n", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "zones", "--db", url, "observations",
                                 "import", str(upload)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env={**os.environ,
                                                                "PYTHONPATH": str(ROOT)})
        time.sleep(rng.uniform(1.0, 4.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert stored_equal_fresh(url), f"attempt {attempt}: stale levels after the kill"


def test_a_debt_left_by_a_crash_is_paid_by_the_next_command(demo_copy, capsys):
    from zones.cli import main

    ws = api.open_workspace(demo_copy)
    with ws.engine.begin() as conn:  # as if a process died right after its data commit
        conn.exec_driver_sql("UPDATE assessments SET level = 1 WHERE date >= '2021-08-25'")
        store.owe_levels(conn, pd.Timestamp("2021-08-25").date())
    assert main(["--db", demo_copy, "assess", "--date", "2021-09-01"]) == 0
    capsys.readouterr()
    assert stored_equal_fresh(demo_copy)
