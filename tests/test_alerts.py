"""Alerts (issue 24): subscriptions and their rights, a run through a local SMTP sink
(aiosmtpd on a loopback port), each change told once, a run killed mid-send resumed."""

from __future__ import annotations

import csv
import email
import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.test_markdown_safety import (  # markdown_db: the fixture of names in Markdown
    ADMIN,
    MD_DECISION,
    MD_NAME,
    assert_literal,
    markdown_db,  # noqa: F401
    markdown_sources,
)
from tests.test_markdown_safety import run as run_md_page
from zones import api
from zones.alerts import digest
from zones.cli import main
from zones.safe import md_text
from zones.settings import Settings
from zones.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DAY = "2021-09-01"


class Sink:
    """An SMTP sink: keeps every message it accepted; ``on_data`` may refuse one."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.on_data = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.on_data is not None:
            answer = self.on_data(envelope)
            if answer:
                return answer
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sink():
    box = Sink()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


def run(capsys, *argv, env=None):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def smtp_env(sink, monkeypatch):
    box, port = sink
    monkeypatch.setenv("ZONES_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ZONES_SMTP_PORT", str(port))
    monkeypatch.setenv("ZONES_SMTP_FROM", "canh-bao@kiengiang.gov.vn")
    monkeypatch.setenv("ZONES_PUBLIC_URL", "http://bando.kiengiang.local")
    return box


def _user(capsys, db, name, role, unit):
    old = sys.stdin
    sys.stdin = io.StringIO("mat-khau-dai-12345\n")
    try:
        code, _, err = run(capsys, "--db", db, "users", "add", name, "--role", role,
                           "--unit", unit, "--password-stdin")
    finally:
        sys.stdin = old
    assert code == 0, err


def _body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def test_district_hears_its_commune_once_and_nothing_outside(capsys, demo_copy, smtp_env,
                                                              tmp_path):
    box = smtp_env
    _user(capsys, demo_copy, "huyen.rachgia", "district", "899")
    _user(capsys, demo_copy, "huyen.kienluong", "district", "902")
    for user, address in (("huyen.rachgia", "rachgia@kg.gov.vn"),
                          ("huyen.kienluong", "kienluong@kg.gov.vn")):
        code, out, err = run(capsys, "--db", demo_copy, "alerts", "subscribe", "--user", user,
                             "--email", address)
        assert code == 0, err
    code, _, err = run(capsys, "--db", demo_copy, "alerts", "run", "--date", DAY)
    assert code == 0, err  # the first run: compared with the day before
    box.messages.clear()
    upload = tmp_path / "so-lieu.csv"  # one commune of 899 and one of 902 turn red
    upload.write_text("date,unit_code,clusters_unknown_source\n"
                      f"{DAY},30742,1\n{DAY},30790,1\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", demo_copy, "observations", "import", str(upload))
    assert code == 0, err
    code, _, err = run(capsys, "--db", demo_copy, "alerts", "run", "--date", "01/09/2021")
    assert code == 0, err
    mine = box.to("rachgia@kg.gov.vn")
    assert len(mine) == 1
    text = _body(mine[0])
    assert "Phường Vĩnh Thanh Vân" in mine[0]["Subject"] + text
    assert "3 (Nguy cơ cao) → 4 (Nguy cơ rất cao)" in text
    assert "Lý do chính: Đỏ" in text and "chùm ca bệnh chưa rõ nguồn lây" in text
    assert "http://bando.kiengiang.local/?date=2021-09-01&unit=30742" in text
    assert "Thành phố Rạch Giá" in text  # the parents
    assert "Kiên Lương" not in text and "Kiên Lương" not in mine[0].get_body(
        ("html",)).get_content()  # nothing of a unit outside the recipient's subtree
    theirs = box.to("kienluong@kg.gov.vn")
    assert len(theirs) == 1 and "Vĩnh Thanh Vân" not in _body(theirs[0])
    # the alert id of the mail is the one the feed shows
    ws = Workspace.at(demo_copy)
    actor = api.actor_named(ws, "huyen.rachgia", "page", "vi")
    feed = api.alert_feed(ws, actor)
    row = feed[feed["unit_code"] == "30742"].iloc[0]
    assert f"Mã thông báo: {row['alert_code']}" in text and not row["read"]
    assert (row["from_level"], row["level"]) == (3, 4)
    # a second run sends nothing new
    box.messages.clear()
    code, _, err = run(capsys, "--db", demo_copy, "alerts", "run", "--date", DAY)
    assert code == 0 and box.messages == []
    code, out, _ = run(capsys, "--db", demo_copy, "alerts", "outbox")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["status"] for r in rows} == {"sent"}


def test_dry_run_prints_and_changes_nothing(capsys, demo_copy, smtp_env):
    _user(capsys, demo_copy, "huyen.rachgia", "district", "899")
    run(capsys, "--db", demo_copy, "--lang", "en", "alerts", "subscribe", "--user",
        "huyen.rachgia", "--email", "rachgia@kg.gov.vn", "--kinds", "computed")
    code, out, _ = run(capsys, "--db", demo_copy, "alerts", "run", "--date", DAY, "--dry-run")
    assert code == 0 and "Khu phố 1" in out and "See it on the map" in out  # English account
    assert smtp_env.messages == []
    code, out, _ = run(capsys, "--db", demo_copy, "alerts", "outbox")
    assert code == 0 and len(list(csv.DictReader(io.StringIO(out)))) == 0
    code, _, _ = run(capsys, "--db", demo_copy, "alerts", "run", "--date", DAY)
    assert code == 0 and len(smtp_env.messages) == 1  # the real run: still the first


def test_subscription_rights(capsys, demo_copy):
    _user(capsys, demo_copy, "huyen.rachgia", "district", "899")
    _user(capsys, demo_copy, "xa.vinhlac", "commune", "30745")
    _user(capsys, demo_copy, "lanhdao.rachgia", "leader", "899")
    db = ("--db", demo_copy)
    code, _, err = run(capsys, *db, "--as", "huyen.rachgia", "alerts", "subscribe", "--user",
                       "huyen.rachgia", "--unit", "902")
    assert code == 2 and "Huyện Kiên Lương" in err  # cannot leave its subtree
    trail = api.audit_entries(Workspace.at(demo_copy), api.LOCAL_ADMIN,
                              action="alert_subscribed")
    assert list(trail["outcome"]) == ["refused"] and list(trail["actor"]) == ["huyen.rachgia"]
    code, _, err = run(capsys, *db, "--as", "xa.vinhlac", "alerts", "subscribe", "--user",
                       "huyen.rachgia")
    assert code == 2 and "huyen.rachgia" in err  # nobody else's subscriptions
    code, _, err = run(capsys, *db, "--as", "lanhdao.rachgia", "alerts", "subscribe",
                       "--user", "xa.vinhlac", "--unit", "30745", "--email", "vl@kg.gov.vn")
    assert code == 0, err  # a leader manages others' inside its subtree
    code, _, err = run(capsys, *db, "--as", "lanhdao.rachgia", "alerts", "subscribe",
                       "--user", "xa.vinhlac", "--unit", "899")
    assert code == 2 and "30745" in err  # but not beyond the user's own subtree
    code, _, err = run(capsys, *db, "--lang", "en", "alerts", "subscribe", "--user",
                       "xa.vinhlac", "--kinds", "declared,weather")
    assert code == 2 and "weather" in err and "declared, computed" in err
    code, _, err = run(capsys, *db, "alerts", "subscribe", "--user", "xa.vinhlac",
                       "--email", "a@b.vn\r\nBcc: x@evil.example")
    assert code == 2 and "Traceback" not in err
    code, out, _ = run(capsys, *db, "--as", "xa.vinhlac", "alerts", "list")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["user"] for r in rows] == ["xa.vinhlac"]
    code, _, err = run(capsys, *db, "--as", "huyen.rachgia", "alerts", "unsubscribe",
                       rows[0]["id"])
    assert code == 2  # not its own, and a district official manages nobody else's
    code, _, err = run(capsys, *db, "--as", "xa.vinhlac", "alerts", "unsubscribe", rows[0]["id"])
    assert code == 0, err
    code, _, err = run(capsys, *db, "--as", "xa.vinhlac", "alerts", "unsubscribe", rows[0]["id"])
    assert code == 2 and rows[0]["id"] in err  # ended already
    code, _, err = run(capsys, *db, "alerts", "unsubscribe", "999")
    assert code == 2 and "999" in err and "Traceback" not in err
    code, _, err = run(capsys, *db, "alerts", "run", "--date", "01/01/2030")
    assert code == 2 and "01/01/2030" in err and "31/12/2021" in err
    code, _, err = run(capsys, *db, "--as", "xa.vinhlac", "alerts", "run")
    assert code == 2  # running alerts and the outbox: administrators


def test_run_killed_mid_send_resumes_the_rest_once(capsys, demo_copy, sink):
    box, port = sink
    for i in range(3):
        _user(capsys, demo_copy, f"phuong{i}", "commune", "30745")
        run(capsys, "--db", demo_copy, "alerts", "subscribe", "--user", f"phuong{i}",
            "--email", f"p{i}@kg.gov.vn")
    env = {**os.environ, "ZONES_SMTP_HOST": "127.0.0.1", "ZONES_SMTP_PORT": str(port),
           "ZONES_SMTP_ATTEMPTS": "1"}
    command = [sys.executable, "-m", "zones", "--db", demo_copy, "alerts", "run", "--date", DAY]
    proc = None
    seen = []

    def kill_on_second(envelope):
        seen.append(envelope.rcpt_tos)
        if len(seen) == 2:  # killed while the relay has the second message, before its 250
            os.kill(proc.pid, signal.SIGKILL)
            return "451 gone"
        return None

    box.on_data = kill_on_second
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert len(box.messages) == 1
    box.on_data = None
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    to = sorted(m["To"] for m in box.messages)
    assert to == ["p0@kg.gov.vn", "p1@kg.gov.vn", "p2@kg.gov.vn"]  # each once
    ws = Workspace.at(demo_copy)
    assert set(api.alert_outbox(ws, api.LOCAL_ADMIN)["status"]) == {"sent"}


def test_failures_are_kept_and_resent(capsys, demo_copy, sink, monkeypatch):
    box, port = sink
    _user(capsys, demo_copy, "huyen.rachgia", "district", "899")
    run(capsys, "--db", demo_copy, "alerts", "subscribe", "--user", "huyen.rachgia",
        "--email", "rachgia@kg.gov.vn")
    box.on_data = lambda envelope: "554 relay refused"
    ws = Workspace.at(demo_copy, Settings(smtp_host="127.0.0.1", smtp_port=port,
                                          smtp_attempts=2))
    done = api.run_alerts(ws, api.LOCAL_ADMIN, None, lang="en")
    assert done.sent == 0 and "554" in done.failed[0]
    outbox = api.alert_outbox(ws, api.LOCAL_ADMIN)
    assert list(outbox["status"]) == ["failed"] and "554" in outbox["last_error"].iloc[0]
    box.on_data = None
    api.resend_alert(ws, api.LOCAL_ADMIN, int(outbox["id"].iloc[0]))
    sent, failed = api.send_owed_alerts(ws, api.LOCAL_ADMIN)
    assert (sent, failed, len(box.messages)) == (1, [], 1)


def test_the_html_part_escapes_names():
    line = digest.Line("ABCD-EFGH", "1", "<script>alert(1)</script>", "Huyện <b>X</b>",
                       "computed", "up", "1", "2", __import__("datetime").date(2021, 9, 1),
                       "a & b", None, "http://x/?date=2021-09-01&unit=1\"><x")
    body = digest.html_body([line], line.since, "u<1>", "A&B", "http://x", "vi")
    assert "<script>" not in body and "&lt;script&gt;" in body and "<b>X" not in body
    assert '\"><x' not in body


@pytest.mark.both_stores
def test_runs_at_once_tell_each_change_once(capsys, demo_copy, sink):
    box, port = sink
    for i in range(2):
        _user(capsys, demo_copy, f"phuong{i}", "commune", "30745")
        run(capsys, "--db", demo_copy, "alerts", "subscribe", "--user", f"phuong{i}",
            "--email", f"p{i}@kg.gov.vn")
    ws = Workspace.at(demo_copy, Settings(smtp_host="127.0.0.1", smtp_port=port))
    api.day_view(ws, DAY)  # the caches built before the race
    outcomes, errors = [], []

    def one():
        try:
            outcomes.append(api.run_alerts(ws, api.LOCAL_ADMIN, None))
        except Exception as err:  # reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert errors == []
    assert sorted(m["To"] for m in box.messages) == ["p0@kg.gov.vn", "p1@kg.gov.vn"]
    assert sum(len(o.digests) for o in outcomes) == 2
    refused = api.audit_entries(ws, api.LOCAL_ADMIN, action="alert_subscribed")
    assert (refused["outcome"] == "ok").sum() == 2


def test_after_a_recomputation_with_zones_alerts_auto(capsys, demo_copy, smtp_env,
                                                      monkeypatch):
    _user(capsys, demo_copy, "huyen.rachgia", "district", "899")
    run(capsys, "--db", demo_copy, "alerts", "subscribe", "--user", "huyen.rachgia",
        "--email", "rachgia@kg.gov.vn", "--kinds", "declared")
    monkeypatch.setenv("ZONES_ALERTS_AUTO", "1")
    code, _, err = run(capsys, "--db", demo_copy, "declarations", "add", "--unit", "30742",
                       "--level", "4", "--from", "01/09/2021", "--decision", "123/QĐ-UBND")
    assert code == 0, err
    assert len(smtp_env.messages) == 1  # told by the declaration's own refresh
    text = _body(smtp_env.messages[0])
    assert "Công bố cấp độ: 3 (Nguy cơ cao) → 4 (Nguy cơ rất cao)" in text
    assert "Quyết định: 123/QĐ-UBND" in text and "Phường Vĩnh Thanh Vân" in text
    code, _, err = run(capsys, "--db", demo_copy, "declarations", "revoke", "1")
    assert code == 0, err
    assert len(smtp_env.messages) == 2
    assert "Thu hồi công bố cấp độ: 4 (Nguy cơ rất cao) → 3" in _body(smtp_env.messages[1])
    code, _, _ = run(capsys, "--db", demo_copy, "alerts", "run")
    assert code == 0 and len(smtp_env.messages) == 2  # nothing new


def test_a_name_with_a_line_break_stays_in_one_subject_line():
    line = digest.Line("ABCD-EFGH", "1", "Xã A\r\nBcc: x@evil.example", "", "computed", "up",
                       "1", "2", __import__("datetime").date(2021, 9, 1), "", None, "http://x")
    subject = digest.subject([line], line.since, "vi")
    assert "\n" not in subject and "\r" not in subject and "Xã A Bcc" in subject


def test_the_page_subscribes_shows_the_feed_and_the_outbox(demo_copy, use_db):
    from streamlit.testing.v1 import AppTest

    use_db(demo_copy)
    ws = api.open_workspace(demo_copy)
    admin = api.Actor("quantri", api.Role.ADMIN, None, "page")
    api.add_user(ws, api.LOCAL_ADMIN, "quantri", "mat-khau-quan-tri", "admin", None)
    at = AppTest.from_file(str(ROOT / "app_pages" / "alerts.py"), default_timeout=90)
    at.session_state["_actor"] = admin
    at.run()
    assert not at.exception, at.exception
    at.text_input[1].set_value("qt@kg.gov.vn")  # the unit: the province, by default
    at.button[0].click().run()  # "Đăng ký" (the form's button)
    assert not at.exception, at.exception
    assert any("Đã đăng ký nhận thông báo" in s.value for s in at.success)
    api.run_alerts(ws, api.LOCAL_ADMIN, None)
    at.run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Mới" in text and "Khu phố 1" in text and "Tỉnh Kiên Giang" in text
    assert list(at.dataframe[0].value["Trạng thái"]) == ["Chỉ trong ứng dụng"]  # the outbox


def test_without_a_public_address_the_mail_holds_no_relative_link():
    line = digest.Line("ABCD-EFGH", "1", "Xã A", "", "computed", "up", "1", "2",
                       __import__("datetime").date(2021, 9, 1), "", None,
                       digest.link("", __import__("datetime").date(2021, 9, 1), "1"))
    text = digest.text([line], line.since, "u", "A", "", "vi")
    body = digest.html_body([line], line.since, "u", "A", "", "vi")
    assert "?date=" not in text + body and "Mã thông báo: ABCD-EFGH" in text


def test_starttls_when_the_relay_offers_it_and_retries_with_back_off(monkeypatch):
    from zones.alerts import mail

    calls, waits = [], []

    class Relay:  # what smtplib.SMTP answers, scripted
        fails = 1

        def __init__(self, host, port, timeout):
            calls.append(("connect", host, port, timeout))
            if Relay.fails:
                Relay.fails -= 1
                raise ConnectionRefusedError("busy")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ehlo(self):
            calls.append("ehlo")

        def has_extn(self, name):
            return name == "starttls"

        def starttls(self, context):
            calls.append(("starttls", context.verify_mode))

        def login(self, user, password):
            calls.append(("login", user))

        def send_message(self, msg):
            calls.append(("send", msg["To"]))

    monkeypatch.setattr(mail.smtplib, "SMTP", Relay)
    relay = mail.Relay("relay.kg", 587, "canh-bao@kg.gov.vn", "canh-bao", "bi-mat", 5.0, 3, 2.0)
    msg = mail.message(relay, ["a@kg.gov.vn"], "Tiêu đề", "chữ", "<p>chữ</p>", "<1@kg>")
    mail.send(relay, msg, sleep=waits.append)
    assert waits == [2.0]  # one failure, one wait, then sent
    assert calls[2:] == ["ehlo", ("starttls", ssl.CERT_REQUIRED), "ehlo",
                         ("login", "canh-bao"), ("send", "a@kg.gov.vn")]
    assert calls[0] == ("connect", "relay.kg", 587, 5.0)


def test_names_and_decisions_in_the_feed_are_data(request, monkeypatch):
    url = request.getfixturevalue("markdown_db")
    ws = api.open_workspace(url)
    api.add_user(ws, api.LOCAL_ADMIN, "quantri", "mat-khau-quan-tri", "admin", None)
    api.subscribe_alerts(ws, api.LOCAL_ADMIN, "quantri", "30745", kinds="declared")
    done = api.run_alerts(ws, api.LOCAL_ADMIN, __import__("datetime").date(2021, 8, 30))
    assert MD_NAME in done.digests[0].text and MD_DECISION in done.digests[0].text
    html = done.digests[0].html
    assert "**Đậm** [liên kết](http://evil.example)" in html and "<a href=\"http://evil" not in html
    at = run_md_page(url, monkeypatch, "alerts.py", _actor=ADMIN)
    sources = markdown_sources(at)
    assert any(md_text(MD_NAME) in s for s in sources)
    assert_literal(sources)
