"""The first page of the briefing: the week at a glance and the decisions to take.

Three numbers (units in the red and orange zones, in the yellow zone, in the green zone,
now and a week before), the plans' targets met, at risk and missed, the hot spots (units
newly red or orange, units that left the green zone, protected communes that rose) and
what the meeting must decide (targets missed or at risk with whoever answers for them,
declared levels the figures no longer give, new red and orange units, units not
reporting). Everything is counted from the briefing's own data: nothing is typed."""

from __future__ import annotations

import pandas as pd

from zones.briefing.model import Briefing
from zones.briefing.parts import Kpi, Section, level_label, tr
from zones.briefing.pictures import short_name
from zones.i18n import fmt_date, fmt_int, fmt_num
from zones.levels.dayview import STALE_DAYS
from zones.maps.palettes import colour_word

SHOWN = 4        # units named per hot-spot line
DECISIONS = 5    # decisions listed on the page (the rest counted)
NAMES = 6        # units named in a decision line
TARGET_ORDER = {"missed": 0, "at_risk": 1}


def glance(b: Briefing, colours) -> Section:
    """The week at a glance (the briefing's first slide and page)."""
    lines = [tr(b, "brief.glance.compare", level=level_label(b).lower(), before=fmt_date(b.before),
                end=fmt_date(b.end))]
    kpis = _kpis(b, colours)
    if b.plans is not None:
        lines.append(_targets_line(b))
    blocks = [(tr(b, "brief.glance.hot"), hot_spots(b)),
              (tr(b, "brief.glance.decide"), decisions(b))]
    notes = [" · ".join([tr(b, "brief.glance.basis", name=b.ruleset_title,
                            date=fmt_date(b.data_as_of) if b.data_as_of else "–"),
                         *b.notices])]
    if b.link:
        notes.append(tr(b, "brief.title.link", link=b.link))
    title = tr(b, "brief.glance.title", unit=b.unit_name, period=b.period)
    return Section("glance", title, lines, kpis=kpis, blocks=blocks, notes=notes)


def _kpis(b: Briefing, colours) -> list[Kpi]:
    counts = b.counts.set_index("level")
    out = []
    for key, levels, colour in (("high", (4, 3), colours[4]), ("yellow", (2,), colours[2]),
                                ("green", (1,), colours[1])):
        now = int(counts.loc[list(levels), "units"].sum())
        before = int(counts.loc[list(levels), "units_before"].sum())
        out.append(Kpi(tr(b, f"brief.glance.{key}"), fmt_int(now, b.lang),
                       tr(b, "brief.glance.was", date=fmt_date(b.before)[:5],
                          n=fmt_int(before, b.lang), change=_change(b, now - before)),
                       colour, now - before, worse_up=key != "green"))
    return out


def _change(b: Briefing, delta: int) -> str:
    if delta == 0:
        return tr(b, "brief.glance.same")
    return tr(b, "brief.glance.more" if delta > 0 else "brief.glance.fewer",
              n=fmt_int(abs(delta), b.lang))


def _targets_line(b: Briefing) -> str:
    status = b.plans.progress["status"] if len(b.plans.progress) else pd.Series(dtype=str)
    n = {s: int((status == s).sum()) for s in ("met", "on_track", "at_risk", "missed")}
    if not len(status):
        return tr(b, "brief.glance.no_targets")
    return tr(b, "brief.glance.targets", total=len(status), **n)


def _named(b: Briefing, names: list[str], limit: int = NAMES) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + tr(b, "brief.moves.more", n=len(names) - limit)
    return shown


def hot_spots(b: Briefing) -> list[str]:
    """New red and orange units (with the main reason), units that left the green zone,
    protected communes that slipped."""
    up = b.up
    out = []
    for level in (4, 3):
        hot = up[up["to_level"] == level]
        if len(hot):
            named = [f"{r.name} ({short_name(str(r.parent))})" for r in hot.itertuples()]
            out.append(tr(b, "brief.glance.new_level", n=len(hot),
                          colour=colour_word(level, b.lang), names=_named(b, named, SHOWN)))
    left = up[up["from_level"] == 1]
    if len(left):
        out.append(tr(b, "brief.glance.left_green", n=len(left),
                      names=_named(b, left["name"].astype(str).tolist(), SHOWN)))
    if b.plans is not None and len(b.plans.breaches):
        breaches = b.plans.breaches.sort_values("day")
        out.append(tr(b, "brief.glance.slipped", n=breaches["unit_code"].nunique()))
        for r in breaches.drop_duplicates("unit_code").head(SHOWN).itertuples():
            reason = f": {short_reason(r.reason)}" if getattr(r, "reason", "") else ""
            out.append(tr(b, "brief.glance.slipped_one", name=r.unit_name,
                          day=fmt_date(pd.Timestamp(r.day).date()), reason=reason))
        if breaches["unit_code"].nunique() > SHOWN:
            out.append(tr(b, "brief.glance.and_more",
                          n=breaches["unit_code"].nunique() - SHOWN))
    if not out:
        out.append(tr(b, "brief.glance.calm"))
    return out


def short_reason(text: str, limit: int = 80) -> str:
    """The step of a reason that set the level (the last of "…; …"), at most ``limit``
    characters: "Không có yếu tố …; Vàng: giáp ranh xã nguy cơ cao: …" -> "Vàng: giáp
    ranh xã nguy cơ cao: …"."""
    step = str(text).split("; ")[-1].strip()
    return step if len(step) <= limit else step[:limit - 1].rstrip() + "…"


def decisions(b: Briefing) -> list[str]:
    """What the meeting must decide, most urgent first: targets missed, then at risk
    (with whoever answers for them); declared levels the figures no longer give; new red
    and orange units to declare; units not reporting."""
    items: list[str] = []
    if b.plans is not None and len(b.plans.progress):
        due = b.plans.progress[b.plans.progress["status"].isin(TARGET_ORDER)]
        due = due.assign(order=due["status"].map(TARGET_ORDER)).sort_values(
            ["order", "by", "unit_name"])
        items += [_target(b, r) for r in due.to_dict("records")]
    stale = b.declared[b.declared["computed"] < b.declared["declared"]]
    if len(stale):
        items.append(tr(b, "brief.decide.redeclare", n=len(stale),
                        names=_named(b, stale["name"].astype(str).tolist())))
    hot = b.up[(b.up["to_level"] >= 3) & (b.up["cause"] != "declaration")]
    if len(hot):
        items.append(tr(b, "brief.decide.declare_hot", n=len(hot),
                        owners=_named(b, sorted(hot["parent"].astype(str).unique()))))
    if len(b.silent):
        names = b.silent["name"].astype(str).tolist()
        items.append(tr(b, "brief.decide.silent", n=len(names), days=STALE_DAYS,
                        names=_named(b, names)))
    if not items:
        return [tr(b, "brief.decide.none")]
    if len(items) > DECISIONS:
        rest = len(items) - DECISIONS + 1
        items = [*items[:DECISIONS - 1], tr(b, "brief.decide.more", n=rest)]
    return items


def _day(value) -> str:
    """A date of the plans' table (a date, a timestamp or yyyy-mm-dd) as dd/mm/yyyy."""
    if value is None or value != value or value == "":
        return ""
    return fmt_date(pd.Timestamp(value).date())


def target_words(b: Briefing, r: dict) -> str:
    """A target as a phrase: "≥ 80% số xã ở vùng xanh vào ngày 31/10/2021"."""
    level = int(r["level"])
    zone = tr(b, "brief.target.zone" if level == 1 else "brief.target.zone_or_lower",
              colour=colour_word(level, b.lang))
    if r["kind"] == "share":
        return tr(b, "brief.target.share", share=fmt_num(100 * float(r["share"]), 0, b.lang),
                  zone=zone, by=_day(r["by"]))
    if r["kind"] == "protect":
        return tr(b, "brief.target.protect", zone=zone, start=_day(r["from"]),
                  by=_day(r["by"]))
    return tr(b, "brief.target.reach", zone=zone, by=_day(r["by"]),
              hold=int(r["hold"]))


def value_words(b: Briefing, r: dict) -> str:
    """The target's value on the day, as the contract defines it."""
    value = r["value"]
    if value is None or value != value or value == "":
        return tr(b, "brief.value.none")
    if r["kind"] == "share":
        return tr(b, "brief.value.share", value=fmt_num(100 * float(value), 1, b.lang))
    if r["kind"] == "protect":
        return tr(b, "brief.value.protect", n=fmt_int(float(value), b.lang))
    return tr(b, "brief.value.reach", colour=colour_word(int(float(value)), b.lang))


def _target(b: Briefing, r: dict) -> str:
    return tr(b, f"brief.decide.{r['status']}", unit=r["unit_name"],
              target=target_words(b, r), value=value_words(b, r), since=_day(r["since"]),
              owner=r.get("owner") or r["unit_name"], decision=str(r["decision"] or "–"))
