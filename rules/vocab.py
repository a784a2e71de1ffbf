"""Names the engine understands in observations and unit tables (from ``contract``), and
the phrases it builds with them.

``kind`` says how a metric is summed for a district or province assessed on its communes'
figures: ``count`` and ``cumulative`` figures add up; a ``flag`` (yes/no) does not, so a
higher unit uses its own reported flag.
"""

from __future__ import annotations

from types import MappingProxyType

import contract

METRICS = contract.METRICS
ATTRIBUTES = contract.ATTRIBUTES
Field = contract.Field

#: The people whom a ratio's numerator counts, for "path down" sentences.
PEOPLE = MappingProxyType({
    "vaccinated_1dose_18plus": ("người ≥18 tuổi tiêm mũi 1", "people aged 18+ given a first dose"),
    "vaccinated_full_50plus": ("người ≥50 tuổi tiêm đủ liều", "people aged 50+ fully vaccinated"),
    "vaccinated_full_65plus": ("người ≥65 tuổi tiêm đủ liều", "people aged 65+ fully vaccinated"),
})

#: The engine runs its tiers bottom up: hamlets first, so a parent sees its children final.
UNIT_LEVELS: tuple[str, ...] = tuple(reversed(contract.UNIT_LEVELS))
UNIT_LEVEL_NAMES = MappingProxyType({
    "vi": MappingProxyType({"hamlet": "thôn/ấp", "commune": "xã", "district": "huyện",
                            "province": "tỉnh"}),
    "en": MappingProxyType({"hamlet": "hamlet", "commune": "commune", "district": "district",
                            "province": "province"}),
})
