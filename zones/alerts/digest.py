"""One digest per recipient: the subject, a plain-text body and an escaped HTML body.

Every change names the unit and its parents, from -> to with the level names, since when,
the main reason in words, the decision number of a declaration, a link to exactly that
view on the map (``?date=…&unit=…``) and its alert id, which the feed ("Thông báo") shows
too; the end names the dashboard's address, so a recipient can check that a message is
genuine. Names are data: the HTML part escapes every value (the text part is plain).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from zones.i18n import fmt_date, t


@dataclass(frozen=True)
class Line:
    """One change as the digest says it (already in the recipient's language)."""

    alert_code: str
    unit_code: str
    unit: str           # the unit's name
    parents: str        # its parents' names, nearest first
    kind: str
    event: str
    from_level: str     # "2 (Nguy cơ)" or "" when unknown
    to_level: str
    since: date
    reason: str
    decision: str | None
    link: str


def link(public_url: str, day: date, unit_code: str) -> str:
    """The dashboard's map on ``day`` with ``unit_code`` open ("" without an address:
    an e-mail cannot hold a link relative to a page)."""
    if not public_url:
        return ""
    return f"{public_url.rstrip('/')}/?{urlencode({'date': day.isoformat(), 'unit': unit_code})}"


def _verify(public_url: str, lang: str) -> str:
    return t("alerts.verify", lang, url=public_url or t("alerts.the_dashboard", lang))


def subject(lines: list[Line], day: date, lang: str) -> str:
    """One line (a name's line breaks or control characters would end the header)."""
    text = t("alerts.subject", lang, n=len(lines), day=fmt_date(day),
             first=f": {lines[0].unit}" if len(lines) == 1 else "")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:200]


def _what(line: Line, lang: str) -> str:
    return t(f"alerts.what.{line.kind}.{line.event}", lang)


def text(lines: list[Line], day: date, user: str, area: str, public_url: str,
         lang: str) -> str:
    out = [t("alerts.head", lang, day=fmt_date(day)), t("alerts.to", lang, user=user, area=area),
           ""]
    for i, line in enumerate(lines, 1):
        where = f"{line.unit} ({line.parents})" if line.parents else line.unit
        out.append(f"{i}. {where}")
        out.append("   " + t("alerts.change", lang, what=_what(line, lang),
                             old=line.from_level or "–", new=line.to_level,
                             since=fmt_date(line.since)))
        if line.reason:
            out.append("   " + t("alerts.reason", lang, reason=line.reason))
        if line.decision:
            out.append("   " + t("alerts.decision", lang, decision=line.decision))
        if line.link:
            out.append("   " + t("alerts.link", lang, url=line.link))
        out.append("   " + t("alerts.code", lang, code=line.alert_code))
        out.append("")
    out.append(_verify(public_url, lang))
    return "\n".join(out) + "\n"


def html_body(lines: list[Line], day: date, user: str, area: str, public_url: str,
              lang: str) -> str:
    e = html.escape
    items = []
    for line in lines:
        where = e(line.unit) + (f" <small>({e(line.parents)})</small>" if line.parents else "")
        parts = [f"<b>{where}</b><br>",
                 e(t("alerts.change", lang, what=_what(line, lang),
                     old=line.from_level or "–", new=line.to_level,
                     since=fmt_date(line.since))) + "<br>"]
        if line.reason:
            parts.append(e(t("alerts.reason", lang, reason=line.reason)) + "<br>")
        if line.decision:
            parts.append(e(t("alerts.decision", lang, decision=line.decision)) + "<br>")
        if line.link:
            parts.append(f'<a href="{e(line.link, quote=True)}">{e(t("alerts.open", lang))}'
                         "</a> · ")
        parts.append(e(t("alerts.code", lang, code=line.alert_code)))
        items.append("<li>" + "".join(parts) + "</li>")
    return (f'<html><body><p>{e(t("alerts.head", lang, day=fmt_date(day)))}<br>'
            f'{e(t("alerts.to", lang, user=user, area=area))}</p><ol>{"".join(items)}</ol>'
            f'<p>{e(_verify(public_url, lang))}</p></body></html>')
