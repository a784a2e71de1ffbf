"""Writes that destroy (issue 20, item 6): a demo rebuild writes its audit entry first and
replaces the data in one transaction (a real SIGKILL leaves the old database or the new
one), and refuses to wipe data people put in without ``--yes``; attribute tables import
under the default memory bound of the reading child; the audit refuses REPLACE and an
insert with an existing id."""

from __future__ import annotations

import io
import mmap
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from zones import api, isolate
from zones.cli import main
from zones.errors import ZonesError
from zones.people.audit import record
from zones.settings import Settings
from zones.storage.db import open_db
from zones.storage.schema import audit, declarations, observations, units, uploads

pytestmark = pytest.mark.both_stores

ROOT = Path(__file__).resolve().parent.parent
VINH_LAC, VINH_THANH = "30745", "30733"
PASSWORD = "mật-khẩu-rất-bí-mật-2021"


def cli(url, *argv) -> int:
    return main(["--db", url, *argv])


def send_figures(url, tmp_path) -> None:
    """One upload by a person: one row of figures for Vĩnh Lạc."""
    path = tmp_path / "so-lieu.csv"
    path.write_text("Ngày,Mã xã,Số mẫu PCR\n02/09/2021,30745,77\n", encoding="utf-8")
    assert cli(url, "observations", "import", str(path)) in (0, 1)


def counts(url) -> dict[str, int]:
    engine = open_db(url)
    with engine.connect() as conn:
        def n(table, *where):
            return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)
                                ).scalar()
        return {"units": n(units), "observations": n(observations),
                "people's uploads": n(uploads, uploads.c.kind != "demo"),
                "declarations": n(declarations)}


def demo_entries(url) -> list[str]:
    """Outcomes of the audit's demo entries, oldest first."""
    trail = api.audit_entries(api.open_workspace(url), api.LOCAL_ADMIN, action="demo")
    return trail["outcome"].tolist()[::-1]


# ------------------------------------------------------------------ demo --reset

def test_reset_over_people_s_data_is_refused_with_what_would_be_lost(demo_copy, tmp_path,
                                                                     monkeypatch):
    send_figures(demo_copy, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(demo_copy, "users", "add", "quansat", "--role", "observer",
               "--password-stdin") == 0
    before = counts(demo_copy)
    ws = api.open_workspace(demo_copy)
    with pytest.raises(ZonesError, match=r"1 tệp gửi lên; 1 dòng số liệu gửi lên; "
                                         r"1 tài khoản.*--reset --yes"):
        api.demo(ws, api.LOCAL_ADMIN, reset=True)
    with pytest.raises(ZonesError) as refused:
        api.demo(ws, api.LOCAL_ADMIN, reset=True, lang="en")
    assert re.search(r"1 uploaded files.*--reset --yes", refused.value.text("en"), re.S)
    assert counts(demo_copy) == before
    assert demo_entries(demo_copy)[-2:] == ["refused", "refused"]


def test_reset_with_yes_replaces_people_s_data_and_keeps_accounts(demo_copy, tmp_path):
    send_figures(demo_copy, tmp_path)
    assert cli(demo_copy, "demo", "--reset", "--yes") == 0
    after = counts(demo_copy)
    assert after["people's uploads"] == 0 and after["units"] == 175
    assert demo_entries(demo_copy)[-2:] == ["started", "ok"]
    started = api.audit_entries(api.open_workspace(demo_copy), api.LOCAL_ADMIN,
                                action="demo")["detail"].iloc[1]
    assert '"uploads": 1' in started and '"figures": 1' in started


def test_a_plain_demo_over_data_is_refused_and_changes_nothing(demo_copy):
    before = counts(demo_copy)
    with pytest.raises(ZonesError, match="--reset"):
        api.demo(api.open_workspace(demo_copy), api.LOCAL_ADMIN)
    assert counts(demo_copy) == before


def _kill_once_started(url: str, argv: list[str], after_s: float) -> bool:
    """Run ``python -m zones --db URL ARGV``; SIGKILL it ``after_s`` seconds after its
    "started" audit entry is committed. Whether it was still running when killed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started_before = demo_entries(url).count("started")
    proc = subprocess.Popen([sys.executable, "-m", "zones", "--db", url, *argv], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while demo_entries(url).count("started") == started_before:
            assert proc.poll() is None, "the command ended before its audit entry"
            assert time.monotonic() < deadline, "no audit entry within 2 minutes"
            time.sleep(0.02)
        time.sleep(after_s)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    return running


@pytest.mark.parametrize("after_s", [0.0, 1.0])
def test_a_killed_reset_leaves_the_old_database_or_the_new_one(demo_copy, tmp_path,
                                                               after_s):
    send_figures(demo_copy, tmp_path)
    before = counts(demo_copy)
    running = _kill_once_started(demo_copy, ["demo", "--reset", "--yes"], after_s)
    open_db.cache_clear()  # a fresh engine: what a restarted server would see
    after = counts(demo_copy)
    if after != before:  # committed (killed after, or done before the kill): all new
        assert after["people's uploads"] == 0 and after["units"] == 175
        assert after["observations"] == before["observations"] - 1
    else:
        assert after == before  # nothing of the old data lost, nothing of the new kept
    assert demo_entries(demo_copy)[-1] in ("started", "ok")
    assert "started" in demo_entries(demo_copy)
    if after_s == 0.0:
        assert running and after == before  # the build takes seconds after its entry


def test_a_killed_first_demo_leaves_an_empty_database_and_its_entry(empty_url):
    assert _kill_once_started(empty_url, ["demo"], 0.0)
    open_db.cache_clear()
    assert counts(empty_url) == {"units": 0, "observations": 0, "people's uploads": 0,
                                 "declarations": 0}
    assert demo_entries(empty_url) == ["started"]


# ------------------------------------------------------------------ attribute tables

def test_a_one_row_rename_table_imports_under_the_default_bound(demo_copy, tmp_path,
                                                                monkeypatch):
    monkeypatch.delenv("ZONES_READ_MAX_MB", raising=False)
    monkeypatch.delenv("ZONES_ISOLATE", raising=False)
    table = tmp_path / "ten-moi.csv"
    table.write_text("Mã xã,Tên xã\n30733,Phường Vĩnh Thanh Mới\n", encoding="utf-8")
    assert cli(demo_copy, "units", "import", str(table)) == 0
    engine = open_db(demo_copy)
    with engine.connect() as conn:
        names = dict(conn.execute(sa.select(units.c.code, units.c.name).where(
            units.c.code.in_([VINH_THANH, VINH_LAC]))).all())
    assert names == {VINH_THANH: "Phường Vĩnh Thanh Mới", VINH_LAC: "Phường Vĩnh Lạc"}


def _reserve_untouched() -> int:
    """What Arrow's mimalloc does in a child: reserve a large private writable range,
    touch almost none of it."""
    reserved = mmap.mmap(-1, 1536 * 2**20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    reserved[:4] = b"used"
    return len(reserved)


def _touch_2gb() -> int:
    return len(bytearray(2 * 2**30))  # under the data cap, over the resident bound


@pytest.mark.parametrize("server", [False, True], ids=["fork", "forkserver"])
def test_the_bound_counts_memory_used_not_reserved(backend, monkeypatch, server):
    """Forked from this process (the CLI) or from the fork server (the web server, which
    runs threads): a reservation passes, memory used beyond the bound is stopped."""
    if backend != "sqlite":
        pytest.skip("no database involved")
    bound = Settings(read_max_mb=1024)
    stop = threading.Event()
    if server:
        threading.Thread(target=stop.wait, daemon=True).start()
    try:
        assert isolate._context().get_start_method() == ("forkserver" if server else "fork")
        assert isolate.bounded(bound, _reserve_untouched) == 1536 * 2**20
        with pytest.raises(ZonesError, match=r"1024 MB.*ZONES_READ_MAX_MB"):
            isolate.bounded(bound, _touch_2gb)
    finally:
        stop.set()


# ------------------------------------------------------------------ the audit guard

def _try(engine, sql: str) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(sql))


def test_the_audit_refuses_replace_and_a_reused_id(empty_url):
    engine = open_db(empty_url)
    record(engine, None, "sign_in", outcome="refused", name="first")
    with engine.connect() as conn:
        first = conn.execute(sa.select(audit.c.id, audit.c.actor)).one()
    row = (f"({first.id}, CURRENT_TIMESTAMP, 'someone else', '', 'page', 'sign_in', "
           "'ok', NULL, NULL, NULL)")
    columns = "(id, at, actor, role, via, action, outcome, unit_code, upload_id, detail)"
    _try(engine, f"INSERT INTO audit {columns} VALUES {row}")
    _try(engine, f"INSERT INTO audit {columns} VALUES {row} "
                 "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor")
    if engine.dialect.name == "sqlite":
        _try(engine, f"INSERT OR REPLACE INTO audit {columns} VALUES {row}")
        _try(engine, f"REPLACE INTO audit {columns} VALUES {row}")
    record(engine, None, "sign_in", outcome="refused", name="second")  # appending works
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit.c.id, audit.c.actor).order_by(audit.c.id)).all()
    assert [r.actor for r in rows] == ["first", "second"] and rows[0].id == first.id


def test_accounts_alone_are_kept_and_need_no_yes(demo_copy, monkeypatch):
    """A reset keeps accounts: a database whose only people's data is its accounts is
    reset without --yes (and the accounts are still there)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(demo_copy, "users", "add", "quansat", "--role", "observer",
               "--password-stdin") == 0
    assert cli(demo_copy, "demo", "--reset") == 0
    ws = api.open_workspace(demo_copy)
    assert "quansat" in api.list_users(ws, api.LOCAL_ADMIN)["name"].tolist()
    assert demo_entries(demo_copy)[-2:] == ["started", "ok"]
