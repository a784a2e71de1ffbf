"""Loading every rule set of some folders: the good ones, and the problems of the bad ones.

``load_rulesets()`` always includes the shipped ``rules/rulesets/*.yaml``; further folders
(e.g. ``data/rulesets/`` beside the database) add custom rule sets. A bad file never stops
the others: its problems are kept under ``errors``. A later file with an id already loaded
is an error too (ids must be unique: a province's copy needs its own id), and so is a
custom file carrying the title of an official (shipped) one: lists and pages would show it
as the official rule set.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import Problem, RuleSetError, did_you_mean
from .loader import MAX_BYTES, load_ruleset
from .model import RuleSet
from .strict_yaml import peek

SHIPPED = Path(__file__).parent / "rulesets"


@dataclass
class RuleSetRegistry:
    rulesets: dict[str, RuleSet] = field(default_factory=dict)
    errors: dict[str, list[Problem]] = field(default_factory=dict)
    #: id -> where a rule set kept in a database came from (file, who, when)
    stored: dict[str, dict] = field(default_factory=dict)

    def get(self, ruleset_id: str) -> RuleSet:
        """The rule set with this id; ``KeyError`` with a did-you-mean otherwise."""
        if ruleset_id not in self.rulesets:
            hint = did_you_mean(ruleset_id, self.rulesets) or ""
            raise KeyError(f"no rule set '{ruleset_id}'; {hint}".rstrip("; "))
        return self.rulesets[ruleset_id]

    def errors_of(self, ruleset_id: str) -> tuple[str, list[Problem]] | None:
        """The file meant to define ``ruleset_id`` that failed to load, with its problems
        (matched on the id written in the file, or on the file name)."""
        for path, problems in self.errors.items():
            if Path(path).stem == ruleset_id or _declared_id(path) == ruleset_id:
                return path, problems
        return None

    def in_force(self, date) -> RuleSet:
        """The rule set whose effective range covers ``date`` (latest start wins)."""
        day = pd.Timestamp(date).date() if not isinstance(date, dt.date) else date
        if isinstance(day, dt.datetime):
            day = day.date()
        covering = [rs for rs in self.rulesets.values()
                    if rs.effective_from is not None and rs.covers(day)]
        if not covering:
            raise LookupError(f"no rule set is in force on {day}; loaded: "
                              f"{sorted(self.rulesets)}; pick one explicitly")
        return max(covering, key=lambda rs: (rs.effective_from, rs.path is not None
                                             and SHIPPED in rs.path.parents, rs.id))


def title_key(text: str) -> str:
    """A title as compared: case, accents (đ too) and spacing aside."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


@lru_cache(maxsize=1)
def official() -> tuple[RuleSet, ...]:
    """The shipped (official) rule sets."""
    return tuple(load_rulesets().rulesets.values())


def official_title(rs: RuleSet) -> tuple[str, RuleSet] | None:
    """(the title, the official rule set) when ``rs`` carries a title of a shipped one."""
    for shipped in official():
        titles = {title_key(t) for t in (shipped.title.vi, shipped.title.en) if t}
        for title in (rs.title.vi, rs.title.en):
            if title and title_key(title) in titles:
                return title, shipped
    return None


def official_clash(rs: RuleSet, file: str) -> Problem | None:
    """A problem when a custom rule set takes the id or a title of an official one."""
    for shipped in official():
        if rs.id == shipped.id:
            return Problem(file, None, "id", rs.id, "an id of its own",
                           f"'{rs.id}' is the id of the official rule set; give the copy its "
                           "own id (e.g. add the province's name)")
    same = official_title(rs)
    if same is not None:
        return Problem(file, None, "title", same[0], "a title of its own",
                       f"this is the title of the official rule set {same[1].id}; rename it "
                       "(e.g. add the province's name)")
    return None


def _declared_id(path: str) -> str | None:
    """The ``id:`` a (possibly broken) rule-set file declares, if it can be read at all."""
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            return None
        data = peek(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return str(data["id"]) if isinstance(data, dict) and "id" in data else None


def load_rulesets(*dirs: str | Path, include_shipped: bool = True) -> RuleSetRegistry:
    """Load the shipped rule sets plus every ``*.yaml``/``*.yml`` in ``dirs``."""
    folders = ([SHIPPED] if include_shipped else []) + [Path(d) for d in dirs]
    registry = RuleSetRegistry()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                rs = load_ruleset(path)
            except RuleSetError as exc:
                registry.errors[str(path)] = exc.problems
                continue
            clash = official_clash(rs, str(path)) if folder != SHIPPED else None
            if clash is not None:
                registry.errors[str(path)] = [clash]
                continue
            if rs.id in registry.rulesets:
                other = registry.rulesets[rs.id].path
                registry.errors[str(path)] = [Problem(
                    str(path), None, "id", rs.id, "an id not used by another rule set",
                    f"already used by {other.name if other else rs.id}; give the copy its own "
                    "id")]
                continue
            registry.rulesets[rs.id] = rs
    return registry
