"""Operations (issue 26): ``check`` and ``/zones-health`` (healthy, degraded when levels
are owed or the schema is behind, down when the database is gone), ``db upgrade``,
``export`` of the levels in force with their shapes (GeoPackage read back with pyogrio),
and the log (context, JSON lines, nothing secret, nothing forged)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pyogrio
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from starlette.requests import Request

from tests.test_access import PASSWORD, cli
from ui.server import health as health_route
from zones import api
from zones.ops import health, logs
from zones.settings import SettingsError
from zones.storage import store
from zones.storage.db import alembic_config, open_db

DAY = "01/09/2021"

#: the newest revision this version ships
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from zones.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def owe(url: str) -> None:
    with open_db(url).begin() as conn:
        store.owe_levels(conn, date(2021, 9, 1))


# ------------------------------------------------------------------ check


@pytest.mark.both_stores
def test_check_is_healthy_then_degraded_while_levels_are_owed(demo_copy, capsys):
    code, out, _ = run(capsys, "--db", demo_copy, "check")
    assert code == 0, out
    assert out.splitlines()[0] == "Tình trạng: bình thường."
    assert "✓ Cơ sở dữ liệu: kết nối được" in out and "Lần tính cấp độ gần nhất:" in out
    owe(demo_copy)
    code, out, _ = run(capsys, "--db", demo_copy, "--lang", "en", "check")
    assert code == 1, out
    assert out.splitlines()[0].startswith("Status: degraded")
    assert "⚠ Levels: owed from 01/09/2021" in out
    code, _, _ = run(capsys, "--db", demo_copy, "check")  # a check pays no debt
    assert code == 1


def test_check_is_down_when_the_database_file_is_gone_and_creates_nothing(tmp_path, capsys):
    gone = tmp_path / "gone.db"
    code, out, _ = run(capsys, "--db", f"sqlite:///{gone}", "check")
    assert code == 2
    assert "✗ Cơ sở dữ liệu: không có tệp" in out and "db upgrade" in out
    assert not gone.exists()


def test_check_is_down_when_the_server_does_not_answer_and_shows_no_password(capsys):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://zones:s3cret-pw@127.0.0.1:{port}/zones"
    code, out, err = run(capsys, "--db", url, "--lang", "en", "check")
    assert code == 2
    assert "✗ Database: cannot be reached" in out
    assert "s3cret-pw" not in out + err


def test_check_of_a_damaged_file_is_down(tmp_path, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    code, out, _ = run(capsys, "--db", f"sqlite:///{bad}", "check")
    assert code == 2 and "✗ Cơ sở dữ liệu: không kết nối hoặc không đọc được" in out


@pytest.mark.both_stores
def test_a_schema_behind_is_degraded_until_db_upgrade(blank_url, capsys):
    engine = sa.create_engine(blank_url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0012")
    engine.dispose()
    code, out, _ = run(capsys, "--db", blank_url, "check")
    assert code == 1 and "ở phiên bản 0012" in out and "db upgrade" in out
    head = HEAD
    code, out, _ = run(capsys, "--db", blank_url, "db", "upgrade")
    assert code == 0 and f"0012 → {head}" in out
    code, out, _ = run(capsys, "--db", blank_url, "--lang", "en", "db", "upgrade")
    assert code == 0 and f"already at the newest revision ({head})" in out
    code, out, _ = run(capsys, "--db", blank_url, "--lang", "en", "check")
    assert f"✓ Database: reachable, at revision {head}" in out
    assert "✓ Boundaries: no units yet" in out and code == 0  # told, not counted
    entries = api.audit_entries(api.open_workspace(blank_url), api.LOCAL_ADMIN,
                                action="db_upgrade")
    assert len(entries) == 1 and '"from": "0012"' in entries["detail"].iloc[0]


def test_db_upgrade_makes_a_new_database_and_a_newer_one_is_down(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "--db", url, "--lang", "en", "db", "upgrade")
    assert code == 0 and f"new → {HEAD}" in out
    with open_db(url).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0999'"))
    code, out, _ = run(capsys, "--db", url, "--lang", "en", "check")
    assert code == 2 and "✗ Database: at revision 0999, made by a newer version" in out
    code, _, err = run(capsys, "--db", url, "db", "upgrade")
    assert code == 2 and "phiên bản mới hơn" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", url, "--as", "someone", "check")
    assert code == 2 and "bỏ --as" in err


class _SmtpSink(threading.Thread):
    """The least an SMTP server says: a greeting, then 250 to NOOP, 221 to QUIT."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]

    def run(self):
        conn, _ = self.server.accept()
        with conn, conn.makefile("rwb") as f:
            f.write(b"220 sink ESMTP\r\n")
            f.flush()
            for line in f:
                f.write(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"250 ok\r\n")
                f.flush()
                if line.upper().startswith(b"QUIT"):
                    break


def test_check_dials_the_mail_server_when_one_is_set(demo_copy, capsys, monkeypatch):
    sink = _SmtpSink()
    sink.start()
    monkeypatch.setenv("ZONES_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ZONES_SMTP_PORT", str(sink.port))
    code, out, _ = run(capsys, "--db", demo_copy, "check")
    assert code == 0 and f"✓ Máy chủ thư: trả lời (cổng {sink.port})" in out
    sink.server.close()  # nobody listens there now
    code, out, _ = run(capsys, "--db", demo_copy, "check")
    assert code == 0  # the answer of a moment ago (a monitor may ask every second)
    health._smtp_seen.clear()  # 30 s later
    code, out, _ = run(capsys, "--db", demo_copy, "--lang", "en", "check")
    assert code == 1 and "⚠ Mail server: cannot be reached" in out
    assert f"127.0.0.1:{sink.port}" in out  # the detail, at the terminal only


# ------------------------------------------------------------------ /zones-health


def call_health(lang: str = "vi"):
    req = Request({"type": "http", "method": "GET", "path": "/zones-health", "headers": [],
                   "query_string": f"lang={lang}".encode(), "path_params": {"base": ""}})
    return asyncio.run(health_route.health(req))


@pytest.fixture
def health_of(monkeypatch):
    def use(url: str) -> None:
        monkeypatch.setenv("ZONES_DB", url)
        health_route._workspace.cache_clear()
        health_route._last.clear()
    yield use
    health_route._workspace.cache_clear()
    health_route._last.clear()


def test_zones_health_serves_the_check_as_json(demo_copy, health_of, tmp_path):
    health_of(demo_copy)
    got = call_health("en")
    body = json.loads(got.body)
    assert got.status_code == 200 and body["status"] == "healthy"
    assert {c["name"] for c in body["checks"]} >= {"database", "levels", "upload", "smtp"}
    assert body["revision"] == body["head"] and body["last_upload"].endswith("Z")
    owe(demo_copy)
    health_route._last.clear()
    got = call_health()
    assert got.status_code == 200 and json.loads(got.body)["status"] == "degraded"
    gone = tmp_path / "gone.db"
    health_of(f"sqlite:///{gone}")
    got = call_health()
    body = json.loads(got.body)
    assert got.status_code == 503 and body["status"] == "down"
    assert str(tmp_path) not in got.body.decode() and not gone.exists()


def test_zones_health_under_load_checks_once_per_moment(demo_copy, health_of, monkeypatch):
    health_of(demo_copy)
    calls = []
    real = api.health

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(health_route.api, "health", counted)
    monkeypatch.setattr(health_route, "TTL_S", 60.0)  # however slow this machine is now
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: call_health(), range(64)))
    assert {a.status_code for a in answers} == {200}
    assert len(calls) == 1


# ------------------------------------------------------------------ export


def test_export_geopackage_has_every_unit_with_its_level(demo_copy, tmp_path, capsys):
    out = tmp_path / "levels.gpkg"
    assert run(capsys, "--db", demo_copy, "declarations", "add", "--unit", "30745", "--level",
               "2", "--from", "20/08/2021", "--decision", "123/QĐ-UBND")[0] == 0
    code, _, err = run(capsys, "--db", demo_copy, "export", "--date", DAY, "--format", "gpkg",
                       "--out", str(out))
    assert code == 0, err
    assert [layer[0] for layer in pyogrio.list_layers(out)] == ["levels"]
    got = pyogrio.read_dataframe(out, layer="levels")
    assert list(got.columns) == ["unit_code", "unit_name", "level", "level_name",
                                 "computed_level", "declared_level", "decision", "ruleset",
                                 "geometry"]
    assert got.crs.to_epsg() == 4326 and got.geometry.notna().all()
    ws = api.open_workspace(demo_copy)
    assessed = api.assess(ws, date(2021, 9, 1))
    assert sorted(got["unit_code"]) == sorted(assessed["unit_code"])
    mine = dict(zip(got["unit_code"], got["level"], strict=True))
    assert all(mine[c] == lv for c, lv in zip(assessed["unit_code"], assessed["level"],
                                              strict=True))
    declared = assessed[assessed["declared_level"].notna()]
    assert list(declared["unit_code"]) == ["30745"]  # the declaration travels
    row = got.set_index("unit_code").loc["30745"]
    assert row["level"] == row["declared_level"] == 2 and "123/QĐ-UBND" in row["decision"]
    assert row["ruleset"] == "qd2686" and row["computed_level"] in (1, 2, 3, 4)


def test_export_geojson_and_csv_and_the_district_level(demo_copy, tmp_path, capsys):
    gj, csv = tmp_path / "l.geojson", tmp_path / "l.csv"
    assert run(capsys, "--db", demo_copy, "export", "--date", "2021-09-01", "--level",
               "district", "--format", "geojson", "--out", str(gj))[0] == 0
    features = json.loads(gj.read_text(encoding="utf-8"))["features"]
    assert len(features) == 15 and {"level", "decision"} <= set(features[0]["properties"])
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert run(capsys, "--db", demo_copy, "export", "--date", DAY, "--format", "csv",
               "--out", str(csv))[0] == 0
    header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ("unit_code,unit_name,level,level_name,computed_level,declared_level,"
                      "decision,ruleset,geometry")


def test_export_needs_the_export_right_and_names_what_is_wrong(demo_copy, tmp_path, capsys,
                                                               monkeypatch):
    assert cli(demo_copy, "users", "add", "quansat", "--role", "observer", "--no-export",
               "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    out = tmp_path / "x.gpkg"
    code, _, err = run(capsys, "--db", demo_copy, "--as", "quansat", "export", "--date", DAY,
                       "--format", "gpkg", "--out", str(out))
    assert code == 2 and "quansat" in err and not out.exists()
    code, _, err = run(capsys, "--db", demo_copy, "export", "--date", "01/01/2019",
                       "--format", "gpkg", "--out", str(out))
    assert code == 2 and "01/01/2019" in err and not out.exists()
    code, _, err = run(capsys, "--db", demo_copy, "export", "--date", DAY, "--format", "shp",
                       "--out", str(out))
    assert code == 2 and "shp" in err
    code, _, err = run(capsys, "--db", demo_copy, "export", "--date", DAY, "--format", "gpkg",
                       "--out", str(tmp_path / "no" / "such" / "x.gpkg"))
    assert code == 2 and "Traceback" not in err


# ------------------------------------------------------------------ the log


@pytest.fixture
def log_to(monkeypatch):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.level, list(root.handlers), logs._handler
    yield stream
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    logs._handler = saved[2]


def test_an_upload_logs_one_info_line_with_who_and_what(demo_copy, tmp_path, capsys,
                                                        monkeypatch, log_to):
    figures = tmp_path / "so-lieu.csv"
    figures.write_text("Ngày,Mã xã,Số mẫu PCR\n02/09/2021,30745,4321\n", encoding="utf-8")
    monkeypatch.setenv("ZONES_LOG_LEVEL", "info")
    monkeypatch.setenv("ZONES_LOG_JSON", "1")
    monkeypatch.setattr("sys.stderr", log_to)  # the CLI's handler writes to stderr
    code, _, _ = run(capsys, "--db", demo_copy, "observations", "import", str(figures))
    assert code == 0
    lines = [json.loads(line) for line in log_to.getvalue().splitlines()
             if line.startswith("{")]
    stored = [e for e in lines if e["message"].startswith("upload stored")]
    assert len(stored) == 1, lines
    entry = stored[0]
    assert entry["level"] == "INFO" and entry["source"] == "zones.api"
    assert entry["user"] == "local-admin" and entry["action"] == "store_upload"
    assert entry["time"].endswith("Z") and "4321" not in log_to.getvalue()


def test_log_lines_hide_passwords_and_cannot_be_forged(log_to):
    api.configure_logging(api.Settings(log_level="DEBUG"), stream=log_to)
    log = logging.getLogger("zones.test")
    with api.log_context(request="ab12", user="a\nb"):
        log.info("opening postgresql://zones:hunter2@db/zones for %s", "x\nFAKE ERROR line")
    text = log_to.getvalue()
    assert "hunter2" not in text and "***" in text
    assert text.count("\n") == 1 and "x\\nFAKE ERROR line" in text
    assert " INFO zones.test [request=ab12 user=a\\nb] opening" in text
    with pytest.raises(SettingsError):
        api.Settings.from_env({"ZONES_LOG_LEVEL": "LOUD"})
    assert api.Settings.from_env({"ZONES_LOG_LEVEL": "warning"}).log_level == "WARNING"


def test_db_upgrade_run_by_several_deploy_steps_at_once_migrates_once(tmp_path):
    """Replicas deployed together each run ``db upgrade``: one migrates (and is audited),
    the others wait under the same lock (the file lock beside SQLite, taken by each
    opening on its own, so threads contend as processes do) and find nothing to do."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    start = threading.Barrier(4)

    def deploy(_):
        ws = api.Workspace.at(url)
        start.wait()
        return api.upgrade_database(ws, api.LOCAL_ADMIN, "en")

    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(deploy, range(4)))
    assert sorted((d.before or "", d.after) for d in done) == [("", HEAD)] + [(HEAD, HEAD)] * 3
    entries = api.audit_entries(api.open_workspace(url), api.LOCAL_ADMIN, action="db_upgrade")
    assert len(entries) == 1
    with open_db(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
