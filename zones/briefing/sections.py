"""The briefing as a sequence of sections (a message, a table, a picture), in the user's
language: the slide deck and the printable report render the same sections."""

from __future__ import annotations

from datetime import timedelta

import geopandas as gpd

from zones.briefing import pictures
from zones.briefing.glance import glance
from zones.briefing.method import method_lines
from zones.briefing.model import LEVELS_DOWN, Briefing
from zones.briefing.parts import Section, level_label, tr
from zones.i18n import fmt_date, fmt_int, fmt_num
from zones.levels.dayview import STALE_DAYS
from zones.levels.transitions import DECLARATION, RULESET
from zones.maps.palettes import PALETTES


def sections(b: Briefing, geometry: gpd.GeoDataFrame, palette: str = "default",
             outlines: gpd.GeoDataFrame | None = None,
             extra: tuple[Section, ...] = (), sites: tuple | None = None) -> list[Section]:
    """Every section of the briefing, in order (``extra``: made elsewhere, e.g. the
    outlook's slide, placed before the method; ``sites``: the sites drawn on the maps
    before and at the end of the period, ``zones.sites.marks.SiteMarks``)."""
    colours = PALETTES[palette]
    parts = [glance(b, colours)]
    if b.plans is not None and not b.plans.emulation.empty:
        parts.append(_emulation(b))
    parts += [_maps(b, geometry, palette, outlines, sites), _counts(b)]
    if len(b.by_parent) > 1:  # one parent only: the counts above already say it
        parts.append(_by_parent(b))
    parts += [_moves(b), *_declared_and_silent(b), _trends(b, colours), *extra, _method(b),
              _signature(b)]
    if len(b.up) + len(b.down):
        parts.append(_all_moves(b))
    return parts


def _maps(b: Briefing, geometry: gpd.GeoDataFrame, palette: str, outlines,
          sites: tuple | None = None) -> Section:
    title = tr(b, "brief.map_title", level=level_label(b), unit=b.unit_name)
    before, now = sites if sites is not None else (None, None)
    return Section("maps", tr(b, "brief.maps"), [], pictures=[
        (tr(b, "brief.map_before", date=fmt_date(b.earlier.day)),
         pictures.map_picture(b.earlier, geometry, title, palette, b.lang, width_in=9,
                              outlines=outlines, sites=before)),
        (tr(b, "brief.map_now", date=fmt_date(b.now.day)),
         pictures.map_picture(b.now, geometry, title, palette, b.lang, width_in=9,
                              outlines=outlines, sites=now))])


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
                   widths=[3, 1.6, 1.6, 1.8, 1.8], compact=True, total_row=True)


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


def _declared_and_silent(b: Briefing) -> list[Section]:
    """The declarations that differ and the silent units; one short page when both lists
    are empty."""
    if len(b.declared) or len(b.silent):
        return [_declared(b), _silent(b)]
    return [Section("quiet", tr(b, "brief.quiet"), [
        tr(b, "brief.declared", n=0, date=fmt_date(b.end)),
        tr(b, "brief.silent", n=0, days=STALE_DAYS, date=fmt_date(b.end))])]


def _silent(b: Briefing) -> Section:
    header = [tr(b, "brief.col.unit"), tr(b, "brief.col.last_report")]
    rows = [[f"{r.name} ({r.code})", r.last] for r in b.silent.itertuples()]
    lines = [] if rows else [tr(b, "brief.none")]
    return Section("silent", tr(b, "brief.silent", n=len(rows), days=STALE_DAYS,
                                date=fmt_date(b.end)), lines, header, rows, widths=[3, 2])


def _trends(b: Briefing, colours) -> Section:
    if b.story is None or b.story.empty:
        return Section("trends", tr(b, "brief.trends", unit=b.unit_name), [tr(b, "brief.none")])
    first = b.start - timedelta(weeks=TREND_WEEKS)  # the weeks that explain this one
    story = b.story.loc[first.isoformat():b.end.isoformat()]
    title = tr(b, "brief.trends_weeks", unit=b.unit_name, weeks=TREND_WEEKS)
    return Section("trends", title, [], pictures=[
        ("", pictures.trend_chart(story, b.bands, colours, b.start, b.end, title, b.lang))])


TREND_WEEKS = 12  # the trends shown before the period (three months)


def _emulation(b: Briefing) -> Section:
    """The children of the unit ranked over the period (the plans area's table), the
    rule of the ranking under it, the green streaks provinces rewarded called out."""
    table = b.plans.emulation
    names = b.names
    header = [tr(b, "brief.emu.rank"), tr(b, "brief.col.unit"), tr(b, "brief.emu.green_days"),
              tr(b, "brief.emu.streak"), tr(b, "brief.emu.levels"),
              tr(b, "brief.emu.regressions"), tr(b, "brief.emu.reporting"),
              tr(b, "brief.emu.targets_met")]
    longest = max(b.plans.callouts, default=0)
    rows = []
    for r in table.to_dict("records"):
        streak, called = int(r["green_streak"]), int(r.get("streak_callout") or 0)
        mark = tr(b, "brief.emu.mark", days=called) + (" ★" if called == longest else "") \
            if called else ""
        rows.append([str(r["rank"]), str(r["unit_name"]), fmt_int(r["green_days"], b.lang),
                     fmt_int(streak, b.lang) + (f" {mark}" if mark else ""),
                     f"{names[_level(r['level_from'])]} → {names[_level(r['level_to'])]}",
                     fmt_int(r["regressions"], b.lang), _percent(r["reporting_rate"], b.lang),
                     fmt_int(r.get("targets_met", 0), b.lang)])
    notes = [b.plans.emulation_rule]
    if b.plans.callouts:
        notes.append(tr(b, "brief.emu.streaks", days=" / ".join(
            str(d) for d in b.plans.callouts), long=longest))
    return Section("emulation", tr(b, "brief.emu.title", unit=b.unit_name, period=b.period),
                   [], header, rows, widths=[1, 2.6, 1, 1.7, 3.2, 1, 1.1, 1], notes=notes,
                   per_slide=16, compact=True)


def _level(value) -> int:
    return 0 if value is None or value != value else int(value)


def _percent(share, lang: str) -> str:
    return "–" if share is None or share != share else f"{fmt_num(100 * float(share), 0, lang)}%"


def _by_parent(b: Briefing) -> Section:
    """Units per level under each parent unit, the most severe first, with the moves of
    the period and a total row."""
    frame = b.by_parent
    header = [tr(b, "brief.col.parent"), *(b.names[lv] for lv in LEVELS_DOWN),
              tr(b, "brief.total"), tr(b, "brief.col.went_up"), tr(b, "brief.col.went_down")]
    numbers = [*LEVELS_DOWN, "total", "up", "down"]
    rows = [[str(r["parent"]), *(fmt_int(r[c], b.lang) for c in numbers)]
            for _, r in frame.iterrows()]
    rows.append([tr(b, "brief.total"), *(fmt_int(frame[c].sum(), b.lang) for c in numbers)])
    return Section("by_parent", tr(b, "brief.by_parent", date=fmt_date(b.end)),
                   [tr(b, "brief.by_parent.order")], header, rows,
                   widths=[2.6, *([1.25] * 5), 0.9, 0.9, 0.9], per_slide=16, total_row=True,
                   compact=True)


def _moves(b: Briefing) -> Section:
    """Every move of the period in one table: one row per (from → to, parent unit), the
    units named (a few per row; the appendix lists them all with their reasons)."""
    moves = _all(b)
    n_up, n_down = len(b.up), len(b.down)
    lines = [tr(b, "brief.moves.line", n=fmt_int(n_up + n_down, b.lang), up=n_up, down=n_down,
                period=b.period)]
    only_rules = int((moves["cause"] == RULESET).sum()) if len(moves) else 0
    if only_rules and b.ruleset_change is not None:
        lines.append(tr(b, "brief.moves_ruleset", n=only_rules,
                        date=fmt_date(b.ruleset_change.on)))
    header = [tr(b, "brief.col.from_to"), tr(b, "brief.col.parent"), tr(b, "brief.col.n"),
              tr(b, "brief.col.units_named")]
    rows = _grouped(b, moves, by_parent=True)
    if len(rows) > MOVE_ROWS:  # two slides at most: group by from → to only
        rows = _grouped(b, moves, by_parent=False)
    if len(moves) == 0:
        lines = [tr(b, "brief.moves.none", period=b.period)]
    notes = [tr(b, "brief.moves.appendix")] if len(moves) else []
    return Section("moves", tr(b, "brief.moves", period=b.period), lines, header, rows,
                   widths=[2.6, 2.2, 0.6, 6.6], notes=notes, per_slide=MOVE_ROWS // 2)


MOVE_ROWS = 14  # rows of the moves table: two slides
NAMES_PER_ROW = 8


def _all(b: Briefing):
    import pandas as pd
    return pd.concat([b.up, b.down], ignore_index=True)


def _grouped(b: Briefing, moves, by_parent: bool) -> list[list[str]]:
    if len(moves) == 0:
        return []
    keys = ["from_level", "to_level", "parent"] if by_parent else ["from_level", "to_level"]
    frame = moves.assign(up=moves["to_level"] > moves["from_level"])
    rows = []
    for _key, group in frame.groupby(keys, sort=False):
        first = group.iloc[0]
        names = sorted(group["name"].astype(str))
        shown = ", ".join(names[:NAMES_PER_ROW])
        if len(names) > NAMES_PER_ROW:
            shown += " " + tr(b, "brief.moves.more", n=len(names) - NAMES_PER_ROW)
        rows.append(((not first["up"], -int(first["to_level"]) if first["up"]
                      else int(first["to_level"]), -int(first["from_level"]), -len(group),
                      str(first["parent"]) if by_parent else ""),
                     [f"{b.names[int(first['from_level'])]} → {b.names[int(first['to_level'])]}",
                      str(first["parent"]) if by_parent else
                      tr(b, "brief.moves.parents", n=group["parent"].nunique()),
                      fmt_int(len(group), b.lang), shown]))
    return [row for _key, row in sorted(rows, key=lambda r: r[0])]


def _all_moves(b: Briefing) -> Section:
    """Appendix: every unit that changed level, with the main reason and the way down."""
    header = [tr(b, "brief.col.unit"), tr(b, "brief.col.from_to"), tr(b, "brief.col.since"),
              tr(b, "brief.col.reason"), tr(b, "brief.col.path_down")]
    rows = [[f"{r.name} ({r.code})", f"{b.names[r.from_level]} → {b.names[r.to_level]}",
             fmt_date(r.since) if r.since else "", _reason(b, r), r.path_down]
            for r in _all(b).itertuples()]
    return Section("appendix", tr(b, "brief.appendix", n=len(rows)), [],
                   header, rows, widths=[2.2, 2.4, 1.2, 4.2, 3.2], per_slide=9, appendix=True)


def _method(b: Briefing) -> Section:
    rs = b.rulesets[0] if b.rulesets else None
    lines = [tr(b, "brief.method.ruleset", name=b.ruleset_title),
             tr(b, "brief.method.reference", reference=b.ruleset_reference),
             *(f"• {line}" for line in method_lines(rs, b.level, b.lang)),
             tr(b, "brief.method.in_force"),
             tr(b, "brief.method.source",
                date=fmt_date(b.data_as_of) if b.data_as_of else "–")]
    if b.notices:
        lines.append(tr(b, "brief.method.notes", notes=" · ".join(b.notices)))
    return Section("method", tr(b, "brief.method"), lines)


def _signature(b: Briefing) -> Section:
    """Where and when, who made the briefing and the leader who approves it."""
    made = b.made_on
    place = _place(b)
    when = tr(b, "brief.sign.when", place=place, d=f"{made.day:02d}", m=f"{made.month:02d}",
              y=made.year) if place else tr(b, "brief.sign.when_only", d=f"{made.day:02d}",
                                             m=f"{made.month:02d}", y=made.year)
    blocks = [(tr(b, "brief.sign.preparer"), [tr(b, "brief.sign.hint"), "", "",
                                              b.preparer or "……………………………"]),
              (tr(b, "brief.sign.leader"), [tr(b, "brief.sign.hint"), "", "",
                                           "……………………………"])]
    return Section("signature", tr(b, "brief.sign.title"), [when], blocks=blocks)


PREFIXES = ("Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Quận ", "Xã ", "Phường ",
            "Thị trấn ")


def _place(b: Briefing) -> str:
    """The unit's name without its kind ("Tỉnh Kiên Giang" -> "Kiên Giang"), "" for the
    whole country."""
    if b.unit is None:
        return ""
    name = b.unit_name
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name
