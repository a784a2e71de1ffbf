"""Finding the unit an upload row is about: by code, or by name plus parents' names.

Names are matched with ``geodata.names.fold`` (no diacritics, tone-mark placement or
unit-type prefix). Each distinct (code, name, district, province) combination is
resolved once, so a 10,000-row file costs about as many look-ups as it has units.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from geodata.names import fold
from zones.i18n import t

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
    return UnitIndex(frozenset(codes), bare, by_name, name, level, parents, label)


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

def by_code(index: UnitIndex, code: str, name: str, lang: str | None) -> Resolution:
    """Resolve a code; leading zeros lost by Excel are restored when that is unambiguous
    (among communes and hamlets first)."""
    found = code if code in index.codes else None
    if found is None and code.isdigit():
        same = _prefer_observed(index, index.by_bare_code.get(code.lstrip("0") or "0", []))
        found = same[0] if len(same) == 1 else None
    if found is None:
        return Resolution(problem="code_unknown", detail=_code_hint(index, code, name, lang))
    if name and fold(name) != fold(index.name[found]):
        return Resolution(problem="code_name_mismatch",
                          detail=describe(index, found))
    return Resolution(code=found)


def _code_hint(index: UnitIndex, code: str, name: str, lang: str | None) -> str:
    same = index.by_bare_code.get(code.lstrip("0") or "0", []) if code.isdigit() else []
    if same:
        return _listing(index, same)
    if name:
        hits = index.by_name.get(fold(name), [])
        if hits:
            return _listing(index, hits)
    close = _closest(code, list(index.codes), 80)
    return _listing(index, close) if close else t("ingest.none", lang=lang)


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


def by_name(index: UnitIndex, name: str, district: str, province: str,
            fuzzy: bool = True) -> Resolution:
    """Resolve a name (with optional district and province names)."""
    candidates = index.by_name.get(fold(name), [])
    if not candidates:
        return Resolution(problem="name_unknown",
                          detail=_name_hint(index, name, province) if fuzzy else "")
    kept = _prefer_observed(index, _filter_parents(index, candidates, district, province))
    if not kept:
        return Resolution(problem="name_not_in_parent", detail=_listing(index, candidates))
    if len(kept) > 1:
        return Resolution(problem="name_ambiguous", detail=_listing(index, kept))
    return Resolution(code=kept[0])


def _name_hint(index: UnitIndex, name: str, province: str) -> str:
    close = _closest(fold(name), list(index.by_name), 75)
    codes = [c for k in close for c in index.by_name[k]]
    codes = _filter_parents(index, codes, "", province) or codes
    return _listing(index, codes[:MAX_SUGGESTIONS]) if codes else ""


# --- whole columns ---------------------------------------------------------------------------

def resolve_units(index: UnitIndex, refs: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Resolve every row of ``refs`` (text columns unit_code, unit_name, district_name,
    province_name; "" when absent) -> frame with columns code, problem, detail."""
    cols = ["unit_code", "unit_name", "district_name", "province_name"]
    keys = refs[cols].drop_duplicates()
    results = []
    for code, name, district, province in keys.itertuples(index=False, name=None):
        if code:
            res = by_code(index, code, name, lang)
        elif name:
            res = by_name(index, name, district, province)
        else:
            res = Resolution(problem="unit_missing")
        if res.code is not None and index.level[res.code] not in OBSERVED_LEVELS:
            res = Resolution(problem="unit_not_reporting", detail=describe(index, res.code))
        results.append((code, name, district, province, res.code, res.problem, res.detail))
    table = pd.DataFrame(results, columns=[*cols, "code", "problem", "detail"], dtype=object)
    merged = refs[cols].merge(table, on=cols, how="left")  # a left merge keeps the order
    merged.index = refs.index
    return merged[["code", "problem", "detail"]]
