"""Shared fixtures: a demo database built once per test process, and an empty one."""

from __future__ import annotations

import os
import shutil

import pytest

from zones import api
from zones.storage.db import open_db


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """URL of a Kiên Giang demo database (built once per worker, ~10 s)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    ws = api.open_workspace(url)
    api.demo(ws, api.LOCAL_ADMIN)
    engine = ws.engine
    with engine.connect() as conn:  # fold the WAL into the file so copies are complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


def copy_of(url: str, path) -> str:
    """Copy the SQLite database at ``url`` to ``path``; the copy's URL."""
    shutil.copy(url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_copy(demo_url, tmp_path) -> str:
    """URL of a private copy of the demo database, for tests that write to it."""
    return copy_of(demo_url, tmp_path / "copy.db")


@pytest.fixture
def empty_url(tmp_path) -> str:
    """URL of a fresh, migrated, empty database."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_db(url)
    return url


@pytest.fixture
def use_db(monkeypatch):
    """Point the app (ZONES_DB) at a database URL for the duration of a test."""
    def _use(url: str) -> str:
        monkeypatch.setenv("ZONES_DB", url)
        return url
    return _use


def pytest_configure(config):
    os.environ.setdefault("ZONES_LANG", "vi")


@pytest.fixture(autouse=True)
def _vietnamese_by_default():
    """Every test starts in the default language (a test may switch it)."""
    from zones.i18n import set_lang

    set_lang("vi")
    yield
    set_lang("vi")


@pytest.fixture
def engine(tmp_path):
    """A small database holding a unit tree and no observations (upload tests)."""
    from tests.test_ingest_fixtures import make_db

    return make_db(tmp_path / "t.db")


@pytest.fixture
def recomputed(monkeypatch) -> list:
    """The ``start`` of every levels recomputation requested (none actually run)."""
    from tests.test_ingest_fixtures import patch_recompute

    return patch_recompute(monkeypatch)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (browser tests)."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
