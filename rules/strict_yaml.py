"""A strict YAML reader for files people write (rule sets; later the facility scoring
schemes): plain data only, and every way YAML lets a mistake through silently is a problem.

``read_yaml(text, file)`` returns the data or raises ``ProblemsError`` (or the subclass
given) listing:

* a key written twice in one mapping (YAML keeps the last one without a word), with the
  key and both lines; a key given by a merge (``<<: *template``) and written again is an
  override, not a duplicate;
* an integer of more than ``MAX_DIGITS`` digits (Python refuses to convert very long
  ones at all: "Exceeds the limit (4300 digits)"; no number of ours needs 16);
* unreadable YAML, nesting deeper than ``MAX_DEPTH``, or more than ``max_values`` values
  once aliases are expanded (a "billion laughs" file).

Parsing uses libyaml when it is installed (a 250 KB file of 20,000 keys is read in about
0.2 s; ``bench/bench_rulesets.py``) and stops collecting at ``MAX_LISTED`` problems (the
others are counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import MAX_LISTED, Problem, ProblemsError

#: the most digits an integer may have (1e15 is beyond any count, rate or day of ours)
MAX_DIGITS = 15
#: the most values a file may hold once aliases are expanded (a rule set holds about 1,100)
MAX_VALUES = 200_000
#: the deepest nesting of mappings and lists (a rule set nests 9 deep)
MAX_DEPTH = 40

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})
_INT = "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that notes duplicate keys and overlong integers as problems."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.problems: list[Problem] = []
        self.more = 0
        self._checked: set[int] = set()

    def note(self, field: str, value: Any, expected: str, suggestion: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(self.file, None, field, value, expected, suggestion))
        else:
            self.more += 1

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # every mapping passes here before its merges are applied (also a merged template
        # before it is copied into another mapping): its own keys are still its own
        if id(node) not in self._checked:
            self._checked.add(id(node))
            self._duplicates(node)
        super().flatten_mapping(node)

    def _duplicates(self, node: yaml.MappingNode) -> None:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            try:
                if key not in first:
                    first[key] = line
                    continue
            except TypeError:  # not hashable: the constructor says so itself
                continue
            self.note(str(key), key, "each key once in a mapping",
                      f"written on line {first[key]} and again on line {line} (YAML would "
                      "keep only the last one): keep one")

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | None:
        text = str(node.value)
        digits = sum(ch.isalnum() for ch in text) if len(text) > MAX_DIGITS else 0
        if digits > MAX_DIGITS:  # 0x.., 0o.., 0b.. counted as written
            self.note(f"(line {node.start_mark.line + 1})", f"{text[:20]}…",
                      f"a number of at most {MAX_DIGITS} digits",
                      f"this one has {digits:,} digits")
            return None
        return super().construct_yaml_int(node)


StrictLoader.add_constructor(_INT, StrictLoader.construct_yaml_int)


def read_yaml(text: str, file: str = "<memory>", error: type[ProblemsError] = ProblemsError,
              max_values: int = MAX_VALUES) -> Any:
    """The data of a YAML text; ``error`` listing every problem of reading it."""
    name = Path(file).name
    loader = StrictLoader(text, file)
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error([*loader.problems, Problem(file, None, "(file)", name,
                                               "a readable YAML file", first)],
                    loader.more) from exc
    finally:
        loader.dispose()
    if loader.problems:
        raise error(loader.problems, loader.more)
    if values_over(data, max_values):
        raise error([Problem(file, None, "(file)", name,
                             f"at most {max_values:,} values once aliases are expanded, "
                             f"nested at most {MAX_DEPTH} deep",
                             "write the values out instead of nesting aliases or lists")])
    return data


def peek(text: str) -> Any:
    """The data of a YAML text as far as it can be read (duplicates and overlong integers
    let through, as ``None``), or ``None``: to find what a broken file meant to be."""
    loader = StrictLoader(text, "<peek>")
    try:
        return loader.get_single_data()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def values_over(raw: Any, limit: int, depth: int = MAX_DEPTH) -> bool:
    """Whether ``raw`` holds more than ``limit`` values, an alias counted each time it is
    used, or nests deeper than ``depth`` (an iterative walk: a deep file cannot exhaust the
    stack here)."""
    seen, todo = 0, [(raw, 0)]
    while todo:
        item, level = todo.pop()
        seen += 1
        if seen > limit or level > depth:
            return True
        if type(item) in _SCALARS:  # most values (an ABC check costs 10x more)
            continue
        if isinstance(item, Mapping):
            todo.extend((k, level + 1) for k in item)
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            todo.extend((v, level + 1) for v in item)
    return False
