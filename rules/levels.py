"""The level vocabulary shared by every rule set: 1..4 plus "not enough data".

Levels are small integers so that they fit ``int8`` arrays and compare by severity:
1 = xanh (green), 2 = vàng (yellow), 3 = cam (orange), 4 = đỏ (red). ``NO_DATA`` (0) is a
state of its own: it sorts below green in arrays but is never shown or treated as green.
Each rule set names its levels itself (see ``RuleSet.level_names``). Colours and colour
words are presentation: they live with the maps (``zones.maps.palettes``).
"""

from __future__ import annotations

from types import MappingProxyType

from contract import GREEN, LEVELS, NO_DATA, ORANGE, RED, YELLOW

MIN_LEVEL, MAX_LEVEL = GREEN, RED
ALL_STATES: tuple[int, ...] = (NO_DATA, *LEVELS)

#: Stable keys usable in rule-set files (``level: orange``) and in CSV/JSON exports.
LEVEL_KEYS = MappingProxyType({NO_DATA: "no_data", GREEN: "green", YELLOW: "yellow",
                               ORANGE: "orange", RED: "red"})
KEY_TO_LEVEL = MappingProxyType({v: k for k, v in LEVEL_KEYS.items()})

NO_DATA_NAME = MappingProxyType({"vi": "Chưa đủ dữ liệu", "en": "Not enough data"})
