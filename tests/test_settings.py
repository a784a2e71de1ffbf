"""The settings: one object read once at the edges, validated, documented in README."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zones.cli import main
from zones.settings import DEFAULTS, Settings, SettingsError, markdown_table
from zones.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def test_readme_table_is_the_generated_one():
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_field_has_its_variable_and_description_and_names_are_unique():
    fields = dataclasses.fields(Settings)
    names = [f.metadata["env"] for f in fields]
    assert len(names) == len(set(names))
    assert all(f.metadata["what"] for f in fields)


def test_defaults_are_the_documented_ones():
    s = Settings.from_env({})
    assert s == DEFAULTS
    assert (s.upload_max_rows, s.upload_max_columns, s.geodata_max_columns,
            s.xlsx_max_columns) == (500_000, 500, 500, 500)
    assert s.geodata_max_bytes == 200 * 2**20
    assert (s.max_failed_sign_ins, s.max_failed_sign_ins_all, s.lock_minutes) == (5, 20, 15)
    assert (s.session_minutes, s.session_max_hours, s.read_max_mb) == (480, 24, 1024)
    assert s.public_read is None and s.isolate and not s.debug and s.duplicates == "last"


def test_values_are_typed_and_empty_means_the_default():
    s = Settings.from_env({"ZONES_UPLOAD_MAX_ROWS": "1000", "GEODATA_MAX_MB": "0.5",
                           "ZONES_PUBLIC_READ": "off", "ZONES_ISOLATE": "0",
                           "ZONES_MAX_FAILED_SIGN_INS": "3", "ZONES_DUPLICATES": " refuse ",
                           "ZONES_SESSION_MINUTES": "", "ZONES_READ_MAX_MB": "2048.0"})
    assert (s.upload_max_rows, s.geodata_max_bytes) == (1000, 2**19)
    assert s.public_read is False and s.isolate is False and s.duplicates == "refuse"
    assert s.max_failed_sign_ins_all == 12  # 4 x the per-address count, unless set
    assert s.session_minutes == 480 and s.read_max_mb == 2048


@pytest.mark.parametrize(("env", "value", "allowed"), [
    ("ZONES_UPLOAD_MAX_ROWS", "abc", "1–1,000,000,000"),
    ("ZONES_UPLOAD_MAX_ROWS", "0", "1–1,000,000,000"),
    ("ZONES_UPLOAD_MAX_COLUMNS", "12.5", "1–100,000"),
    ("GEODATA_MAX_MB", "-1", "0–100,000"),
    ("ZONES_READ_TIMEOUT_S", "1e9", "0.1–86,400"),
    ("ZONES_DUPLICATES", "first", "last / refuse"),
    ("ZONES_PUBLIC_READ", "maybe", "1 / 0"),
    ("ZONES_ISOLATE", "2", "1 / 0"),
    ("ZONES_LOCK_MINUTES", "nan", "1–1,000,000"),
    ("ZONES_LOG_LEVEL", "LOUD", "DEBUG / INFO / WARNING / ERROR"),
    ("ZONES_LOG_JSON", "yes please", "1 / 0"),
    ("ZONES_SMTP_PORT", "0", "1–65,535"),
])
def test_a_bad_value_names_the_variable_the_value_and_the_range(env, value, allowed):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({env: value})
    english, vietnamese = err.value.text("en"), err.value.text("vi")
    assert f"{env}={value}" in english and allowed in english
    assert "không hợp lệ" in vietnamese and str(err.value) == vietnamese  # logs: Vietnamese
    assert f"{value} của {env}" in vietnamese and allowed in vietnamese


def test_overrides_are_checked_too():
    assert dataclasses.replace(DEFAULTS, upload_max_rows=10).upload_max_rows == 10
    with pytest.raises(SettingsError, match="ZONES_UPLOAD_MAX_ROWS"):
        dataclasses.replace(DEFAULTS, upload_max_rows=0)


def test_the_database_password_is_never_shown():
    s = Settings.from_env({"ZONES_DB": "postgresql+psycopg://zones:s3cret@db/zones"})
    assert s.db.endswith("@db/zones")
    assert "s3cret" not in repr(s) and "s3cret" not in repr(Workspace.at(settings=s))
    assert "s3cret" not in markdown_table()


def test_the_workspace_carries_the_settings(tmp_path):
    s = Settings.from_env({"ZONES_DB": f"sqlite:///{tmp_path}/a.db"})
    ws = Workspace.at(settings=s)
    assert ws.settings is s and ws.url == f"sqlite:///{tmp_path}/a.db"
    assert Workspace.at(f"sqlite:///{tmp_path}/b.db", s).url.endswith("b.db")  # --db wins


def test_the_cli_refuses_a_bad_value_with_exit_2_and_no_traceback(monkeypatch, capsys,
                                                                   tmp_path):
    monkeypatch.setenv("ZONES_UPLOAD_MAX_ROWS", "many")
    assert main(["--db", f"sqlite:///{tmp_path}/x.db", "--lang", "en", "units", "list"]) == 2
    err = capsys.readouterr().err
    assert "ZONES_UPLOAD_MAX_ROWS=many" in err and "1–1,000,000,000" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.db").exists()  # refused before anything is opened


def test_a_page_shows_a_bad_value_in_words_never_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("ZONES_DB", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("ZONES_SESSION_MINUTES", "0")
    at = AppTest.from_file(str(ROOT / "app_pages" / "map.py"), default_timeout=60).run()
    shown = " ".join(e.value for e in at.error).replace("\\", "")  # Markdown escapes
    assert "ZONES_SESSION_MINUTES" in shown and "1–1,000,000" in shown
    assert not at.exception
    assert not (tmp_path / "x.db").exists()  # refused before the database is opened


#: where the environment may be read: the edges (they build ``Settings``), the default
#: language (the catalogue's own, until the language is passed explicitly everywhere) and
#: the reading child's allocator (set, not read)
EDGES = {"zones/cli/__init__.py", "ui/common.py", "ui/server/served.py", "ui/server/auth.py",
         "ui/server/web.py", "ui/server/health.py", "zones/isolate.py"}


def test_the_environment_is_read_only_at_the_edges():
    readers = set()
    for folder in ("zones", "geodata", "rules", "ui", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if _uses_environment(path):
                readers.add(str(path.relative_to(ROOT)))
    assert readers <= EDGES, readers - EDGES
    assert not _uses_environment(ROOT / "app.py")


def _uses_environment(path: Path) -> bool:
    """Whether the code (not its docstrings) names ``environ`` or ``getenv``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any((isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"))
               or (isinstance(node, ast.alias) and node.name in ("environ", "getenv"))
               for node in ast.walk(tree))


def test_the_longest_lock_may_not_be_shorter_than_a_lock():
    """Else an address's count would be forgotten before its lock could grow."""
    with pytest.raises(SettingsError, match=r"ZONES_LOCK_MAX_MINUTES.*ZONES_LOCK_MINUTES"):
        Settings.from_env({"ZONES_LOCK_MINUTES": "15", "ZONES_LOCK_MAX_MINUTES": "1"})
    assert Settings.from_env({"ZONES_LOCK_MINUTES": "15",
                              "ZONES_LOCK_MAX_MINUTES": "15"}).lock_max_minutes == 15


def test_zones_lang_is_a_setting_the_cli_follows(monkeypatch, capsys):
    """ZONES_LANG is read with the other settings (not by zones.i18n): the CLI speaks it
    when the command line does not choose, --lang wins, and a bad value is told."""
    from zones.cli import main
    monkeypatch.setenv("ZONES_LANG", "en")
    assert main(["assess", "--date", "31/02/2021"]) == 2
    assert "Error" in capsys.readouterr().err
    assert main(["--lang", "vi", "assess", "--date", "31/02/2021"]) == 2
    assert "Lỗi" in capsys.readouterr().err
    monkeypatch.setenv("ZONES_LANG", "fr")
    assert main(["assess", "--date", "01/02/2021"]) == 2
    err = capsys.readouterr().err
    assert "ZONES_LANG" in err and "fr" in err
