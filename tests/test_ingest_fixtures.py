"""Shared fixtures of the observations-upload tests: a tiny unit tree in a temp SQLite.

Tree (codes as the GSO writes them, names real but the second "Phúc Xá" invented so that
a name is ambiguous):

    01 Hà Nội
      001 Ba Đình: 00001 Phúc Xá, 00004 Trúc Bạch, 00007 Vĩnh Phúc
      002 Hoàn Kiếm: 00037 Phúc Xá
    79 Hồ Chí Minh
      760 Quận 1: 26734 Tân Định, 26737 Phường Hoà Bình
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import sqlalchemy as sa

from zones import api
from zones.storage import store
from zones.storage.db import open_db
from zones.storage.schema import observations, uploads
from zones.workspace import Workspace

TODAY = date(2021, 10, 1)

UNITS = pd.DataFrame(
    [("01", "Thành phố Hà Nội", "province", None),
     ("001", "Quận Ba Đình", "district", "01"),
     ("00001", "Phường Phúc Xá", "commune", "001"),
     ("00004", "Phường Trúc Bạch", "commune", "001"),
     ("00007", "Phường Vĩnh Phúc", "commune", "001"),
     ("002", "Quận Hoàn Kiếm", "district", "01"),
     ("00037", "Phường Phúc Xá", "commune", "002"),
     ("79", "Thành phố Hồ Chí Minh", "province", None),
     ("760", "Quận 1", "district", "79"),
     ("26734", "Phường Tân Định", "commune", "760"),
     ("26737", "Phường Hoà Bình", "commune", "760")],
    columns=["code", "name", "level", "parent_code"])


def make_db(path, with_units: bool = True):
    """An opened, migrated database holding UNITS: a SQLite file at ``path``, or the
    database of ``path`` when it is a URL (PostgreSQL)."""
    engine = open_db(path if "://" in str(path) else f"sqlite:///{path}")
    if with_units:
        with engine.begin() as conn:
            set_id = store.create_set(conn, name="test", structure="2021")
            store.insert_units(conn, set_id, UNITS.assign(population=10_000))
    return engine


def patch_recompute(monkeypatch) -> list:
    """Replace the levels recomputation with a recorder of its ``start`` argument.

    Levels are the assessment module's business; these tests only check the call.
    """
    calls: list = []

    def recorded(ws, start=None, **kw):
        calls.append(start)
        with ws.engine.begin() as conn:  # as a real one would: the debt is paid
            store.settle_levels(conn, store.levels_owed(ws.engine))
        return 0

    monkeypatch.setattr("zones.api.action.recompute", recorded)
    monkeypatch.setattr("zones.levels.worker.refresh", recorded)
    return calls


def workspace_of(engine) -> Workspace:
    """The workspace of a test engine (same URL, so the same opened engine)."""
    return Workspace.at(engine.url.render_as_string(hide_password=False))


def store_checked(engine, checked, *, dry: bool = False, sent_by: str | None = None, **kw):
    """Store a checked upload through the front door (which refreshes the levels), as
    the account ``sent_by`` (made on first use) or the local administrator."""
    actor = api.LOCAL_ADMIN if sent_by is None else api.Actor(sent_by, api.Role.ADMIN)
    return api.store_upload(workspace_of(engine), checked, actor, dry_run=dry, **kw)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    """CSV text as bytes (dedented lines, trailing newline)."""
    lines = [ln.strip() for ln in text.strip().splitlines()]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list], title: str = "Sheet1", extra: dict | None = None) -> bytes:
    """A workbook with ``rows`` on its first sheet (and ``extra`` sheets: name -> rows)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for name, more in (extra or {}).items():
        sheet = book.create_sheet(name)
        for r in more:
            sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def stored(engine) -> pd.DataFrame:
    """Every observations row (all versions), ordered by id."""
    with engine.connect() as conn:
        return pd.read_sql(sa.select(observations).order_by(observations.c.id), conn)


def upload_rows(engine) -> pd.DataFrame:
    """Every uploads row, ordered by id."""
    with engine.connect() as conn:
        return pd.read_sql(sa.select(uploads).order_by(uploads.c.id), conn)
