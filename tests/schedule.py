"""How ``make test`` shares the suite between its xdist workers: one test module at a time
on one worker, the longest modules first.

Why not xdist's own ``--dist loadgroup``: with pytest 9 the ``xdist_group`` mark no longer
reaches the scheduler (xdist renames ``item._nodeid``, which pytest 9 no longer reads), so
every test was its own unit: a module's tests were spread over both workers and each
worker built the module's fixtures (a Streamlit server, Chromium, the hostile corpus,
a database) again. Here a unit is a module (or an ``xdist_group``, should its name ever
reach the scheduler again), so a module's fixtures are built once; and the units start
longest first (their seconds in the last run, kept in pytest's cache, else in
``tests/module_seconds.json``, else a second a test), so no long module starts last
while the other worker sits idle.
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict, defaultdict
from pathlib import Path

from xdist.scheduler import LoadScopeScheduling

#: seconds of each module in a run of the whole suite, the fallback of a fresh clone
SEEDED = Path(__file__).with_name("module_seconds.json")
CACHE_KEY = "zones/module_seconds"
#: seconds assumed for a test of a module never timed, and at most for such a module (a
#: module of many small parametrised cases is not the longest)
PER_TEST_S, UNTIMED_MAX_S = 1.0, 60.0


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def known_seconds(config) -> dict[str, float]:
    """Seconds per module: the seeded file, overridden by the last runs (pytest's cache)."""
    seconds: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        seconds.update(json.loads(SEEDED.read_text(encoding="utf-8")))
    cache = getattr(config, "cache", None)
    if cache is not None:
        seconds.update(cache.get(CACHE_KEY, {}) or {})
    return seconds


class ModuleScheduling(LoadScopeScheduling):
    """``LoadScopeScheduling`` with a module (or an ``xdist_group``) as the unit and the
    units in decreasing order of their expected seconds."""

    def __init__(self, config, log=None) -> None:
        super().__init__(config, log)
        self._seconds = known_seconds(config)
        self._ordered = False

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist_group that reached us
            return nodeid.rsplit("@", 1)[-1]
        return module_of(nodeid)

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the queue is complete before the first unit is handed out
            units = sorted(self.workqueue.items(), key=lambda item: -self._expected(*item))
            self.workqueue = OrderedDict(units)
            self._ordered = True
        super()._assign_work_unit(node)

    def _expected(self, scope: str, work: dict) -> float:
        modules = {module_of(nodeid) for nodeid in work}
        known = [self._seconds[m] for m in modules if m in self._seconds]
        untimed = [nodeid for nodeid in work if module_of(nodeid) not in self._seconds]
        return sum(known) + min(PER_TEST_S * len(untimed), UNTIMED_MAX_S)


class ModuleSeconds:
    """Controller plugin: adds up each module's seconds and keeps them in pytest's cache
    (a run of only some modules updates only theirs)."""

    def __init__(self, config) -> None:
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report) -> None:
        self.seconds[module_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        cache = getattr(self.config, "cache", None)
        if cache is None or not self.seconds:
            return
        seconds = dict(cache.get(CACHE_KEY, {}) or {})
        seconds.update({m: round(s, 1) for m, s in self.seconds.items()})
        cache.set(CACHE_KEY, seconds)


def register(config) -> None:
    """In the controller (or a run without xdist): record the modules' seconds."""
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ModuleSeconds(config), "zones-module-seconds")


def make_scheduler(config, log):
    """Our scheduler for ``--dist loadgroup`` or ``loadfile``; xdist's for the others."""
    if config.getvalue("dist") not in ("loadgroup", "loadfile"):
        return None
    return ModuleScheduling(config, log)
