"""Many ``python -m zones`` commands at once, in separate processes, for the price of one
interpreter start-up (tests/test_concurrent_uploads.py, tests/test_migrations.py):

    python -m tests.senders OUT.json [--call MODULE:FUNCTION] -- ARGV1... -- ARGV2... ...

This process imports the CLI once, then forks one child per command (the fork copies the
imported modules; nothing is open yet: no database, no thread). The children wait at a
gate until all are forked, so they really start at once; each runs ``zones.cli.main`` on
its arguments with its own stdout and stderr (files), as ``python -m zones ARGV`` would,
and exits with its exit code. OUT.json: ``[[exit code, stdout, stderr], ...]`` in the
order of the commands (an uncaught exception in a child is its stderr, exit code 1, as
the interpreter would print it). With ``--call``, each child runs ``FUNCTION(*ARGV)``
instead of the CLI and prints "ok" when it returns.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path


def _child(call, argv: list[str], gate: int, out_fd: int, err_fd: int) -> int:
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = os.fdopen(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = os.fdopen(2, "w", encoding="utf-8", closefd=False)
    os.read(gate, 1)  # returns when the parent closes the gate's write end: all forked
    try:
        if call is None:
            from zones.cli import main

            code = main(argv)
        else:
            call(*argv)
            print("ok")
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code or 0


def run(commands: list[list[str]], call: str | None = None) -> list[tuple[int, str, str]]:
    """Run each command in its own forked process, all at once; ``call``: "module:function"
    run on each command's arguments instead of the CLI."""
    function = None
    if call is None:
        import zones.cli  # noqa: F401  (imported once, before the forks)
    else:
        module, name = call.split(":")
        function = getattr(importlib.import_module(module), name)

    folder = Path(tempfile.mkdtemp(prefix="senders-"))
    gate_read, gate_write = os.pipe()
    children = []
    for k, argv in enumerate(commands):
        out, err = folder / f"{k}.out", folder / f"{k}.err"
        out_fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err_fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        pid = os.fork()
        if pid == 0:  # the child
            os.close(gate_write)
            code = 1
            try:
                code = _child(function, argv, gate_read, out_fd, err_fd)
            finally:
                os._exit(code)
        os.close(out_fd)
        os.close(err_fd)
        children.append((pid, out, err))
    os.close(gate_write)  # opens the gate: every child starts now
    os.close(gate_read)
    results = []
    for pid, out, err in children:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        results.append((code, out.read_text(encoding="utf-8", errors="replace"),
                        err.read_text(encoding="utf-8", errors="replace")))
        out.unlink()
        err.unlink()
    folder.rmdir()
    return results


def _commands(args: list[str]) -> list[list[str]]:
    commands: list[list[str]] = []
    for arg in args:
        if arg == "--":
            commands.append([])
        else:
            commands[-1].append(arg)
    return commands


if __name__ == "__main__":
    target, rest, call = Path(sys.argv[1]), sys.argv[2:], None
    if rest[:1] == ["--call"]:
        call, rest = rest[1], rest[2:]
    results = run(_commands(rest), call)
    target.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
