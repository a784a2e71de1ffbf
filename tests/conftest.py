"""Shared fixtures: a demo database built once per test process, and an empty one."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import uuid

import pytest

from tests import schedule
from zones import api
from zones.storage.db import open_db


def once_per_run(tmp_path_factory, name: str, build) -> str:
    """``build(folder)`` (a string: a URL, a name) made once for the whole run: under
    xdist, the first worker to ask builds it in the run's shared folder while the other
    waits, then both use it (a demo build is seconds of CPU); without xdist, built here."""
    base = tmp_path_factory.getbasetemp()
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(base)
    shared = base.parent  # the run's folder, holding each worker's own (popen-gw0, ...)
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.done"
        if done.exists():
            return done.read_text(encoding="utf-8")
        value = build(shared)
        done.write_text(value, encoding="utf-8")
        return value


def _build_demo(folder) -> str:
    path = folder / "demo" / "demo.db"
    path.parent.mkdir(exist_ok=True)
    url = f"sqlite:///{path}"
    ws = api.open_workspace(url)
    api.demo(ws, api.LOCAL_ADMIN)
    engine = ws.engine
    with engine.connect() as conn:  # fold the WAL into the file so copies are complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """URL of a Kiên Giang demo database (built once per run, ~5 s), read only: a test
    that writes uses ``demo_copy``."""
    return once_per_run(tmp_path_factory, "demo", _build_demo)


def copy_of(url: str, path) -> str:
    """Copy the SQLite database at ``url`` to ``path``; the copy's URL."""
    shutil.copy(url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


# ------------------------------------------------------------------ both stores
# A module marked ``pytest.mark.both_stores`` runs its tests on SQLite and on PostgreSQL:
# its ``demo_copy``, ``empty_url`` and ``engine`` are then databases of the ``backend``.
# PostgreSQL is the cluster of ZONES_TEST_PG (an admin URL; ``.ci/pg start`` makes one):
# without it those tests are skipped, except in CI, where they fail.

PG_ADMIN = os.environ.get("ZONES_TEST_PG", "")
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
            "both_stores"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The store under test: "sqlite" unless the module runs on both."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql" and not PG_ADMIN:
        if os.environ.get("CI"):
            pytest.fail("ZONES_TEST_PG is not set: .ci/run starts PostgreSQL for these tests")
        pytest.skip("PostgreSQL tests need ZONES_TEST_PG (eval \"$(.ci/pg start)\")")
    return name


def _pg_admin(sql: str) -> None:
    import psycopg

    url = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def pg_database(template: str | None = None) -> str:
    """A new PostgreSQL database (a copy of ``template`` when given); its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg(url: str) -> None:
    """Drop the test database at ``url`` (FORCE: the cached engines' connections too)."""
    _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _build_pg_demo(_folder) -> str:
    url = pg_database()
    ws = api.open_workspace(url)
    api.demo(ws, api.LOCAL_ADMIN)
    ws.engine.dispose()  # a template must have no connections
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def pg_demo(tmp_path_factory):
    """Name of a PostgreSQL database holding the demo, a template for copies (built once
    per run: under xdist the controller drops it at the end); None without PostgreSQL."""
    if not PG_ADMIN:
        yield None
        return
    name = once_per_run(tmp_path_factory, "pg_demo", _build_pg_demo)
    yield name
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        drop_pg(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}")


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the PostgreSQL templates its workers shared
    (the demo, the migrated empty database)."""
    config = session.config
    if hasattr(config, "workerinput") or not PG_ADMIN:
        return
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None or factory._basetemp is None:
        return
    for name in ("pg_demo", "pg_empty"):
        done = factory._basetemp / f"{name}.done"
        if done.exists():
            with contextlib.suppress(Exception):
                drop_pg(f"{PG_ADMIN.rsplit('/', 1)[0]}/{done.read_text(encoding='utf-8')}")


@pytest.fixture
def demo_copy(demo_url, tmp_path, backend, request) -> str:
    """URL of a private copy of the demo database, for tests that write to it."""
    if backend == "sqlite":
        yield copy_of(demo_url, tmp_path / "copy.db")
        return
    url = pg_database(template=request.getfixturevalue("pg_demo"))
    yield url
    drop_pg(url)


@pytest.fixture
def blank_url(tmp_path, backend) -> str:
    """URL of a new database with nothing in it, not even the schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    url = pg_database()
    yield url
    drop_pg(url)


def _build_empty(folder) -> str:
    path = folder / "empty" / "empty.db"
    path.parent.mkdir(exist_ok=True)
    url = f"sqlite:///{path}"
    engine = open_db(url)
    with engine.connect() as conn:  # fold the WAL into the file so copies are complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return url


def _build_pg_empty(_folder) -> str:
    url = pg_database()
    open_db(url).dispose()  # a template must have no connections
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def pg_empty(tmp_path_factory):
    """Name of a migrated, empty PostgreSQL database, a template for copies (made once
    per run, dropped as ``pg_demo`` is)."""
    name = once_per_run(tmp_path_factory, "pg_empty", _build_pg_empty)
    yield name
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        drop_pg(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}")


@pytest.fixture
def empty_url(tmp_path, backend, tmp_path_factory, request) -> str:
    """URL of a fresh, migrated, empty database (a copy of one migrated once per run)."""
    if backend == "sqlite":
        yield copy_of(once_per_run(tmp_path_factory, "empty", _build_empty),
                      tmp_path / "empty.db")
        return
    url = pg_database(template=request.getfixturevalue("pg_empty"))
    yield url
    drop_pg(url)


@pytest.fixture
def use_db(monkeypatch):
    """Point the app (ZONES_DB) at a database URL for the duration of a test."""
    def _use(url: str) -> str:
        monkeypatch.setenv("ZONES_DB", url)
        return url
    return _use


def pytest_configure(config):
    os.environ.setdefault("ZONES_LANG", "vi")
    schedule.register(config)  # the controller records each module's seconds


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``-n 2 --dist loadgroup`` (``make test``): a module at a time, the longest first
    (``tests/schedule.py`` says why xdist's own grouping is not enough)."""
    return schedule.make_scheduler(config, log)


#: argon2 at its lowest cost; a hash carries its parameters, so a server started by a test
#: checks the passwords that tests stored just as cheaply
CHEAP_HASHER_ARGS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _use_hasher(hasher) -> None:
    from zones.people import accounts

    accounts._HASHER = hasher
    accounts._dummy_hash.cache_clear()  # the hash checked for an unknown name: remade


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Tests hash passwords at argon2's lowest cost (~0.2 s of CPU less per password);
    the product's own cost (argon2-cffi's default) is untouched and checked by
    tests/test_password_cost.py, and tests marked ``real_password_cost`` use it."""
    from argon2 import PasswordHasher

    from zones.people import accounts

    real = accounts._HASHER
    _use_hasher(PasswordHasher(**CHEAP_HASHER_ARGS))
    yield real
    _use_hasher(real)


@pytest.fixture(autouse=True)
def _real_password_cost(request, _cheap_password_hashes):
    """The product's argon2 cost for a test marked ``real_password_cost``."""
    if request.node.get_closest_marker("real_password_cost") is None:
        yield
        return
    from zones.people import accounts

    cheap = accounts._HASHER
    _use_hasher(_cheap_password_hashes)
    yield
    _use_hasher(cheap)


@pytest.fixture
def engine(tmp_path, backend):
    """A small database holding a unit tree and no observations (upload tests)."""
    from tests.test_ingest_fixtures import make_db

    if backend == "sqlite":
        yield make_db(tmp_path / "t.db")
        return
    url = pg_database()
    yield make_db(url)
    drop_pg(url)


@pytest.fixture
def recomputed(monkeypatch) -> list:
    """The ``start`` of every levels recomputation requested (none actually run)."""
    from tests.test_ingest_fixtures import patch_recompute

    return patch_recompute(monkeypatch)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (browser tests): a
    Chromium kept across modules would keep Playwright's driver thread alive in the tests
    that follow, and a process with threads reads uploads through zones.isolate's fork
    server instead of a plain fork."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_server(demo_url):
    """The dashboard on the (read-only) demo database with the default settings, started
    once per test process for the browser tests that only read it."""
    from tests.browser import streamlit_server

    with streamlit_server(demo_url) as base:
        yield base


@pytest.fixture(autouse=True)
def _no_browser_loop_outside_browser_tests(request):
    """Between its calls, Playwright's sync API leaves its event loop marked as this
    thread's running loop (its driver is served from a greenlet); with the Chromium shared
    by the whole process, a test that does not drive the browser gets the thread without
    it (``asyncio.run`` works there), and the mark is put back after the test."""
    if "browser" in request.fixturenames:
        yield
        return
    import asyncio

    loop = asyncio._get_running_loop()
    if loop is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


def export_spec(html: str) -> dict:
    """The spec an exported map page carries (what its script draws)."""
    match = re.search(r'<script type="application/json" id="zl-spec">(.*?)</script>', html,
                      re.S)
    assert match, "the export carries its spec once"
    return json.loads(match.group(1))
