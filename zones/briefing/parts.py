"""The pieces every format of the briefing renders: sections (a message, a table, a
picture, big numbers, headed lists) and the helpers that word them."""

from __future__ import annotations

from dataclasses import dataclass, field

from zones.briefing.model import Briefing
from zones.i18n import t


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
    kpis: list[Kpi] = field(default_factory=list)  # big numbers (the week at a glance)
    blocks: list[tuple[str, list[str]]] = field(default_factory=list)  # headed lists
    notes: list[str] = field(default_factory=list)  # lines under the table or picture
    per_slide: int = 10  # table rows per slide
    total_row: bool = False  # the last row is a total (drawn bold)
    compact: bool = False  # short rows of numbers: lower rows, smaller type on slides
    appendix: bool = False  # after the signature block (starts on a new page)


@dataclass(frozen=True)
class Kpi:
    """A big number: what it counts, the number, the comparison, the level's colour."""

    label: str
    value: str
    note: str
    colour: str
    change: int = 0  # now minus before
    worse_up: bool = True  # a rise is bad news (red, orange, yellow), not good (green)



def tr(b: Briefing, key: str, **values) -> str:
    return t(key, lang=b.lang, **values)


def level_label(b: Briefing) -> str:
    return tr(b, f"ui.level.{b.level}")
