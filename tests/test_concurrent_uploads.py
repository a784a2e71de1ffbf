"""Twenty officials sending at once (separate processes, one database: SQLite, PostgreSQL;
the processes are forked by one ``python -m tests.senders``, so the twenty cost one
interpreter start-up, not twenty): every
upload is stored or told it was already imported, none fails for a lock or a unique
conflict, exactly one current value per (unit, date), every value sent is in the history,
and the stored levels equal a fresh computation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.browser import ROOT
from zones import api
from zones.levels.assessment import compute, stored_levels
from zones.storage.schema import observations

pytestmark = [pytest.mark.slow, pytest.mark.both_stores]
SENDERS = 20
COMMUNES = ["30745", "30775", "30733", "30736"]


def test_twenty_senders_at_once(demo_copy, tmp_path):
    url = demo_copy
    files = []
    for k in range(SENDERS):  # overlapping (unit, date) pairs, distinct values
        rows = [f"{d:%d/%m/%Y},{c},{100 + k}" for d in pd.date_range("2021-09-01", periods=3)
                for c in COMMUNES[k % 2: k % 2 + 3]]
        f = tmp_path / f"xa-{k}.csv"
        f.write_text("Ngày,Mã xã,Số mẫu PCR\n" + "\n".join(rows) + "\n", encoding="utf-8")
        files.append(f)
    files.append(files[0])  # the same file sent twice at once
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands = [arg for f in files
                for arg in ["--", "--db", url, "observations", "import", str(f)]]
    done = subprocess.run([sys.executable, "-m", "tests.senders", str(tmp_path / "out.json"),
                           *commands], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert len(results) == len(files)
    for code, out, err in results:
        assert code == 0, f"exit {code}: {out[-300:]} {err[-300:]}"
        assert "Traceback" not in err and "locked" not in err and "UNIQUE" not in err
    assert sum("đã được nhập" in out or "đã nhập" in out for _c, out, _e in results) >= 1
    ws = api.open_workspace(url)
    with ws.engine.connect() as conn:
        every = pd.read_sql(sa.select(observations.c.unit_code, observations.c.date,
                                      observations.c.tests_pcr, observations.c.superseded_at)
                            .where(observations.c.date >= date(2021, 9, 1),
                                   observations.c.date <= date(2021, 9, 3),
                                   observations.c.unit_code.in_(COMMUNES)), conn)
    current = every[every["superseded_at"].isna()]
    assert not current.duplicated(["unit_code", "date"]).any()
    assert len(current) == 3 * len(COMMUNES)
    sent = {100 + k for k in range(SENDERS)}
    assert sent <= set(every["tests_pcr"].dropna().astype(int))  # every value in history
    wide = stored_levels(ws.engine)
    fresh = compute(ws).frame().reindex(index=wide.index, columns=wide.columns)
    assert np.array_equal(fresh.to_numpy(), wide.to_numpy())
