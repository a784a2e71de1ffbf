"""Rendering for the "Chuyển cấp" page: the flows (an SVG Sankey), map of changes, table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui import loaders, map_component, svgimage, widgets
from ui.common import tr
from zones import api
from zones.i18n import fmt_int
from zones.maps.mapview import level_string, look
from zones.safe import text

UNCHANGED = 5
UNCHANGED_COLOUR = "#f3f3f3"


#: the flow chart's drawing box (SVG units; it scales to the page's width) and its parts
W, H, NODE, GAP, MARGIN, LINK_ALPHA = 1000, 360, 16, 18, 10, 0.45
#: a band this high (SVG units) or more has its number of units written on it
BAND_LABEL = 16
#: the levels top to bottom, on both sides (0: not enough data)
ORDER = (4, 3, 2, 1, 0)


def flow_chart(frame: pd.DataFrame, names: dict[int, str], colours: dict[int, str],
               language: str) -> str:
    """The flow chart for ``st.html``: the SVG of ``sankey`` as a picture (the page's
    sanitiser keeps no inline SVG, and Markdown's raw HTML waits for a script of its
    own), its words as the picture's text (what each band says, for a screen reader)."""
    svg, title, bands = sankey(frame, names, colours, language)
    picture = svgimage.image(svg, "; ".join([title, *bands]), "zones-flows",
                             f"display:block;width:100%;min-width:560px;max-width:{W}px")
    return f"<div style='overflow-x:auto'>{picture}</div>"


def sankey(frame: pd.DataFrame, names: dict[int, str], colours: dict[int, str],
           language: str) -> tuple[str, str, list[str]]:
    """The flows from the levels on the first date (left) to those on the second (right),
    drawn here as an SVG: painted with the page, without loading a chart library in the
    browser (plotly's took 3-4 s to arrive and start). Each band is as wide as its number
    of units, written on it when there is room; each node says its level and its units.
    Names come from the rule set's file: escaped. Returns (SVG, title, one line a band)."""
    f = api.flows(frame)
    pairs = [(int(a), int(b), int(n)) for a, b, n in
             zip(f["from_level"], f["to_level"], f["units"], strict=True)]
    out_of = {lv: sum(n for a, _, n in pairs if a == lv) for lv in ORDER}
    into = {lv: sum(n for _, b, n in pairs if b == lv) for lv in ORDER}
    total = sum(out_of.values())
    scale = min((H - 2 * MARGIN - GAP * (sum(v > 0 for v in side.values()) - 1)) / total
                for side in (out_of, into))
    left, right = _stack(out_of, scale), _stack(into, scale)
    x0, x1 = MARGIN + NODE, W - MARGIN - NODE
    mid = (x0 + x1) / 2
    rank = {lv: i for i, lv in enumerate(ORDER)}
    used_out = {lv: top for lv, (top, _) in left.items()}
    used_in = {lv: top for lv, (top, _) in right.items()}
    bands = []
    # from each level's node, the bands in the order of their targets, and into each
    # node in the order of their sources: no two bands of a node cross at the node
    for a, b, n in sorted(pairs, key=lambda p: (rank[p[0]], rank[p[1]])):
        h = n * scale
        sy, used_out[a] = used_out[a], used_out[a] + h
        bands.append((a, b, n, sy, h))
    links, counts, lines = [], [], []
    for a, b, n, sy, h in sorted(bands, key=lambda q: (rank[q[1]], rank[q[0]])):
        ty, used_in[b] = used_in[b], used_in[b] + h
        lines.append(tr("tr.flow_link", source=names[a], target=names[b],
                        n=fmt_int(n, language)))
        links.append(
            f"<path class='sankey-link' fill='{svgimage.rgba(colours[b], LINK_ALPHA)}' "
            f"d='M{x0:.1f},{sy:.1f}C{mid:.1f},{sy:.1f} {mid:.1f},{ty:.1f} {x1:.1f},{ty:.1f}"
            f"L{x1:.1f},{ty + h:.1f}C{mid:.1f},{ty + h:.1f} {mid:.1f},{sy + h:.1f} "
            f"{x0:.1f},{sy + h:.1f}Z'/>")
        if h >= BAND_LABEL:  # the middle of a band is halfway down both of its edges
            counts.append(svgimage.label(mid, (sy + ty + h) / 2, fmt_int(n, language), "middle", 13))
    nodes = []
    for side, x, count, anchor, dx in ((left, MARGIN, out_of, "start", NODE + 6),
                                       (right, x1, into, "end", -6)):
        for lv, (top, h) in side.items():
            nodes.append(
                f"<rect class='sankey-node' x='{x:.1f}' y='{top:.1f}' width='{NODE}' "
                f"height='{max(h, 1):.1f}' fill='{text(colours[lv])}' stroke='#555' "
                f"stroke-width='0.5'/>"
                + svgimage.label(x + dx, top + h / 2, f"{names[lv]} · {fmt_int(count[lv], language)}",
                         anchor, 14))
    title = tr("tr.flow_title", n=fmt_int(total, language))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {H}' width='{W}' "
           f"height='{H}' font-family='sans-serif'><title>{text(title)}</title>"
           f"<g class='sankey'>{''.join(links)}{''.join(counts)}{''.join(nodes)}</g></svg>")
    return svg, title, lines


def _stack(values: dict[int, int], scale: float) -> dict[int, tuple[float, float]]:
    """Level -> (top, height) of the levels with units, top to bottom, centred."""
    shown = [(lv, v * scale) for lv, v in values.items() if v > 0]
    room = H - 2 * MARGIN - sum(h for _, h in shown) - GAP * (len(shown) - 1)
    y, out = MARGIN + max(room, 0) / 2, {}
    for lv, h in shown:
        out[lv] = (y, h)
        y += h + GAP
    return out


def change_map(frame: pd.DataFrame, level: str, parent: str | None, names, colours,
               label: str) -> None:
    """Units that moved, coloured by their new level; the others faded."""
    lay = loaders.layer(level, parent)
    moved = frame.set_index("unit_code")["to_level"].fillna(0).astype(int)
    digits = np.full(len(lay.codes), UNCHANGED)
    pos = lay.codes.get_indexer(moved.index)
    digits[pos[pos >= 0]] = moved.to_numpy()[pos >= 0]
    all_names = (*tuple(names[i] for i in range(5)), tr("tr.unchanged"))
    spec = look(all_names, tr("tr.col.to_level"),
                     {**{i: colours[i] for i in range(5)}, UNCHANGED: UNCHANGED_COLOUR},
                     {"rate": tr("ui.rate")}) | {
        "layer": lay.url, "bounds": lay.bounds, "outlines": [], "timeline": None,
        "tiles": None, "levels": level_string(digits), "rates": [], "label": label,
        "selected": None, "clicks": False, "wheel": False, "height": 480}
    map_component.levels_map(spec, "transitions-map")


def readable(frame: pd.DataFrame, names: dict[int, str], changed_on=None) -> pd.DataFrame:
    """The transitions as users read them (level names, dd/mm/yyyy, the cause in words,
    translated headers); ``changed_on``: the day the rule set changed, if it did."""
    shown = frame[api.TRANSITION_COLUMNS].copy()
    for col in ("from_level", "to_level"):
        shown[col] = [names[int(v) if pd.notna(v) else 0] for v in shown[col]]
    shown["changed_on"] = [widgets.fmt_day(d) if d else "" for d in shown["changed_on"]]
    day = widgets.fmt_day(changed_on) if changed_on else ""
    shown["cause"] = [tr(f"tr.cause.{c}", date=day) if c else "" for c in shown["cause"]]
    return shown.rename(columns=lambda c: tr(f"tr.col.{c}"))


def ruleset_note(moved) -> str | None:
    """What the page says when some units moved only because the rule set changed."""
    change = moved.ruleset_change
    n = int((moved.frame["cause"] == "ruleset").sum())
    if change is None or not n:
        return None
    return tr("tr.ruleset_note", n=n, date=widgets.fmt_day(change.on),
              end=widgets.fmt_day(moved.end))


def table_ui(frame: pd.DataFrame, names: dict[int, str], changed_on=None) -> pd.DataFrame:
    """The transitions table on the page."""
    shown = readable(frame, names, changed_on)
    widgets.table(shown, hide_index=True, width="stretch")
    return shown


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The download: the CLI's columns and values (levels in force), UTF-8 with BOM."""
    return api.safe_frame(frame[api.TRANSITION_COLUMNS]).to_csv(index=False).encode(
        "utf-8-sig")
