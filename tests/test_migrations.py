"""Schema migrations: a database built by an earlier revision opens and upgrades."""

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from tests.browser import ROOT
from zones.storage.db import alembic_config, open_db

pytestmark = pytest.mark.both_stores


def test_open_twice_is_idempotent(blank_url):
    url = blank_url
    open_db(url)
    open_db.cache_clear()
    engine = open_db(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert version == head


def test_database_from_first_revision_upgrades_and_keeps_data(blank_url):
    url = blank_url
    engine = sa.create_engine(url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(sa.text("INSERT INTO observations (unit_code, date, sent_by, recorded_at,"
                             " new_cases_community) VALUES ('00001', '2021-09-01', 'x',"
                             " '2021-09-02 00:00:00', 3)"))
    open_db.cache_clear()
    upgraded = open_db(url)
    with upgraded.connect() as conn:
        assert conn.execute(sa.text("SELECT new_cases_community FROM observations")).scalar() == 3
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("observations")}
    assert "uq_observations_current_unit_date" in indexes


def test_two_current_rows_for_one_unit_and_date_are_refused(empty_url):
    from sqlalchemy.exc import IntegrityError

    engine = open_db(empty_url)
    row = ("INSERT INTO observations (unit_code, date, sent_by, recorded_at) "
           "VALUES ('00001', '2021-09-01', 'x', '2021-09-02 00:00:00')")
    with engine.begin() as conn:
        conn.execute(sa.text(row))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.text(row))


def test_processes_opening_a_fresh_database_at_once_migrate_it_once(blank_url, tmp_path):
    """Replicas starting together: every process opens the database, none crashes on the
    migration another one is running (eight processes forked at once by tests/senders.py)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "tests.senders", str(out), "--call",
                           "zones.storage.db:open_db", *["--", blank_url] * 8], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert len(results) == 8
    for rc, out, err in results:
        assert rc == 0 and out.strip() == "ok", err[-600:]
    with open_db(blank_url).connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert len(versions) == 1
