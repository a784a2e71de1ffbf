"""``make test``'s scheduler (tests/schedule.py): a module's tests run on one worker, the
longest module (by the seconds of the last run) starts first, and each run records the
seconds of the modules it ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict

from tests.browser import ROOT

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import pytest
from tests import schedule

def pytest_configure(config):  # as tests/conftest.py does
    schedule.register(config)

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return schedule.make_scheduler(config, log)
"""

MODULE = """
import os, time
import pytest

@pytest.mark.parametrize("i", range({n}))
def test_it(i):
    time.sleep({sleep})
    with open(os.environ["RUN_LOG"], "a") as f:
        f.write(__name__ + " " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_a_module_runs_on_one_worker_and_the_longest_starts_first(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for name, n, sleep in [("test_many", 12, 0), ("test_some", 6, 0),
                           ("test_long", 1, 0.5)]:
        (tmp_path / f"{name}.py").write_text(MODULE.format(n=n, sleep=sleep))
    cache = tmp_path / ".pytest_cache" / "v" / "zones"
    cache.mkdir(parents=True)
    (cache / "module_seconds").write_text(json.dumps({"test_long.py": 100.0}))
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
         ], cwd=tmp_path, env={**env, "RUN_LOG": str(log)},
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.split() for line in log.read_text().splitlines()]
    workers = defaultdict(set)
    for module, worker in lines:
        workers[module].add(worker)
    assert all(len(w) == 1 for w in workers.values()), dict(workers)
    assert sum(1 for m, _ in lines if m == "test_many") == 12
    # the module timed longest started first, though it has the fewest tests
    firsts = {}
    for module, worker in lines:
        firsts.setdefault(worker, module)
    assert "test_long" in firsts.values(), lines
    seconds = json.loads((cache / "module_seconds").read_text())
    assert set(seconds) == {"test_many.py", "test_some.py", "test_long.py"}
    assert 0.4 < seconds["test_long.py"] < 100  # this run's seconds replaced the old ones
