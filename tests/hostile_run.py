"""Run the hostile corpus (``tests/hostile_corpus.py``) through the CLI, one case at a
time, each on its own copy of a small base database, and write what happened as JSON.

    python -m tests.hostile_run OUT_DIR [CASE_ID_PREFIX ...]

For every case: the exit code, whether a traceback or the CLI's "unexpected error" (a
crash in disguise) reached the user, whether the stored data changed (it must not for a
refused file or a dry run), and for an upload that stored rows whether every row of the
file was read and every row said stored is stored. At the end: the peak memory of this
process and of the reading processes it started, and the HTML map exported from each
database that stored hostile names (the browser test opens them).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from tests.hostile_corpus import HEADER, build, csv_bytes, good_rows
from tests.test_boundaries_fixtures import write_geojson
from zones.cli import main
from zones.storage import db as zdb

TABLES = ("boundary_sets", "units", "adjacency", "uploads", "observations", "assessments",
          "declarations", "unit_changes", "meta", "stored_rulesets", "sites")
UNEXPECTED = ("Lỗi không mong đợi", "Unexpected error")


def fingerprint(path: Path) -> str:
    """A digest of every stored row (the write lock's own meta row aside)."""
    if not path.exists():
        return "missing"
    digest = hashlib.sha256()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            for table in TABLES:
                rows = conn.execute(f"SELECT * FROM {table}").fetchall()
                if table == "meta":
                    rows = [r for r in rows if r[0] != "write_lock"]
                digest.update(table.encode())
                for row in sorted(map(repr, rows)):
                    digest.update(row.encode())
    except sqlite3.DatabaseError as err:
        digest.update(f"unreadable: {err}".encode())
    return digest.hexdigest()


def base_database(folder: Path) -> Path:
    """Four communes and a week of figures (01–07/09/2021)."""
    path = folder / "base.db"
    url = f"sqlite:///{path}"
    geo = write_geojson(folder / "base.geojson")
    assert run_cli(["--db", url, "units", "import", str(geo)])[0] == 0
    rows = [[f"{int(r[0][:2]) - 7:02d}{r[0][2:]}", *r[1:]] for r in good_rows()]
    first = folder / "base-week.csv"
    first.write_bytes(csv_bytes(rows, HEADER))
    assert run_cli(["--db", url, "observations", "import", str(first)])[0] == 0
    _release(url)
    return path


def _release(url: str) -> None:
    """Close the engine of ``url`` (its file is copied or damaged afterwards)."""
    if zdb.open_db.cache_info().currsize:
        with contextlib.suppress(Exception):
            zdb.open_db(url).dispose()
    zdb.open_db.cache_clear()


def run_cli(argv: list[str]) -> tuple[int | None, str, str, str | None]:
    out, err = io.StringIO(), io.StringIO()
    escaped = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except BaseException as exc:  # anything escaping main is a failure to report
            import traceback

            code, escaped = None, "".join(traceback.format_exception(exc))
    return code, out.getvalue(), err.getvalue(), escaped


def damaged_copies(base: Path, folder: Path) -> dict[str, Path]:
    corrupt = folder / "corrupt.db"
    shutil.copy(base, corrupt)
    data = bytearray(corrupt.read_bytes())
    page = 4096
    for start in range(page * 2, len(data) - page, page * 3):  # scribble on every 3rd page
        data[start + 8:start + 400] = os.urandom(392)
    corrupt.write_bytes(bytes(data))
    truncated = folder / "truncated.db"
    truncated.write_bytes(base.read_bytes()[: len(data) // 3])
    return {"{corrupt}": corrupt, "{truncated}": truncated}


def obs_counts(path: Path, after_upload: int) -> dict | None:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT id, rows_total, rows_stored, rows_rejected FROM uploads "
                           "WHERE id > ? AND kind = 'observations' ORDER BY id DESC LIMIT 1",
                           (after_upload,)).fetchone()
        if row is None:
            return None
        stored = conn.execute("SELECT count(*) FROM observations WHERE upload_id = ?",
                              (row[0],)).fetchone()[0]
    return {"rows_total": row[1], "rows_stored": row[2], "rows_rejected": row[3],
            "in_table": stored}


def wrong_sites(path: Path) -> list[str]:
    """What a stored site may never hold: coordinates out of range or not finite, a score
    outside 0-100, counts over a million, control characters in its id or name."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT site_id, name, lat, lon, score, capacity, occupied, "
                            "valid_from FROM sites").fetchall()
    out = []
    for sid, name, lat, lon, score, capacity, occupied, start in rows:
        bad = [not (-90 <= lat <= 90 and -180 <= lon <= 180),
               score is not None and not 0 <= score <= 100,
               any(c is not None and not 0 <= c <= 1_000_000 for c in (capacity, occupied)),
               any(ord(ch) < 32 for ch in sid + name), len(name) > 200, start is None]
        if any(bad):
            out.append(f"wrong site stored: {sid[:20]!r}")
    return out


def max_upload(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM uploads").fetchone()[0]


def run(out_dir: Path, prefixes: list[str]) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = out_dir / "inputs"
    cases = build(inputs)
    if prefixes:
        cases = [c for c in cases if c.id.startswith(tuple(prefixes))]
    base = base_database(out_dir)
    damaged = damaged_copies(base, out_dir)
    results, maps = [], []
    for case in cases:
        work = out_dir / "cases" / case.id
        work.mkdir(parents=True, exist_ok=True)
        db = work / "z.db"
        shutil.copy(base, db)
        url = f"sqlite:///{db}"
        argv = [damaged_url(a, damaged) if a in damaged else a.replace("{db}", url)
                for a in case.argv]
        watched = db if "{db}" in case.argv else None
        for key, path in damaged.items():
            if key in case.argv:
                watched = path
        before = fingerprint(watched) if watched else None
        last_upload = max_upload(db)
        started = time.perf_counter()
        code, stdout, stderr, escaped = run_cli(argv)
        seconds = time.perf_counter() - started
        text = stdout + stderr
        after = fingerprint(watched) if watched else None
        result = {"id": case.id, "category": case.category, "kind": case.kind, "exit": code,
                  "seconds": round(seconds, 3), "escaped": escaped,
                  "traceback": "Traceback (most recent call last)" in text or bool(escaped),
                  "unexpected": any(u in text for u in UNEXPECTED),
                  "changed": before != after, "dry_run": case.dry_run,
                  "message": (stderr.strip().splitlines() or [""])[-1][:300],
                  "rows": case.rows, "problems": []}
        if code == 1 and case.kind == "units" and "Bỏ dòng" not in text:
            result["problems"].append("exit 1 without a rejected row in the report")
        if code == 0 and case.kind == "units" and "Bỏ dòng" in text:
            result["problems"].append("rows rejected but exit 0")
        if case.kind == "obs" and code in (0, 1) and not case.dry_run:
            counts = obs_counts(db, last_upload)
            result["counts"] = counts
            if counts is not None:
                if counts["in_table"] != counts["rows_stored"]:
                    result["problems"].append(f"said stored {counts['rows_stored']}, "
                                              f"table has {counts['in_table']}")
                if case.rows is not None and counts["rows_total"] != case.rows:
                    result["problems"].append(f"file has {case.rows} rows, read "
                                              f"{counts['rows_total']}")
        if case.kind == "sites" and code in (0, 1):
            result["problems"] += wrong_sites(db)
        if case.names and code in (0, 1):
            html = work / "map.html"
            got = run_cli(["--db", url, "map", "--date", "05/09/2021", "--out", str(html)])
            if got[0] == 0:
                maps.append(str(html))
            else:
                result["problems"].append(f"map export failed: {got[2][-200:]}")
        _release(url)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        results.append(result)
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    summary = {"cases": results, "maps": maps, "max_rss_mb": usage_self,
               "max_child_rss_mb": usage_children}
    (out_dir / "results.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    return summary


def damaged_url(arg: str, damaged: dict[str, Path]) -> str:
    return f"sqlite:///{damaged[arg]}"


if __name__ == "__main__":
    summary = run(Path(sys.argv[1]), sys.argv[2:])
    bad = [c for c in summary["cases"] if c["traceback"] or c["unexpected"] or c["problems"]
           or c["exit"] not in (0, 1, 2) or ((c["exit"] == 2 or c["dry_run"]) and c["changed"])]
    print(f"{len(summary['cases'])} cases, {len(bad)} failing; peak memory "
          f"{summary['max_rss_mb']} MB (runner), {summary['max_child_rss_mb']} MB (readers)")
    for c in bad:
        print(f"  {c['id']}: exit {c['exit']} tb={c['traceback']} unexpected={c['unexpected']}"
              f" changed={c['changed']} {c['problems']} {c['message'][:160]}")
