"""The level vocabulary shared by every rule set: 1..4 plus "not enough data".

Levels are small integers so that they fit ``int8`` arrays and compare by severity:
1 = xanh (green), 2 = vàng (yellow), 3 = cam (orange), 4 = đỏ (red). ``NO_DATA`` (0) is a
state of its own: it sorts below green in arrays but is never shown or treated as green.
Each rule set names its levels itself (see ``RuleSet.level_names``); the names here are the
colour words used when no rule set is involved. Colours are presentation data, not
thresholds, so they live here as module constants.
"""

from __future__ import annotations

from types import MappingProxyType

NO_DATA = 0
GREEN, YELLOW, ORANGE, RED = 1, 2, 3, 4
LEVELS: tuple[int, ...] = (GREEN, YELLOW, ORANGE, RED)
MIN_LEVEL, MAX_LEVEL = GREEN, RED
ALL_STATES: tuple[int, ...] = (NO_DATA, *LEVELS)

#: Stable keys usable in rule-set files (``level: orange``) and in CSV/JSON exports.
LEVEL_KEYS = MappingProxyType({NO_DATA: "no_data", GREEN: "green", YELLOW: "yellow",
                               ORANGE: "orange", RED: "red"})
KEY_TO_LEVEL = MappingProxyType({v: k for k, v in LEVEL_KEYS.items()})

COLOUR_WORDS = MappingProxyType({
    "vi": MappingProxyType({NO_DATA: "xám", GREEN: "xanh", YELLOW: "vàng", ORANGE: "cam",
                            RED: "đỏ"}),
    "en": MappingProxyType({NO_DATA: "grey", GREEN: "green", YELLOW: "yellow",
                            ORANGE: "orange", RED: "red"}),
})

NO_DATA_NAME = MappingProxyType({"vi": "Chưa đủ dữ liệu", "en": "Not enough data"})

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


def level_colour(level: int, palette: str = "default") -> str:
    """Return the hex fill for ``level`` (``NO_DATA`` -> grey) in the named palette."""
    return PALETTES[palette][int(level)]


def colour_word(level: int, lang: str = "vi") -> str:
    """Return the colour word of a level ("cam" / "orange")."""
    return COLOUR_WORDS[lang][int(level)]
