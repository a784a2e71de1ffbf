"""Everything the command line writes: CSV (one writer for every command), files,
and messages on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from zones.errors import ZonesError
from zones.i18n import msg, t
from zones.safe import safe_frame


def say(text: str) -> None:
    """A message for the person at the terminal (stderr, so stdout stays data)."""
    print(text, file=sys.stderr)


def write_csv(frame: pd.DataFrame, out: str | None, lang: str) -> None:
    """A CSV to ``out`` (UTF-8 with BOM, so Excel shows diacritics) or to stdout; a text
    cell that would start a formula (``=HYPERLINK(…)``) is written with a leading '; what
    was written is said in ``lang``."""
    frame = safe_frame(frame)
    if out:
        try:
            frame.to_csv(out, index=False, encoding="utf-8-sig")
        except OSError as err:
            raise ZonesError(msg("cli.cannot_write", path=out, reason=err.strerror or err)) from err
        say(t("cli.wrote", lang, path=out))
    else:
        frame.to_csv(sys.stdout, index=False)


def write_bytes(path: Path, data: bytes, lang: str) -> None:
    """A binary file, with a clear message when it cannot be written."""
    try:
        path.write_bytes(data)
    except OSError as err:
        raise ZonesError(msg("cli.cannot_write", path=str(path), reason=err.strerror)) from err
    say(t("cli.wrote", lang, path=str(path)))


def write_text(path: Path | None, text: str, lang: str) -> None:
    """A text file (UTF-8), or stdout when ``path`` is None."""
    if path is None:
        sys.stdout.write(text + "\n")
        return
    write_bytes(path, text.encode("utf-8"), lang)


def read_file(path: Path) -> bytes:
    """The bytes of an input file, or a clear message when it is missing."""
    if not path.is_file():
        raise ZonesError(msg("cli.file_missing", path=str(path)))
    return path.read_bytes()
