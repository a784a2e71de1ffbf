"""SVG drawn on the server, shown through ``st.html`` as a picture.

``st.html``'s sanitiser keeps no inline SVG (and Markdown's raw HTML waits for a script
of its own), so a chart drawn here is an ``<img>`` whose source is the SVG as a data
URI: painted with the page, no chart library loaded in the browser. Its words go in
the picture's ``alt`` (for a screen reader) and the SVG's ``<title>``."""

from __future__ import annotations

import base64

from zones.safe import text


def image(svg: str, alt: str, css_class: str, style: str = "display:block;width:100%") -> str:
    """The HTML of ``svg`` as a picture of class ``css_class``, ``alt`` its words
    (escaped here); ``style`` sizes it (by default: the column's width)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f"<img class='{text(css_class)}' alt='{text(alt)}' "
            f"src='data:image/svg+xml;base64,{data}' style='{text(style)}'>")


def label(x: float, y: float, words: str, anchor: str, size: float, fill: str = "#222",
          baseline: str = "middle") -> str:
    """Text on a chart (escaped), with a white halo (legible over bands and lines)."""
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' "
            f"dominant-baseline='{baseline}' font-size='{size}' fill='{text(fill)}' "
            f"stroke='#fff' stroke-width='3' stroke-linejoin='round' paint-order='stroke'>"
            f"{text(words)}</text>")


def rgba(hex_colour: str, alpha: float) -> str:
    """``#rrggbb`` with ``alpha`` as CSS ``rgba(…)``."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
