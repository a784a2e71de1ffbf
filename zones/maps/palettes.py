"""Colours of the levels on every map, legend, chart and export (presentation data,
not thresholds): the spec's default fills and a colour-blind-safe alternative, with the
colour words people use for them."""

from __future__ import annotations

from types import MappingProxyType

from rules.levels import GREEN, NO_DATA, ORANGE, RED, YELLOW

COLOUR_WORDS = MappingProxyType({
    "vi": MappingProxyType({NO_DATA: "xám", GREEN: "xanh", YELLOW: "vàng", ORANGE: "cam",
                            RED: "đỏ"}),
    "en": MappingProxyType({NO_DATA: "grey", GREEN: "green", YELLOW: "yellow",
                            ORANGE: "orange", RED: "red"}),
})

#: Default fills from the spec (rulesets.md §1).
COLOURS = MappingProxyType({GREEN: "#2E9E44", YELLOW: "#F2C81D", ORANGE: "#F28C1D",
                            RED: "#D7263D", NO_DATA: "#9E9E9E"})

#: Colour-blind-safe alternative (Okabe–Ito hues), same order and names. Blue stands in for
#: green so that levels 1 and 4 never rely on the red/green contrast; lightness also rises
#: monotonically from level 2 to 4 so the order survives greyscale printing.
COLOURS_COLOURBLIND = MappingProxyType({GREEN: "#0072B2", YELLOW: "#F0E442",
                                        ORANGE: "#E69F00", RED: "#B2182B",
                                        NO_DATA: "#BBBBBB"})

PALETTES = MappingProxyType({"default": COLOURS, "colourblind": COLOURS_COLOURBLIND})

#: The outlook's classes of P(up) (0: no outlook, 1..4: < 25 %, 25-50 %, 50-75 %, >= 75 %):
#: one hue, darker as the risk rises (ColorBrewer "Purples"), never the levels' colours, so
#: a map of next week's risk is not read as a map of levels (a "red" unit there is not a
#: red zone); safe for colour-blind readers and in greyscale, whatever the level palette.
OUTLOOK_COLOURS = MappingProxyType({0: "#E0E0E0", 1: "#CBC9E2", 2: "#9E9AC8", 3: "#756BB1",
                                    4: "#54278F"})


def level_colour(level: int, palette: str = "default") -> str:
    """Return the hex fill for ``level`` (``NO_DATA`` -> grey) in the named palette."""
    return PALETTES[palette][int(level)]


def colour_word(level: int, lang: str = "vi") -> str:
    """Return the colour word of a level ("cam" / "orange")."""
    return COLOUR_WORDS[lang][int(level)]
