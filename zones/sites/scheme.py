"""The facility scoring scheme as data: bands of the self-assessed safety score (0-100 %,
the higher the safer) and the rule that makes a facility "must stop".

A scheme is a YAML file read as strictly as a rule set (``rules.strict_yaml``: a key
written twice, an overlong integer, an alias bomb are problems; ``rules.checker.Checker``
with declared ``Range``s: NaN, infinity, a number outside 0-100, band edges that do not
fall strictly, an unknown key are problems), every problem listed at once
(``SchemeError``, a ``rules.errors.ProblemsError``). The default scheme ships in
``schemes/``; provinces add their own (``sites schemes add FILE``), each version kept in
the database. The scheme in force on a day is the one with the latest ``effective_from``
on or before it (the newest added wins a tie; the shipped default counts as oldest).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.checker import MISSING, Checker
from rules.errors import Problem, ProblemsError
from rules.model import Range, Text
from rules.strict_yaml import read_yaml

SHIPPED = Path(__file__).parent / "schemes"
#: a scheme file is a few kilobytes; anything much bigger is no scheme
MAX_BYTES = 256 * 1024
#: values once aliases are expanded (a scheme holds about 40)
MAX_VALUES = 5_000
SCORE = Range(0, 100, unit="% of the safety points")
BAND_COUNT = Range(2, 10, whole=True, unit="bands")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
TOP_KEYS = ("id", "version", "title", "reference", "effective_from", "bands", "must_stop",
            "note")
REQUIRED = ("id", "version", "title", "bands", "must_stop")
BAND_KEYS = ("name", "colour", "from", "configurable", "uncertain", "note")
STOP_KEYS = ("bands", "configurable", "uncertain", "note")


class SchemeError(ProblemsError):
    """A scoring-scheme file cannot be used; ``problems`` lists everything wrong."""

    what = "scoring scheme"


@dataclass(frozen=True)
class Band:
    key: str
    name: Text
    colour: str
    start: float  # a score at or above it (and below the band above) is in this band
    uncertain: bool = False


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    title: Text
    reference: Text
    effective_from: dt.date | None
    bands: tuple[Band, ...]  # safest first
    must_stop: frozenset[str]
    stop_uncertain: bool = False

    def band(self, score: float | None) -> Band | None:
        """The band of a score (None without a score)."""
        if score is None or not math.isfinite(score):
            return None
        for band in self.bands:
            if score >= band.start:
                return band
        return self.bands[-1]

    def stops(self, score: float | None) -> bool:
        """Whether a facility with this score must stop operating."""
        band = self.band(score)
        return band is not None and band.key in self.must_stop


def parse_text(text: str, file: str = "<memory>") -> Scheme:
    """A scheme from its YAML text; ``SchemeError`` listing every problem."""
    raw = read_yaml(text, file, SchemeError, MAX_VALUES)
    if not isinstance(raw, Mapping):
        raise SchemeError([Problem(file, None, "(file)", type(raw).__name__,
                                   "a mapping with keys " + ", ".join(REQUIRED))])
    ck = Checker(file)
    ck.unknown_keys(raw, TOP_KEYS, None, None)
    for key in REQUIRED:
        if key not in raw:
            ck.problem(None, key, None, "this required field")
    sid = raw.get("id")
    if sid is not None and not (isinstance(sid, str) and ID_PATTERN.match(sid)):
        ck.problem(None, "id", sid, "lower-case letters, digits, '_', '-' or '.'",
                   "e.g. 'antoancovid-kiengiang'")
    version = raw.get("version")
    if (version is not None and not isinstance(version, str | int)) or isinstance(version, bool):
        ck.problem(None, "version", version, 'a text such as "2021.08-1"')
    title = ck.text(raw.get("title", ""), None, "title")
    reference = ck.text(raw.get("reference", ""), None, "reference")
    start = ck.date(raw.get("effective_from"), None, "effective_from", optional=True)
    if "note" in raw and not isinstance(raw["note"], str):
        ck.problem(None, "note", raw["note"], "a text")
    bands = _bands(ck, raw.get("bands"))
    stop, stop_uncertain = _must_stop(ck, raw.get("must_stop"), {b.key for b in bands})
    if ck.problems:
        raise SchemeError(ck.problems, ck.more)
    return Scheme(id=str(sid), version=str(version), title=title, reference=reference,
                  effective_from=None if start is MISSING else start, bands=tuple(bands),
                  must_stop=frozenset(stop), stop_uncertain=stop_uncertain)


def _flags(ck: Checker, raw: Mapping, where: str) -> bool:
    for flag in ("configurable", "uncertain"):
        if flag in raw:
            ck.boolean(raw[flag], None, f"{where}.{flag}")
    if "note" in raw and not isinstance(raw["note"], str):
        ck.problem(None, f"{where}.note", raw["note"], "a text")
    return raw.get("uncertain") is True


def _bands(ck: Checker, raw: Any) -> list[Band]:
    if not isinstance(raw, Mapping):
        if raw is not None:
            ck.problem(None, "bands", raw, "a mapping band key -> {name, colour, from}")
        return []
    n = len(raw)
    if not BAND_COUNT.low <= n <= BAND_COUNT.high:
        ck.problem(None, "bands", n, str(BAND_COUNT))
    out: list[Band] = []
    for key, spec in raw.items():
        where = f"bands.{key}"
        if not (isinstance(key, str) and KEY_PATTERN.match(key)):
            ck.problem(None, where, key, "a key of lower-case letters, digits, '_' or '-'",
                       "e.g. green, gold, red")
            continue
        if not isinstance(spec, Mapping):
            ck.problem(None, where, spec, "a mapping {name, colour, from}")
            continue
        ck.unknown_keys(spec, BAND_KEYS, None, where)
        for need in ("name", "colour", "from"):
            if need not in spec:
                ck.problem(None, f"{where}.{need}", None, "this required field")
        name = ck.text(spec.get("name", ""), None, f"{where}.name")
        colour = spec.get("colour")
        if "colour" in spec and not (isinstance(colour, str) and COLOUR_PATTERN.match(colour)):
            ck.problem(None, f"{where}.colour", colour, 'a colour "#rrggbb"')
        start = ck.number(spec.get("from"), None, f"{where}.from", SCORE) \
            if "from" in spec else MISSING
        uncertain = _flags(ck, spec, where)
        if start is not MISSING and isinstance(colour, str):
            out.append(Band(key, name, colour, start, uncertain))
    if out and len(out) == n:
        starts = [b.start for b in out]
        if not all(a > b for a, b in itertools.pairwise(starts)):
            ck.problem(None, "bands", starts, "the 'from' of each band below the one "
                       "before it (the safest band first)",
                       "each value must be smaller than the one before it")
        if starts[-1] != 0:
            ck.problem(None, f"bands.{out[-1].key}.from", starts[-1],
                       "0 for the last band (every score 0-100 has a band)")
    return out


def _must_stop(ck: Checker, raw: Any, keys: set[str]) -> tuple[list[str], bool]:
    if not isinstance(raw, Mapping):
        if raw is not None:
            ck.problem(None, "must_stop", raw, "a mapping {bands: [band keys]}")
        return [], False
    ck.unknown_keys(raw, STOP_KEYS, None, "must_stop")
    bands = raw.get("bands")
    if not isinstance(bands, list):
        ck.problem(None, "must_stop.bands", bands, "a list of band keys (may be empty)")
        return [], False
    out = []
    for b in bands:
        if keys and b not in keys:
            ck.problem(None, "must_stop.bands", b, f"one of {sorted(keys)}")
        else:
            out.append(b)
    return out, _flags(ck, raw, "must_stop")


def shipped() -> dict[str, tuple[Scheme, str]]:
    """The schemes shipped with the application: id -> (scheme, YAML text)."""
    out = {}
    for path in sorted(SHIPPED.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        scheme = parse_text(text, path.name)
        out[scheme.id] = (scheme, text)
    return out


def in_force(schemes: list[Scheme], day: dt.date) -> Scheme:
    """The scheme in force on ``day`` among ``schemes`` (oldest first; the shipped ones
    before any added): the latest ``effective_from`` on or before the day, the last one
    listed winning a tie; before every start, the earliest."""
    best = None
    for s in schemes:
        start = s.effective_from or dt.date.min
        if start <= day and (best is None or start >= (best.effective_from or dt.date.min)):
            best = s
    if best is None:
        best = min(schemes, key=lambda s: s.effective_from or dt.date.min)
    return best
