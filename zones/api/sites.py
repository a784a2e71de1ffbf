"""The safety map's sites (issue 25): facilities with their self-assessed safety score,
quarantine sites, lockdown areas; uploads checked and stored (audited, in the sender's
subtree), one facility entered in a form, the list of sites valid on a day with their
band and ``must_stop``, the map's point layers, a unit's sites, the facility scoring
schemes (shipped, added by a province)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from zones.api.action import action, area, log, unit_name
from zones.errors import ZonesError
from zones.i18n import fmt_date, msg, t
from zones.ingest.units import build_index
from zones.levels import dayview
from zones.levels.memo import cached
from zones.people import audit
from zones.people.access import Actor, Right
from zones.sites import registry
from zones.sites.check import CheckedSites
from zones.sites.marks import SiteMarks, site_marks
from zones.sites.read import KINDS, columns_of
from zones.storage import sites_sql
from zones.workspace import Workspace

__all__ = [
    "SITE_KINDS",
    "add_site",
    "add_site_scheme",
    "check_site_scheme_size",
    "check_sites",
    "format_site_check",
    "site_bands",
    "site_lists",
    "site_scheme_text",
    "site_schemes",
    "site_template",
    "sites_list",
    "store_sites",
    "unit_sites",
]

SITE_KINDS = KINDS


def _units(ws: Workspace):
    units = dayview.units(ws)
    if units.empty:
        raise ZonesError(msg("sites.no_units"))
    return units


def _index(ws: Workspace):
    return cached(ws, "sites-index", lambda: build_index(_units(ws).reset_index(drop=True)))


@action(Right.SEND, "sites_import", anonymous=True)
def check_sites(ws: Workspace, data: bytes, filename: str, kind: str, lang: str = "vi",
                actor: Actor | None = None) -> CheckedSites:
    """Read (bounded, in the child process) and check a sites file of ``kind``; nothing
    is stored. With ``actor``, rows for units outside their subtree are refused."""
    registry.check_kind(kind)
    where, where_name = None, ""
    if actor is not None:
        where = area(ws, actor)
        where_name = unit_name(ws, actor.unit) if where is not None else ""
    return registry.check_file(ws.engine, data, filename, kind, _index(ws), _units(ws),
                               lang=lang, area=where, area_name=where_name,
                               settings=ws.settings)


@action(Right.SEND, "sites_import")
def store_sites(ws: Workspace, checked: CheckedSites, actor: Actor,
                dry_run: bool = False, source: str | None = None) -> registry.Stored:
    """Store the good rows of a checked sites file as ``actor`` (audited with the data,
    in one transaction); re-sent sites update and keep their old version."""
    if actor.scoped:  # checked for another actor: refuse rather than store outside
        inside = area(ws, actor) or set()
        stray = [c for c in checked.good["unit_code"] if c not in inside]
        if stray:
            raise ZonesError(msg("access.outside_unit", user=actor.name,
                               area=unit_name(ws, actor.unit), unit=stray[0]))

    def entry(conn, result):
        audit.record(conn, actor, "sites_import", detail={
            "file": checked.filename, "kind": checked.kind, **checked.counts(),
            "new": result.new, "updated": result.updated, "unchanged": result.unchanged})

    where = area(ws, actor)
    try:
        result = registry.store_checked(
            ws.engine, checked, sent_by=actor.name, dry=dry_run, source=source,
            on_commit=entry, area=where, describe_unit=lambda c: unit_name(ws, c),
            area_name=unit_name(ws, actor.unit) if where is not None else "")
    except ZonesError as err:
        audit.record(ws.engine, actor, "sites_import", outcome="refused",
                     detail={"file": checked.filename, "reason": str(err)})
        raise
    log.info("sites stored: %s new, %s updated, %s refused", result.new, result.updated,
             len(checked.refused))
    return result


def format_site_check(checked: CheckedSites, result: registry.Stored | None = None,
                      lang: str = "vi", limit: int = 500) -> str:
    """The per-row report of a sites file (and what storing it did)."""
    c = checked.counts()
    lines = [t("sites.summary", lang=lang, file=checked.filename,
               kind=t(f"sites.kind.{checked.kind}", lang=lang), rows=c["rows"],
               good=c["good"], refused=c["refused"], header_row=checked.header_row)]
    if checked.ignored:
        lines.append(t("ingest.ignored", lang=lang,
                       columns=", ".join(f"«{h}»" for h in checked.ignored)))
    for p in checked.problems.head(limit).itertuples(index=False):
        lines.append(t("ingest.problem_line", lang=lang, row=p.row, column=p.column,
                       value=p.value, reason=p.reason, fix=p.fix))
    if len(checked.problems) > limit:
        lines.append(t("ingest.more_problems", lang=lang,
                       more=len(checked.problems) - limit))
    if result is not None:
        lines.append(t("sites.would_store" if result.dry_run else "sites.stored", lang=lang,
                       new=result.new, updated=result.updated, unchanged=result.unchanged))
    return "\n".join(lines)


@action(Right.SEND, "sites_import")
def add_site(ws: Workspace, actor: Actor, kind: str, fields: dict, lang: str = "vi"
             ) -> tuple[CheckedSites, registry.Stored | None]:
    """One site entered in a form (small communes): checked exactly as a file's row (the
    same report), stored when it has no problem."""
    registry.check_kind(kind)
    columns = [*columns_of(kind), "unit_code"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerow(["" if fields.get(c) is None else str(fields.get(c)) for c in columns])
    data = buffer.getvalue().encode("utf-8")
    checked = check_sites(ws, data, "form", kind, lang=lang, actor=actor)
    if len(checked.refused):
        return checked, None
    return checked, store_sites(ws, checked, actor, source="form")


def _subtree(ws: Workspace, unit: str | None) -> set[str] | None:
    if unit is None:
        return None
    units = _units(ws)
    if unit not in units.index:
        raise ZonesError(msg("sites.unknown_unit", code=unit))
    children: dict[str, list[str]] = {}
    for code, parent in zip(units.index, units["parent_code"], strict=True):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(code)
    out, todo = set(), [unit]
    while todo:
        code = todo.pop()
        if code not in out:
            out.add(code)
            todo.extend(children.get(code, []))
    return out


def _current(ws: Workspace) -> pd.DataFrame:
    return cached(ws, "sites-current", lambda: registry.current(ws.engine, geometry=True),
                  sites_sql.version(ws.engine))


def _schemes(ws: Workspace) -> list[registry.KeptScheme]:
    return cached(ws, "sites-schemes", lambda: registry.kept_schemes(ws.engine),
                  sites_sql.schemes_version(ws.engine))


@action()
def sites_list(ws: Workspace, kind: str | None = None, unit: str | None = None,
               day: date | None = None, lang: str = "vi") -> pd.DataFrame:
    """CSV of ``sites list``: the sites valid on ``day`` (all current ones without a
    day) in ``unit``'s subtree, with the band and ``must_stop`` of each facility under
    the scheme in force that day (today's without a day)."""
    if kind is not None:
        registry.check_kind(kind)
    subtree = _subtree(ws, unit)
    scheme = registry.scheme_in_force(_schemes(ws), day or date.today())
    return registry.listing(_current(ws), subtree, kind, day, scheme)


@action()
def site_lists(ws: Workspace, day: date, unit: str | None = None, lang: str = "vi"
               ) -> dict[str, pd.DataFrame]:
    """The leaders' lists of ``day`` in ``unit``'s subtree: the facilities that must
    stop, the full quarantine sites (occupied >= capacity); names as written."""
    frame = _current(ws)
    keep = registry.valid_on(frame, day)
    subtree = _subtree(ws, unit)
    if subtree is not None:
        keep &= frame["unit_code"].isin(list(subtree))
    sub = frame[keep]
    scheme = registry.scheme_in_force(_schemes(ws), day)
    names = _units(ws)["name"]
    stops = pd.Series([scheme.stops(float(s)) if s is not None and not pd.isna(s) else False
                       for s in sub["score"]], index=sub.index, dtype=bool)
    fac = sub[(sub["kind"] == "facility") & stops]
    qua = sub[(sub["kind"] == "quarantine") & (sub["occupied"].astype(float) >=
                                                sub["capacity"].astype(float))]
    stop = pd.DataFrame({"site_id": fac["site_id"], "name": fac["name"],
                         "unit_code": fac["unit_code"],
                         "unit_name": fac["unit_code"].map(names).fillna(""),
                         "sector": fac["sector"].fillna(""),
                         "score": [registry._num(s) for s in fac["score"]],
                         "band": [scheme.band(float(s)).name.get(lang) for s in fac["score"]],
                         "from": [fmt_date(d) for d in fac["valid_from"]],
                         "to": [fmt_date(d) for d in fac["valid_to"]],
                         "sent_by": fac["sent_by"]}).reset_index(drop=True)
    full = pd.DataFrame({"site_id": qua["site_id"], "name": qua["name"],
                         "unit_code": qua["unit_code"],
                         "unit_name": qua["unit_code"].map(names).fillna(""),
                         "capacity": qua["capacity"].astype("Int64"),
                         "occupied": qua["occupied"].astype("Int64"),
                         "from": [fmt_date(d) for d in qua["valid_from"]],
                         "to": [fmt_date(d) for d in qua["valid_to"]],
                         "sent_by": qua["sent_by"]}).reset_index(drop=True)
    return {"must_stop": stop, "full": full}


@action()
def unit_sites(ws: Workspace, code: str, day: date, lang: str = "vi") -> dict:
    """A unit's sites valid on ``day`` (its subtree): counts (facilities by band,
    quarantine beds and free beds, lockdowns in force) and the list."""
    frame = _current(ws)
    keep = registry.valid_on(frame, day) & frame["unit_code"].isin(list(_subtree(ws, code)))
    sub = frame[keep]
    scheme = registry.scheme_in_force(_schemes(ws), day)
    fac = sub[sub["kind"] == "facility"]
    by_band = {b.key: 0 for b in scheme.bands}
    for s in fac["score"]:
        band = scheme.band(float(s)) if s is not None and not pd.isna(s) else None
        if band is not None:
            by_band[band.key] += 1
    qua = sub[sub["kind"] == "quarantine"]
    capacity = int(qua["capacity"].fillna(0).astype(int).sum()) if len(qua) else 0
    occupied = int(qua["occupied"].fillna(0).astype(int).sum()) if len(qua) else 0
    rows = pd.DataFrame({
        "kind": [t(f"sites.kind.{k}", lang=lang) for k in sub["kind"]],
        "name": sub["name"].to_numpy(), "detail": [_detail(r, scheme, lang)
                                                   for r in sub.to_dict("records")],
        "from": [fmt_date(d) for d in sub["valid_from"]],
        "to": [fmt_date(d) for d in sub["valid_to"]]})
    return {"bands": [(b.key, b.name.get(lang), b.colour, by_band[b.key])
                      for b in scheme.bands],
            "facilities": len(fac), "quarantine": len(qua), "capacity": capacity,
            "occupied": occupied, "free": max(capacity - occupied, 0),
            "lockdowns": int((sub["kind"] == "lockdown").sum()), "rows": rows}


def _detail(r: dict, scheme, lang: str) -> str:
    if r["kind"] == "facility" and r["score"] is not None and not pd.isna(r["score"]):
        return f"{registry._num(r['score'])} % · {scheme.band(float(r['score'])).name.get(lang)}"
    if r["kind"] == "quarantine":
        occ = "–" if r["occupied"] is None or pd.isna(r["occupied"]) else int(r["occupied"])
        return f"{occ}/{int(r['capacity'])}"
    return ""


def briefing_site_marks(ws: Workspace, day, unit: str | None, lang: str = "vi"
                        ) -> SiteMarks:
    """What a briefing's map of ``day`` draws of the sites: those valid that day in
    ``unit``'s subtree (everywhere for None), facilities by the band of the scheme in
    force that day."""
    on = pd.Timestamp(day).date()
    scheme = registry.scheme_in_force(_schemes(ws), on)
    return site_marks(_current(ws), on, _subtree(ws, unit), scheme, lang)


@action()
def site_bands(ws: Workspace, day: date, lang: str = "vi") -> list[dict]:
    """The bands of the scheme in force on ``day`` as the map colours facilities (safest
    first): key, lower edge, colour, name, whether a facility in it must stop."""
    scheme = registry.scheme_in_force(_schemes(ws), day)
    return [{"key": b.key, "from": b.start, "colour": b.colour, "name": b.name.get(lang),
             "stop": b.key in scheme.must_stop} for b in scheme.bands]


@action()
def site_template(ws: Workspace, kind: str, lang: str = "vi") -> bytes:
    """The CSV template of a kind of site (the columns of the contract and an example
    row; UTF-8 with BOM, so Excel shows the diacritics)."""
    registry.check_kind(kind)
    columns = ["site_id", "name", "unit_code", "lat", "lon", "from", "to", *columns_of(kind)[6:]]
    example = {"facility": ["CS-0001", "Công ty TNHH Ví Dụ", "", "", "", "01/09/2021", "",
                            "chế biến thủy sản", "85"],
               "quarantine": ["CL-0001", "Khu cách ly tập trung Ví Dụ", "", "", "",
                              "01/09/2021", "", "200", "150"],
               "lockdown": ["PT-0001", "Hẻm Ví Dụ", "", "", "", "01/09/2021", "15/09/2021"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerow(example[kind])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@action(Right.RULESETS, "site_scheme_added")
def add_site_scheme(ws: Workspace, actor: Actor, data: bytes, file_name: str,
                    lang: str = "vi") -> registry.KeptScheme:
    """Validate and keep a province's facility scoring scheme (administrators, as rule
    sets; audited); the same file again changes nothing."""
    kept = registry.add_scheme(ws.engine, data, file_name, actor.name)
    if kept.number:
        audit.record(ws.engine, actor, "site_scheme_added", detail={
            "scheme": kept.scheme.id, "version": kept.scheme.version,
            "stored_version": kept.number, "file": file_name})
    return kept


@action()
def check_site_scheme_size(size: int, file_name: str, lang: str = "vi") -> None:
    """Refuse a scheme file too big to be one, before it is read."""
    registry.check_scheme_size(size, file_name)


@action()
def site_schemes(ws: Workspace, day: date | None = None, lang: str = "vi") -> pd.DataFrame:
    """Every scheme (shipped, added), its bands, and which one is in force on ``day``."""
    kept = _schemes(ws)
    force = registry.scheme_in_force(kept, day or date.today())
    rows = []
    for k in kept:
        s = k.scheme
        rows.append({"id": s.id, "version": s.version, "title": s.title.get(lang),
                     "effective_from": s.effective_from.isoformat()
                     if s.effective_from else "",
                     "bands": "; ".join(f"{b.key} ≥ {registry._num(b.start)}"
                                        + (" (uncertain)" if b.uncertain else "")
                                        for b in s.bands),
                     "must_stop": ",".join(sorted(s.must_stop)), "source": k.source,
                     "added_by": k.added_by,
                     "in_force": "1" if s is force else "0"})
    return pd.DataFrame(rows)


@action()
def site_scheme_text(ws: Workspace, scheme_id: str, lang: str = "vi") -> str:
    """A scheme's YAML text (to copy, change and add as the province's own)."""
    kept = {k.scheme.id: k for k in _schemes(ws)}
    if scheme_id not in kept:
        raise ZonesError(t("sites.scheme.unknown", lang, id=scheme_id, ids=", ".join(sorted(kept))))
    return kept[scheme_id].text
