"""Custom rule sets kept in the database (``rulesets add FILE``, the "Tiêu chí" page).

Every replica reads the same ones: they live in the store, not in a folder beside it. Each
addition is a new version row (who, when, the file's text and checksum); the newest row of
an id is the one in force. The same text added again changes nothing. A file is bounded
before it is read and checked as a whole (every problem listed at once, at most 20 and
then a count) before it is kept; an id of a shipped rule set or of a file in the folder
beside a SQLite database is refused (a province's copy needs its own id), and so is the
title of an official one (lists would show the copy as the official rule set).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

import rules
from rules.errors import Problem, RuleSetError
from rules.loader import MAX_BYTES, parse_text
from rules.registry import SHIPPED, official_clash, official_title
from zones.errors import ZonesError
from zones.i18n import Joined, Localized, Msg, fmt_datetime, msg, t, text_of
from zones.storage import rulesets_sql, store

#: where a stored rule set "lives", for messages and the registry's errors
ORIGIN = "db:"


@dataclass(frozen=True)
class Added:
    row_id: int
    ruleset_id: str
    version: str
    number: int  # this id's how-manieth stored version
    unchanged: bool  # the same text was already the newest version


def check_size(size: int, file_name: str) -> None:
    """Refuse a rule-set file over ``MAX_BYTES`` (before reading it, where that is possible)."""
    if size > MAX_BYTES:
        raise ZonesError(msg("rs.too_big", file=file_name, size=size // 1024,
                           limit=MAX_BYTES // 1024))


def decode(data: bytes, file_name: str) -> str:
    """A rule-set file's text: bounded, UTF-8 (a BOM is dropped)."""
    check_size(len(data), file_name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ZonesError(msg("rs.not_utf8", file=file_name, pos=err.start)) from err


def problem_lines(problems: Sequence[Problem]) -> Joined:
    """The problems of a file, one a line (each naming its file by name only, never by a
    server path), then how many more there are."""
    lines: list[Localized] = [_Line(_named(p)) for p in problems]
    more = getattr(problems, "more", 0)
    if more:
        lines.append(Joined(["  ", msg("rs.more_problems", n=more)], ""))
    return Joined(lines)


class _Line(Localized):
    """One problem as a line: what it expected and how to fix it may be messages
    (``Msg``), rendered in the reader's language."""

    __slots__ = ("problem",)

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def text(self, lang: str) -> str:
        p = self.problem
        fix = None if p.suggestion is None else text_of(p.suggestion, lang)
        return f"  - {replace(p, expected=text_of(p.expected, lang), suggestion=fix)}"


def _named(problem: Problem) -> Problem:
    name = problem.file.removeprefix(ORIGIN) if problem.file.startswith(ORIGIN) \
        else Path(problem.file).name
    return Problem(name, problem.rule_id, problem.field, problem.value, problem.expected,
                   problem.suggestion)


def problems_message(ruleset_id: str, file_name: str, problems: Sequence[Problem]) -> Msg:
    """The refusal of a rule set with problems: where, how many, then each of them."""
    total = len(problems) + getattr(problems, "more", 0)
    return msg("cli.ruleset_invalid", value=ruleset_id, path=Path(file_name).name, n=total,
             problems=problem_lines(problems))


def validate(data: bytes, file_name: str, taken: dict[str, str]) -> tuple[str, rules.RuleSet]:
    """A rule-set file's text and rule set, checked as ``add`` keeps them (bounded, UTF-8,
    every problem listed, an id or official title of another rule set refused)."""
    text = decode(data, file_name)
    try:
        rs = parse_text(text, file_name)
    except RuleSetError as err:
        raise ZonesError(problems_message(file_name, file_name, err.problems)) from err
    if rs.id in taken:
        raise ZonesError(msg("rs.id_taken", id=rs.id, where=taken[rs.id]))
    same = official_title(rs)
    if same is not None:
        raise ZonesError(msg("rs.title_taken", title=same[0], official=same[1].id))
    return text, rs


def add(engine: Engine, data: bytes, file_name: str, added_by: str,
        taken: dict[str, str]) -> Added:
    """Validate and keep a rule-set file. ``taken``: ids of rule sets not kept here (shipped,
    folder) -> where they come from."""
    text, rs = validate(data, file_name, taken)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with engine.begin() as conn:
        store.take_write_lock(conn)
        rows = rulesets_sql.versions_of(conn, rs.id)
        if rows and rows[-1].sha256 == digest:
            return Added(rows[-1].id, rs.id, rs.version, len(rows), unchanged=True)
        new_id = rulesets_sql.insert(
            conn, ruleset_id=rs.id, version=rs.version, file_name=file_name[:255],
            sha256=digest, source=text, added_by=added_by, added_at=store.now())
        store.bump_version(conn)
    return Added(new_id, rs.id, rs.version, len(rows) + 1, unchanged=False)


def origin(registry: rules.RuleSetRegistry, key: str, admin: bool, lang: str) -> str:
    """Where a rule set (its id) or a broken one (a key of ``registry.errors``) comes from,
    in ``lang``.
    Administrators see the file (a folder file's path, who stored one and when); others a
    neutral source and the file's name, never a server path."""
    kept = registry.stored.get(key)
    if kept is not None:
        at = fmt_datetime(kept['added_at'])
        return t("crit.stored", lang, file=kept["file"], by=kept["added_by"], at=at) if admin \
            else f"{t('rs.origin_database', lang)} ({at})"
    if key.startswith(ORIGIN):
        return f"{t('rs.origin_database', lang)}: {key.removeprefix(ORIGIN)}"
    rs = registry.rulesets.get(key)
    path = Path(key) if rs is None else rs.path
    if path is None:
        return "–"
    if SHIPPED in path.parents:
        return f"{path.name} ({t('rs.origin_shipped', lang)})"
    return str(path) if admin else f"{t('rs.origin_folder', lang)}: {path.name}"


def history(engine: Engine) -> pd.DataFrame:
    """Every stored version (without the text), oldest first."""
    return rulesets_sql.all_versions(engine, with_source=False)


def newest(engine: Engine) -> pd.DataFrame:
    """The version in force of each stored id, with its text."""
    return rulesets_sql.all_versions(engine, with_source=True).drop_duplicates("ruleset_id", keep="last")


def load_into(registry: rules.RuleSetRegistry, engine: Engine) -> None:
    """Add the stored rule sets to ``registry`` (a broken or clashing one into its errors)."""
    for row in newest(engine).itertuples():
        where = f"{ORIGIN}{row.ruleset_id}"
        try:
            rs = parse_text(row.source, row.file_name)
        except RuleSetError as err:  # kept before a check it now fails: not used
            registry.errors[where] = err.problems
            continue
        clash = official_clash(rs, where)
        if clash is not None:
            registry.errors[where] = [clash]
            continue
        if rs.id in registry.rulesets:
            registry.errors[where] = [Problem(where, None, "id", rs.id,
                                              "an id not used by another rule set")]
            continue
        registry.rulesets[rs.id] = rs
        registry.stored[rs.id] = {"version_row": int(row.id), "file": row.file_name,
                                  "added_by": row.added_by, "added_at": row.added_at}
