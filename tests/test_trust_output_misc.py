"""Small output findings of issue 20 (item 7): the grid's own CSV download is not offered
to an observer without export and its cells are neutralised; every command that writes a
file (``--out``) obeys ``--no-export``; a map file for a day outside the data is a 404
with one log line; no password in any message; ``make run``'s address is explicit."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from ui.server import served
from zones import api
from zones.cli import main
from zones.errors import DatabaseError
from zones.storage.db import masked, open_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mật-khẩu-rất-bí-mật-2021"
SECRET = "HEMMELIG-2021"
FORMULA = '=HYPERLINK("http://example.invalid","bấm")'


def cli(url, *argv) -> int:
    return main(["--db", url, *argv])


# ------------------------------------------------------------------ the grid's own CSV

def _grid_page():
    import pandas as pd

    from ui import widgets

    widgets.table(pd.DataFrame({"Tên": ['=HYPERLINK("http://example.invalid","bấm")',
                                        "Phường Vĩnh Lạc", "+cmd|' /C calc'!A0"],
                                "Số ca": [1, 2, 3]}), hide_index=True)


def grid(url, actor) -> AppTest:
    at = AppTest.from_function(_grid_page, default_timeout=60)
    if actor is not None:
        at.session_state["_actor"] = actor
    return at.run()


def hides_download(at) -> bool:
    return any("Download as CSV" in getattr(e.proto, "body", "")
               for e in at.get("html"))


@pytest.fixture
def observers(demo_copy, use_db, monkeypatch):
    use_db(demo_copy)
    ws = api.open_workspace(demo_copy)
    api.add_user(ws, api.LOCAL_ADMIN, "quansat", PASSWORD, "observer")
    api.add_user(ws, api.LOCAL_ADMIN, "baochi", PASSWORD, "observer", no_export=True)
    return ws


def test_the_grid_shows_formulas_neutralised_and_hides_its_download_without_export(
        observers):
    ws = observers
    for name, hidden in [("quansat", False), ("baochi", True)]:
        at = grid(ws.url, api.actor_named(ws, name, "page"))
        assert not at.exception, at.exception
        shown = at.dataframe[0].value
        assert shown["Tên"].tolist() == ["'" + FORMULA, "Phường Vĩnh Lạc",
                                         "'+cmd|' /C calc'!A0"]
        assert shown["Số ca"].tolist() == [1, 2, 3]  # numbers stay numbers
        assert hides_download(at) is hidden, name


# ------------------------------------------------------------------ --out and --no-export

OUT_COMMANDS = [
    ["units", "sets"], ["units", "export"], ["units", "history"],
    ["observations", "export"], ["assess", "--date", "2021-09-05"],
    ["transitions", "--from", "2021-09-01", "--to", "2021-09-05"],
    ["map", "--date", "2021-09-05"], ["declarations", "list"], ["rulesets", "list"],
]


@pytest.mark.parametrize("argv", OUT_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_writing_a_file_obeys_no_export(observers, tmp_path, capsys, argv):
    ws = observers
    out = tmp_path / "ra.txt"
    assert cli(ws.url, "--as", "baochi", *argv, "--out", str(out)) == 2
    assert not out.exists()
    assert "xuất dữ liệu" in capsys.readouterr().err
    trail = api.audit_entries(ws, api.LOCAL_ADMIN, user="baochi")
    assert trail["outcome"].iloc[0] == "refused"
    assert cli(ws.url, "--as", "quansat", *argv, "--out", str(out)) == 0  # export allowed
    assert out.exists()


# ------------------------------------------------------------------ map files outside the data

def call(name: str):
    req = Request({"type": "http", "method": "GET", "path": f"/zones-map/{name}",
                   "headers": [(b"accept-encoding", b"gzip")], "query_string": b"",
                   "path_params": {"name": name}})
    return asyncio.run(served.map_file(req))


@pytest.mark.parametrize("day", ["1999-01-01", "2030-12-31", "2021-05-31", "2022-01-01"])
def test_a_map_file_for_a_day_outside_the_data_is_404_with_one_log_line(
        demo_copy, monkeypatch, caplog, day):
    monkeypatch.setenv("ZONES_DB", demo_copy)
    monkeypatch.setenv("ZONES_PUBLIC_READ", "1")
    served._workspace.cache_clear()
    ws = api.open_workspace(demo_copy)
    name = api.served_name(ws, "rates", level="commune", parent=None, override=None, day=day,
                           lang="vi")
    try:
        for _ in range(2):
            caplog.clear()
            with caplog.at_level(logging.DEBUG):
                got = call(name)
            assert got.status_code == 404 and "Traceback" not in got.body.decode()
            ours = [r for r in caplog.records if r.name.startswith(("zones", "ui"))]
            assert len(ours) == 1 and ours[0].levelno <= logging.INFO, ours
            assert ours[0].exc_info is None and "\n" not in ours[0].getMessage()
        inside = api.served_name(ws, "rates", level="commune", parent=None, override=None,
                                 day="2021-09-01", lang="vi")
        assert call(inside).status_code == 200
    finally:
        served._workspace.cache_clear()


# ------------------------------------------------------------------ passwords

@pytest.mark.parametrize("text, shown", [
    (f"postgresql+psycopg://admin:{SECRET}@db.tinh.vn/zones",
     "postgresql+psycopg://admin:***@db.tinh.vn/zones"),
    (f"postgres://admin:{SECRET}@h/z", "postgres://admin:***@h/z"),
    ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
    (f"admin:{SECRET}@localhost", "admin:***@localhost"),
    (f"host=h password={SECRET} user=u", "host=h password=*** user=u"),
    (f"host=h password='{SECRET} x' user=u", "host=h password=*** user=u"),
    ("sqlite:///data/zones.db", "sqlite:///data/zones.db"),
    ("sqlite:////srv/zones/data/zones.db", "sqlite:////srv/zones/data/zones.db"),
])
def test_masked_hides_every_password(text, shown):
    assert masked(text) == shown


BAD_URLS = [
    f"postgres://admin:{SECRET}@db.example/zones",  # no such dialect (SQLAlchemy 2)
    f"postgresql+nodriver://admin:{SECRET}@h/zones",
    f"postgresql+psycopg://admin:{SECRET}@127.0.0.1:notaport/zones",
    f"postgresql+psycopg://admin:{SECRET}@127.0.0.1:1/zones",  # nothing listens there
    f"admin:{SECRET}@localhost",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_mistyped_database_url_never_shows_its_password(url, capsys):
    open_db.cache_clear()
    with pytest.raises(DatabaseError) as err:
        api.open_workspace(url)
    for message in (str(err.value), api.failure_message(err.value, "vi"),
                    api.failure_message(err.value, "en")):
        assert SECRET not in message and message
    assert cli(url, "units", "sets") == 2
    assert SECRET not in capsys.readouterr().err
    page = api.failure_message(err.value, "vi", page=True)
    assert "quản trị viên" in page and "://" not in page and "localhost" not in page


def test_a_database_failure_in_use_never_shows_a_password():
    err = sa.exc.OperationalError("SELECT 1", {}, Exception(
        f'connection to "postgresql://zones:{SECRET}@10.0.0.5/zones" failed'))
    message = api.failure_message(err, "vi")
    assert SECRET not in message and "zones:***@10.0.0.5" in message


def test_a_page_shows_no_database_address(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONES_DB", f"sqlite:///{tmp_path}/no/such/folder/x.db")
    at = AppTest.from_file(str(ROOT / "app_pages" / "map.py"), default_timeout=60).run()
    shown = " ".join(e.value for e in at.error)
    assert "quản trị viên" in shown and str(tmp_path) not in shown


# ------------------------------------------------------------------ make run

def test_make_run_says_where_it_listens_and_defaults_to_this_machine():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--server.address $(ADDRESS)" in run and "Listening on $(ADDRESS):$(PORT)" in run
