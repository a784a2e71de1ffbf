"""Schema migrations: a database built by an earlier revision opens and upgrades."""

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from zones.storage.db import alembic_config, open_db


def test_open_twice_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    open_db(url)
    open_db.cache_clear()
    engine = open_db(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert version == head


def test_database_from_first_revision_upgrades_and_keeps_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
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


def test_two_current_rows_for_one_unit_and_date_are_refused(tmp_path):
    import pytest
    from sqlalchemy.exc import IntegrityError

    engine = open_db(f"sqlite:///{tmp_path / 'u.db'}")
    row = ("INSERT INTO observations (unit_code, date, sent_by, recorded_at) "
           "VALUES ('00001', '2021-09-01', 'x', '2021-09-02 00:00:00')")
    with engine.begin() as conn:
        conn.execute(sa.text(row))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.text(row))
