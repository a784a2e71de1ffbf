"""The briefing as a sequence of sections (a message, a table, a picture), in the user's
language: the slide deck and the printable report render the same sections."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

from zones.briefing import pictures
from zones.briefing.model import Briefing
from zones.i18n import fmt_date, fmt_int, t
from zones.levels.dayview import STALE_DAYS
from zones.levels.transitions import DECLARATION, RULESET
from zones.maps.palettes import PALETTES


@dataclass
class Section:
    """One message: a title, lines of text, an optional table and pictures."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    pictures: list[tuple[str, bytes]] = field(default_factory=list)  # (caption, PNG)
    widths: list[float] = field(default_factory=list)  # relative column widths


def sections(b: Briefing, geometry: gpd.GeoDataFrame, palette: str = "default",
             extra: tuple[Section, ...] = ()) -> list[Section]:
    """Every section of the briefing, in order (``extra``: made elsewhere, e.g. the
    outlook's slide, placed before the method)."""
    colours = PALETTES[palette]
    return [_title(b), _maps(b, geometry, palette), _counts(b), _flows(b, colours),
            _by_parent(b), _moves(b, b.up, "up"), _moves(b, b.down, "down"), _declared(b),
            _silent(b), _trends(b, colours), *extra, _method(b)]


def tr(b: Briefing, key: str, **values) -> str:
    return t(key, lang=b.lang, **values)


def level_label(b: Briefing) -> str:
    return tr(b, f"ui.level.{b.level}")


def _title(b: Briefing) -> Section:
    lines = [tr(b, "brief.title.unit", unit=b.unit_name, level=level_label(b)),
             tr(b, "brief.title.period", period=b.period),
             tr(b, "brief.title.ruleset", name=b.ruleset_title),
             tr(b, "brief.title.reference", reference=b.ruleset_reference),
             tr(b, "brief.title.as_of", date=fmt_date(b.data_as_of) if b.data_as_of else "–"),
             *b.notices, tr(b, "brief.title.link", link=b.link)]
    return Section("title", tr(b, "brief.title", unit=b.unit_name), lines)


def _maps(b: Briefing, geometry: gpd.GeoDataFrame, palette: str) -> Section:
    title = tr(b, "brief.map_title", level=level_label(b), unit=b.unit_name)
    return Section("maps", tr(b, "brief.maps"), [], pictures=[
        (tr(b, "brief.map_before", date=fmt_date(b.earlier.day)),
         pictures.map_picture(b.earlier, geometry, title, palette, b.lang, width_in=9)),
        (tr(b, "brief.map_now", date=fmt_date(b.now.day)),
         pictures.map_picture(b.now, geometry, title, palette, b.lang, width_in=9))])


def _counts(b: Briefing) -> Section:
    header = [tr(b, "brief.col.level"), tr(b, "brief.col.units_on", date=fmt_date(b.before)),
              tr(b, "brief.col.units_on", date=fmt_date(b.end)),
              tr(b, "brief.col.population_on", date=fmt_date(b.before)),
              tr(b, "brief.col.population_on", date=fmt_date(b.end))]
    rows = [[r.name, fmt_int(r.units_before, b.lang), fmt_int(r.units, b.lang),
             fmt_int(r.population_before, b.lang), fmt_int(r.population, b.lang)]
            for r in b.counts.itertuples()]
    total = b.counts[["units", "units_before", "population", "population_before"]].sum()
    rows.append([tr(b, "brief.total"), fmt_int(total["units_before"], b.lang),
                 fmt_int(total["units"], b.lang), fmt_int(total["population_before"], b.lang),
                 fmt_int(total["population"], b.lang)])
    return Section("counts", tr(b, "brief.counts", level=level_label(b)), [], header, rows,
                   widths=[3, 1.6, 1.6, 1.8, 1.8])


def _flows(b: Briefing, colours) -> Section:
    moved = b.flow[b.flow["from_level"] != b.flow["to_level"]]["units"].sum()
    line = tr(b, "brief.flows_line", n=fmt_int(moved, b.lang), period=b.period)
    return Section("flows", tr(b, "brief.flows"), [line], pictures=[
        ("", pictures.flow_chart(b.flow, b.names, colours, b.period, b.lang))])


def _by_parent(b: Briefing) -> Section:
    frame = b.by_parent
    header = [tr(b, "brief.col.parent"), *frame.columns[1:]]
    rows = [[str(r[0]), *(fmt_int(v, b.lang) for v in r[1:])]
            for r in frame.itertuples(index=False)]
    return Section("by_parent", tr(b, "brief.by_parent", date=fmt_date(b.end)), [], header,
                   rows, widths=[3, *([1.3] * (len(header) - 1))])


def _moves(b: Briefing, frame, direction: str) -> Section:
    header = [tr(b, "brief.col.unit"), tr(b, "brief.col.from_to"), tr(b, "brief.col.since"),
              tr(b, "brief.col.reason"), tr(b, "brief.col.path_down")]
    rows = [[f"{r.name} ({r.code})", f"{b.names[r.from_level]} → {b.names[r.to_level]}",
             fmt_date(r.since) if r.since else "", _reason(b, r), r.path_down]
            for r in frame.itertuples()]
    lines = [] if rows else [tr(b, "brief.none")]
    only_rules = int((frame["cause"] == RULESET).sum()) if "cause" in frame else 0
    if only_rules and b.ruleset_change is not None:
        lines.append(tr(b, "brief.moves_ruleset", n=only_rules,
                        date=fmt_date(b.ruleset_change.on)))
    return Section(direction, tr(b, f"brief.{direction}", n=len(rows), period=b.period),
                   lines, header, rows, widths=[2.2, 2.6, 1.6, 3.6, 3.0])


def _reason(b: Briefing, r) -> str:
    """The main reason of a move; a move made only by the change of rule set, or by a
    declaration, says so first."""
    note = ""
    if r.cause == RULESET and b.ruleset_change is not None:
        note = tr(b, "brief.cause.ruleset", date=fmt_date(b.ruleset_change.on))
    elif r.cause == DECLARATION:
        note = tr(b, "brief.cause.declaration")
    return "; ".join(part for part in (note, r.reason) if part)


def _declared(b: Briefing) -> Section:
    header = [tr(b, "brief.col.unit"), tr(b, "brief.col.declared"),
              tr(b, "brief.col.computed"), tr(b, "brief.col.decision"),
              tr(b, "brief.col.effective")]
    rows = [[f"{r.name} ({r.code})", b.names[r.declared], b.names[r.computed], r.decision,
             r.start + (f" – {r.end}" if r.end else "")]
            for r in b.declared.itertuples()]
    lines = [] if rows else [tr(b, "brief.none")]
    return Section("declared", tr(b, "brief.declared", n=len(rows), date=fmt_date(b.end)),
                   lines, header, rows, widths=[2.4, 2.4, 2.4, 2, 2])


def _silent(b: Briefing) -> Section:
    header = [tr(b, "brief.col.unit"), tr(b, "brief.col.last_report")]
    rows = [[f"{r.name} ({r.code})", r.last] for r in b.silent.itertuples()]
    lines = [] if rows else [tr(b, "brief.none")]
    return Section("silent", tr(b, "brief.silent", n=len(rows), days=STALE_DAYS,
                                date=fmt_date(b.end)), lines, header, rows, widths=[3, 2])


def _trends(b: Briefing, colours) -> Section:
    if b.story is None or b.story.empty:
        return Section("trends", tr(b, "brief.trends", unit=b.unit_name), [tr(b, "brief.none")])
    story = b.story.loc[:b.end.isoformat()]
    return Section("trends", tr(b, "brief.trends", unit=b.unit_name), [], pictures=[
        ("", pictures.trend_chart(story, b.bands, colours, b.start, b.end,
                                  tr(b, "brief.trends", unit=b.unit_name), b.lang))])


def _method(b: Briefing) -> Section:
    header = [tr(b, "brief.col.kind"), tr(b, "brief.col.level"), tr(b, "brief.col.condition"),
              tr(b, "brief.col.threshold")]
    rows = [[str(r.kind), str(r.level), str(r.condition), str(r.threshold)]
            for r in b.method.itertuples()]
    lines = [tr(b, "brief.method.ruleset", name=b.ruleset_title),
             tr(b, "brief.method.reference", reference=b.ruleset_reference),
             tr(b, "brief.method.in_force"),
             tr(b, "brief.method.source",
                date=fmt_date(b.data_as_of) if b.data_as_of else "–"), *b.notices]
    return Section("method", tr(b, "brief.method"), lines, header, rows,
                   widths=[1.5, 0.8, 4.5, 1.6])
