"""Every message the upload code asks for exists, in Vietnamese and in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zones.i18n import catalogue
from zones.ingest.check import PROBLEM_KINDS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "zones" / "ingest").glob("*.py")), ROOT / "zones" / "api" / "uploads.py",
           ROOT / "app_pages" / "upload.py"]


def used_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""["'](ingest\.[a-z_.]+[a-z_])["']""", text))
        keys |= {f"ingest.file.{k}" for k in re.findall(r"""_err\(["']([a-z_]+)["']""", text)}
        keys |= {f"ingest.page.{k}" for k in ("rows", "good", "refused", "blank")}
    keys |= {f"ingest.{part}.{k}" for k in PROBLEM_KINDS for part in ("reason", "fix")}
    return keys


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_message_exists_in_both_languages(key):
    entry = catalogue().get(key)
    assert entry is not None, key
    assert entry.get("vi") and entry.get("en"), key


def test_every_problem_kind_is_produced_somewhere():
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    assert all(text.count(f'"{k}"') >= 2 for k in PROBLEM_KINDS)
