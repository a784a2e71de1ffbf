"""The deploy steps that run in a container, as deploy/README.md gives them: the settings
read with ``set -a``, the database made by ``setup-postgres.sh`` for a user who is not a
superuser (PostGIS enabled by the superuser), ``db upgrade`` as the migration step,
``backup.sh``, ``restore.sh`` (the restored data equal to the original) and
``restore-drill.sh``, on the throw-away PostgreSQL cluster and on SQLite; the unit files
pass ``systemd-analyze verify``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
from alembic.script import ScriptDirectory

from tests.conftest import PG_ADMIN, _pg_admin
from zones import api
from zones.storage import interop_sql
from zones.storage.db import alembic_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def run(args: list[str], env: dict, cwd: Path | None = None, check: bool = True
        ) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"{args}: {done.stdout[-800:]} {done.stderr[-1500:]}"
    return done


def settings_file(tmp_path: Path, db_url: str) -> Path:
    """/etc/zones/zones.env as step 3 makes it: the example with the database set."""
    text = (DEPLOY / "zones.env.example").read_text(encoding="utf-8")
    lines = [f"ZONES_DB={db_url}" if line.startswith("ZONES_DB=") else
             f"ZONES_BACKUP_DIR={tmp_path / 'backups'}" if line.startswith("ZONES_BACKUP_DIR=")
             else f"ZONES_PYTHON={sys.executable}" if line.startswith("ZONES_PYTHON=")
             else line for line in text.splitlines()]
    env_file = tmp_path / "zones.env"
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env_file


def with_settings(env_file: Path, command: str, env: dict, check: bool = True,
                  cwd: Path | None = None):
    """``command`` in a shell that read the settings as step 4 does (in the checkout, as
    the units' WorkingDirectory, unless ``cwd``)."""
    return run(["sh", "-c", f'set -a; . "{env_file}"; set +a; {command}'], env, check=check,
               cwd=cwd)


def base_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZONES_", "PG"))}
    env.pop("PYTHONPATH", None)  # the scripts find the app themselves
    return {**env, "ZONES_LANG": "en", **extra}


def same_data(url_a: str, url_b: str) -> None:
    a, b = api.open_workspace(url_a), api.open_workspace(url_b)
    pd.testing.assert_frame_equal(api.export_observations(a), api.export_observations(b))
    pd.testing.assert_frame_equal(api.export_units(a), api.export_units(b))
    pd.testing.assert_frame_equal(api.assess(a, pd.Timestamp("2021-09-01").date()),
                                  api.assess(b, pd.Timestamp("2021-09-01").date()))
    assert len(api.audit_entries(b, api.LOCAL_ADMIN)) >= len(api.audit_entries(a, api.LOCAL_ADMIN))


def steps(tmp_path: Path, db_url: str, env: dict) -> tuple[str, str]:
    """Settings, migration step, backup, the drill (which restores with restore.sh into a
    scratch database, kept here to compare it with the original); the backup's path and
    the scratch database's URL."""
    env_file = settings_file(tmp_path, db_url)
    upgraded = with_settings(env_file, f'exec "{sys.executable}" -m zones db upgrade', env)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head in upgraded.stdout + upgraded.stderr
    # the scripts run from any folder (a root shell's, for the drill)
    backed = with_settings(env_file, f'sh "{DEPLOY / "backup.sh"}"', env, cwd=tmp_path)
    backups = sorted((tmp_path / "backups").glob("zones-*"))
    assert len(backups) == 2 and backups[1].name == backups[0].name + ".sha256", backed.stdout
    drill = with_settings(env_file, f'sh "{DEPLOY / "restore-drill.sh"}"',
                          {**env, "ZONES_DRILL_KEEP": "1"}, cwd=tmp_path)
    assert "restores: 175 units" in drill.stdout, drill.stdout + drill.stderr
    kept = drill.stdout.split("kept: ", 1)[1].strip()
    assert "***" in kept or kept.startswith("sqlite")  # never the password
    restored = kept.replace(":***@", ":" + db_url.split("://", 1)[1].split(":", 1)[1]
                            .split("@", 1)[0] + "@") if "***" in kept else kept
    same_data(db_url, restored)
    return str(backups[0]), restored


def test_deploy_steps_on_sqlite(demo_url, tmp_path):
    source = tmp_path / "zones.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), source)
    env = base_env()
    backup, restored = steps(tmp_path, f"sqlite:///{source}", env)
    # a damaged backup is refused, and the database it would replace is left as it was
    damaged = tmp_path / "damaged" / Path(backup).name
    damaged.parent.mkdir()
    shutil.copy(backup, damaged)
    shutil.copy(backup + ".sha256", str(damaged) + ".sha256")
    with open(damaged, "r+b") as f:
        f.seek(5000)
        f.write(b"\xff" * 64)
    target = Path(restored.removeprefix("sqlite:///"))
    before = target.read_bytes()
    refused = run(["sh", str(DEPLOY / "restore.sh"), str(damaged), restored],
                  {**env, "ZONES_PYTHON": sys.executable}, check=False, cwd=tmp_path)
    assert refused.returncode != 0 and "damaged" in refused.stderr
    assert target.read_bytes() == before
    shutil.rmtree(target.parent)


@pytest.mark.skipif(not PG_ADMIN and not os.environ.get("CI"),
                    reason='needs ZONES_TEST_PG (eval "$(.ci/pg start)")')
def test_deploy_steps_on_postgresql_with_a_user_who_is_no_superuser(tmp_path):
    assert PG_ADMIN, "CI starts PostgreSQL for this test (.ci/run)"
    suffix = uuid.uuid4().hex[:10]
    user, db, password = f"app_{suffix}", f"zones_{suffix}", f"pw'{suffix}\"x"
    server = PG_ADMIN.rsplit("/", 1)[0].split("@", 1)[1]  # host:port
    host, port = server.rsplit(":", 1)
    admin = PG_ADMIN.split("://", 1)[1].split("@", 1)[0]
    env = base_env(ZONES_PG_SUPER=f"host={host} port={port} user={admin}",
                   ZONES_PYTHON=sys.executable)
    url = f"postgresql+psycopg://{user}:{suffix}@{server}/{db}"
    try:
        made = run(["sh", str(DEPLOY / "setup-postgres.sh"), user, password, db], env,
                   cwd=tmp_path)
        assert f"{user}:<password>@" in made.stdout
        _pg_admin(f"ALTER ROLE \"{user}\" PASSWORD '{suffix}'")  # the URL's, plain
        with_settings(settings_file(tmp_path, url),
                      f'exec "{sys.executable}" -m zones demo', env)
        ws = api.open_workspace(url)
        api.add_token(ws, api.LOCAL_ADMIN, "portal", None)
        _backup, restored = steps(tmp_path, url, env)
        assert restored.endswith(f"/{db}_drill")
        check = api.open_workspace(restored)
        assert len(api.list_tokens(check, api.LOCAL_ADMIN)) == 1
        owners = _owners(restored)
        assert owners == {user}, owners  # restored as the app's user, not the superuser
        in_force = interop_sql.view_rows(check.engine, "v_levels_in_force")
        assert len(in_force) == 175 and all(r["geom"] is not None for r in in_force)
    finally:
        for name in (db, f"{db}_drill"):
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'DROP ROLE IF EXISTS "{user}"')


def _owners(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT DISTINCT tableowner FROM pg_tables "
                            "WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
                            ).fetchall()
    return {r[0] for r in rows}


def test_unit_files_pass_systemd_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    names = []
    for unit in [*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")]:
        text = unit.read_text(encoding="utf-8").replace("/opt/zones/.venv/bin/python",
                                                        sys.executable)
        name = unit.name.replace("@.", "@8501.")
        (tmp_path / name).write_text(text, encoding="utf-8")
        names.append(name)
        if unit.suffix == ".service":
            for key in ("User=zones", "NoNewPrivileges=yes", "ProtectSystem=strict",
                        "ReadWritePaths="):
                assert key in text, (unit.name, key)
    done = run([tool, "verify", *names], base_env(), cwd=tmp_path, check=False)
    assert done.returncode == 0 and "ignoring" not in done.stderr, done.stderr
