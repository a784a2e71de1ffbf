"""Finding the unit an upload row is about: by code, or by name plus parents' names.

Names are matched with ``geodata.names.fold`` (no diacritics, tone-mark placement or
unit-type prefix). Each distinct (code, name, district, province) combination is
resolved once, so a 10,000-row file costs about as many look-ups as it has units.

A name is looked for inside the sender's own subtree first (``area``): an official of
Phường Vĩnh Lạc writing "Khu pho 1" means Vĩnh Lạc's Khu phố 1, not another commune's.
The name cell may carry its parents after commas ("Khu pho 3, Phuong Vinh Lac").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from geodata.names import fold

MAX_SUGGESTIONS = 3
OBSERVED_LEVELS = ("commune", "hamlet")


@dataclass
class UnitIndex:
    """Look-up tables over the units of the active boundary set."""

    codes: frozenset[str]
    by_bare_code: dict[str, list[str]]  # code without leading zeros -> codes
    by_name: dict[str, list[str]]  # folded name -> codes
    name: dict[str, str]
    level: dict[str, str]
    parents: dict[str, dict[str, str]]  # code -> {level: folded ancestor name}
    label: dict[str, str]  # "Xã A (Huyện B, Tỉnh C)"
    parent: dict[str, str | None]  # code -> parent code


@dataclass
class Resolution:
    """The outcome for one distinct unit reference: a code or a problem."""

    code: str | None = None
    problem: str | None = None  # message key suffix, e.g. "unit_unknown"
    detail: str = ""  # candidates or suggestions, already formatted


def _ancestors(code: str, parent: dict, level: dict, fname: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    seen = {code}
    p = parent.get(code)
    while p and p in level and p not in seen:
        out.setdefault(level[p], fname[p])
        seen.add(p)
        p = parent.get(p)
    return out


def build_index(units: pd.DataFrame) -> UnitIndex:
    """Index the units frame of ``store.load_units``."""
    codes = [str(c) for c in units["code"]]
    name = dict(zip(codes, units["name"].astype(str), strict=True))
    level = dict(zip(codes, units["level"].astype(str), strict=True))
    parent = dict(zip(codes, units["parent_code"], strict=True))
    fname = {c: fold(n) for c, n in name.items()}
    by_name: dict[str, list[str]] = {}
    for c in codes:
        by_name.setdefault(fname[c], []).append(c)
    bare: dict[str, list[str]] = {}
    for c in codes:
        if c.isdigit():
            bare.setdefault(c.lstrip("0") or "0", []).append(c)
    parents = {c: _ancestors(c, parent, level, fname) for c in codes}
    label = {c: _label(c, name, parent, level) for c in codes}
    parent_code = {c: (str(p) if isinstance(p, str) and p else None)
                   for c, p in parent.items()}
    return UnitIndex(frozenset(codes), bare, by_name, name, level, parents, label,
                     parent_code)


def _label(code: str, name: dict, parent: dict, level: dict) -> str:
    chain, p, seen = [], parent.get(code), {code}
    while p and p in name and p not in seen:
        chain.append(name[p])
        seen.add(p)
        p = parent.get(p)
    return f"{name[code]} ({', '.join(chain)})" if chain else name[code]


def describe(index: UnitIndex, code: str) -> str:
    """A unit as users recognise it: name, parents and code."""
    return f"{index.label[code]} – {code}"


# --- by code ---------------------------------------------------------------------------------

def by_code(index: UnitIndex, code: str, name: str, lang: str,
            area: set[str] | None = None) -> Resolution:
    """Resolve a code; leading zeros lost by Excel are restored when that is unambiguous
    (inside the sender's ``area`` first, then among communes and hamlets first)."""
    found = code if code in index.codes else None
    if found is None and code.isdigit():
        same = _in_area(index.by_bare_code.get(code.lstrip("0") or "0", []), area)
        same = _prefer_observed(index, same)
        found = same[0] if len(same) == 1 else None
    if found is None:
        hint = _code_hint(index, code, name, area)
        return Resolution(problem="code_unknown" if hint else "code_unknown_none",
                          detail=hint)
    if name and fold(name) != fold(index.name[found]):
        return Resolution(problem="code_name_mismatch",
                          detail=describe(index, found))
    return Resolution(code=found)


def _code_hint(index: UnitIndex, code: str, name: str, area: set[str] | None) -> str:
    """Codes the user may have meant ("" when none is close: the message says so)."""
    same = index.by_bare_code.get(code.lstrip("0") or "0", []) if code.isdigit() else []
    if same:
        return _listing(index, _in_area(same, area))
    if name:
        hits = index.by_name.get(fold(name), [])
        if hits:
            return _listing(index, _in_area(hits, area))
    choices = sorted(area) if area else list(index.codes)
    close = _closest(code, choices, 80) or (_closest(code, list(index.codes), 80)
                                            if area else [])
    return _listing(index, close) if close else ""


def _closest(query: str, choices: list[str], cutoff: int) -> list[str]:
    """The choices most like ``query`` (similarity >= ``cutoff`` of 100), best first."""
    hits = process.extract(query, choices, scorer=fuzz.ratio, limit=MAX_SUGGESTIONS,
                           score_cutoff=cutoff)
    return [choice for choice, _score, _pos in hits]


def _listing(index: UnitIndex, codes: list[str]) -> str:
    shown = [describe(index, c) for c in sorted(codes)[:8]]
    more = len(codes) - len(shown)
    return "; ".join(shown) + (f"; … (+{more})" if more > 0 else "")


# --- by name ---------------------------------------------------------------------------------

def _filter_parents(index: UnitIndex, codes: list[str], district: str,
                    province: str) -> list[str]:
    out = codes
    if province:
        key = fold(province)
        out = [c for c in out if index.parents[c].get("province") == key]
    if district:
        key = fold(district)
        out = [c for c in out if index.parents[c].get("district", key) == key]
    return out


def _prefer_observed(index: UnitIndex, codes: list[str]) -> list[str]:
    low = [c for c in codes if index.level[c] in OBSERVED_LEVELS]
    return low or codes


def _in_area(codes: list[str], area: set[str] | None) -> list[str]:
    """The ``codes`` inside the sender's subtree when there are any, else all of them."""
    inside = [c for c in codes if c in area] if area else []
    return inside or codes


def split_parents(name: str) -> tuple[str, list[str]]:
    """ "Khu pho 3, Phuong Vinh Lac" -> ("Khu pho 3", ["Phuong Vinh Lac"]): a name cell
    that carries its parents' names after commas (empty parts dropped)."""
    head, *rest = name.split(",")
    return head.strip(), [part.strip() for part in rest if fold(part)]


def _chain(index: UnitIndex, code: str) -> list[str]:
    out, seen, p = [], {code}, index.parent.get(code)
    while p and p in index.name and p not in seen:
        out.append(p)
        seen.add(p)
        p = index.parent.get(p)
    return out


def _under(index: UnitIndex, codes: list[str], parents: list[str]) -> list[str]:
    """The ``codes`` that have an ancestor (any level) of each parent name; where the
    name is written with its type ("Thị trấn Kiên Lương", not "Huyện Kiên Lương") and
    that tells two candidates apart, the type counts too."""
    if not parents:
        return codes
    keys = [fold(p) for p in parents]
    out = [c for c in codes if all(k in index.parents[c].values() for k in keys)]
    if len(out) > 1:
        full = [fold(p, drop_prefix=False) for p in parents]
        strict = [c for c in out if all(
            f in {fold(index.name[a], drop_prefix=False) for a in _chain(index, c)}
            for f in full)]
        out = strict or out
    return out


def by_name(index: UnitIndex, name: str, district: str, province: str,
            fuzzy: bool = True, area: set[str] | None = None) -> Resolution:
    """Resolve a name (with optional district and province names, and parents written
    after commas in the name cell); inside the sender's ``area`` first."""
    candidates, above = index.by_name.get(fold(name), []), []
    if not candidates and "," in name:
        name, above = split_parents(name)
        candidates = index.by_name.get(fold(name), [])
    if not candidates:
        hint = _name_hint(index, name, province, area) if fuzzy else ""
        return Resolution(problem="name_unknown" if hint else "name_unknown_none",
                          detail=hint)
    kept = _under(index, _filter_parents(index, candidates, district, province), above)
    if not kept:
        return Resolution(problem="name_not_in_parent", detail=_listing(index, candidates))
    kept = _prefer_observed(index, _in_area(kept, area))
    if len(kept) > 1:
        return Resolution(problem="name_ambiguous", detail=_listing(index, kept))
    return Resolution(code=kept[0])


def _name_hint(index: UnitIndex, name: str, province: str,
               area: set[str] | None = None) -> str:
    """Units with a name close to ``name`` ("" when none is: the message says so)."""
    close = _closest(fold(name), list(index.by_name), 75)
    codes = [c for k in close for c in index.by_name[k]]
    codes = _in_area(_filter_parents(index, codes, "", province) or codes, area)
    return _listing(index, codes[:MAX_SUGGESTIONS]) if codes else ""


# --- whole columns ---------------------------------------------------------------------------

def resolve_units(index: UnitIndex, refs: pd.DataFrame, lang: str,
                  area: set[str] | None = None) -> pd.DataFrame:
    """Resolve every row of ``refs`` (text columns unit_code, unit_name, district_name,
    province_name; "" when absent) -> frame with columns code, problem, detail. Names
    and codes are looked for inside ``area`` (the sender's subtree) first. A district or
    province resolves too: the check takes its own inputs and refuses its counts."""
    cols = ["unit_code", "unit_name", "district_name", "province_name"]
    keys = refs[cols].drop_duplicates()
    results = []
    for code, name, district, province in keys.itertuples(index=False, name=None):
        if code:
            res = by_code(index, code, name, lang, area)
        elif name:
            res = by_name(index, name, district, province, area=area)
        else:
            res = Resolution(problem="unit_missing")
        results.append((code, name, district, province, res.code, res.problem, res.detail))
    table = pd.DataFrame(results, columns=[*cols, "code", "problem", "detail"], dtype=object)
    merged = refs[cols].merge(table, on=cols, how="left")  # a left merge keeps the order
    merged.index = refs.index
    return merged[["code", "problem", "detail"]]
