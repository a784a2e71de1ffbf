"""An alerts run on the Kiên Giang demo: one account per district and per commune (the
first ``--communes``), each subscribed with an address, and a local SMTP sink (aiosmtpd,
a test tool) on a loopback port. Prints the time of the first run (compare with the day
before, compose, write the outbox, send every digest), of a second run (nothing new) and
of a dry run, on ``--date`` (default 01/11/2021, the day most demo communes move: 159
level changes from the day before).

    .venv/bin/python bench/bench_alerts.py [--db URL] [--districts N] [--communes N]
                                           [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zones import api  # noqa: E402 - after the path
from zones.settings import Settings  # noqa: E402


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="a KG demo database to copy (default: "
                    "data/zones.db, built when absent)")
    ap.add_argument("--communes", type=int, default=25)
    ap.add_argument("--districts", type=int, default=20)
    ap.add_argument("--date", type=date.fromisoformat, default=date(2021, 11, 1))
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_alerts_"))
    path = folder / "alerts.db"
    source = (ROOT / "data" / "zones.db" if args.db is None
              else Path(args.db.split("///", 1)[-1]))
    if source.exists():
        shutil.copy(source, path)
    else:
        subprocess.run([sys.executable, "-m", "zones", "--db", f"sqlite:///{path}", "demo"],
                       cwd=ROOT, check=True)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        ws = api.open_workspace(f"sqlite:///{path}", settings=Settings(
            smtp_host="127.0.0.1", smtp_port=controller.port))
        units = api.units(ws)
        districts = [c for c in units.index
                     if units.at[c, "level"] == "district"][:args.districts]
        communes = [c for c in units.index if units.at[c, "level"] == "commune"][:args.communes]
        started = time.perf_counter()
        for code in districts + communes:
            role = "district" if code in districts else "commune"
            name = f"u{code}"
            api.add_user(ws, api.LOCAL_ADMIN, name, "mat-khau-bench-1234", role, code)
            api.subscribe_alerts(ws, api.LOCAL_ADMIN, name, email=f"{name}@kg.gov.vn")
        accounts = time.perf_counter() - started
        figures = []
        for label, dry in (("dry run", True), ("first run", False), ("second run", False)):
            before = sink.count
            started = time.perf_counter()
            done = api.run_alerts(ws, api.LOCAL_ADMIN, args.date, dry_run=dry)
            figures.append((label, time.perf_counter() - started, done.changes,
                            len(done.digests), sink.count - before))
        print(f"{len(districts) + len(communes)} accounts subscribed in {accounts:.1f} s "
              "(argon2 hashes)")
        print(f"{'run':<12}{'seconds':>9}{'changes':>9}{'digests':>9}{'e-mails':>9}")
        for label, seconds, changes, digests, mails in figures:
            print(f"{label:<12}{seconds:>9.2f}{changes:>9}{digests:>9}{mails:>9}")
    finally:
        controller.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
