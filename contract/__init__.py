"""The data contract (architecture.md §4-5), defined once.

Unit fields and levels, observation metrics with their kind, their Vietnamese and English
labels and the headers an upload may use for them, and the level vocabulary. ``geodata``,
``rules``, the core's ingest and the UI all read these names from here; this package
imports nothing else of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

#: Administrative levels, top down (the 2025 structure has no districts).
UNIT_LEVELS: tuple[str, ...] = ("province", "district", "commune", "hamlet")
POPULATION_FIELDS: tuple[str, ...] = ("population", "pop_18plus", "pop_50plus", "pop_65plus")
UNIT_FIELDS: tuple[str, ...] = ("code", "name", "level", "parent_code", *POPULATION_FIELDS)
#: Official code widths (leading zeros kept): province 2, district 3, commune 5 digits.
CODE_WIDTH = MappingProxyType({"province": 2, "district": 3, "commune": 5})

#: Zone levels: 1 xanh, 2 vàng, 3 cam, 4 đỏ; 0 = not enough data (never green).
NO_DATA = 0
GREEN, YELLOW, ORANGE, RED = 1, 2, 3, 4
LEVELS: tuple[int, ...] = (GREEN, YELLOW, ORANGE, RED)


@dataclass(frozen=True)
class Field:
    """A metric or unit attribute: its kind, its labels, and the upload headers accepted
    for it besides its own name (matched without case, spacing or diacritics)."""

    kind: str  # "count" | "cumulative" | "flag" | "attribute" | "key"
    vi: str
    en: str
    headers: tuple[str, ...] = ()

    @property
    def additive(self) -> bool:
        """Summed over communes for a district or province (a yes/no flag is not)."""
        return self.kind != "flag"

    def label(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


#: Observation metrics in contract order: integers >= 0; an empty cell is "not reported".
METRICS = MappingProxyType(
    {
        "new_cases_community": Field(
            "count",
            "Số ca cộng đồng",
            "community cases",
            ("Ca mắc mới cộng đồng", "Ca mắc mới tại cộng đồng"),
        ),
        "new_cases_quarantine": Field(
            "count",
            "Số ca trong khu cách ly/phong tỏa",
            "cases in quarantine/lockdown",
            (
                "Ca mắc mới trong khu cách ly/phong tỏa",
                "Ca mắc mới trong khu cách ly",
                "Ca mắc mới trong khu phong tỏa",
            ),
        ),
        "f0_unknown_source": Field(
            "count", "Số F0 chưa rõ nguồn lây", "F0 with unknown source", ("F0 chưa rõ nguồn lây",)
        ),
        "clusters_unknown_source": Field(
            "count",
            "Số chùm ca bệnh chưa rõ nguồn lây",
            "clusters with unknown source",
            ("Chùm ca bệnh chưa rõ nguồn lây",),
        ),
        "f0_high_risk_setting": Field(
            "count",
            "Số F0 từ KCN, trường học, siêu thị",
            "F0 from high-risk settings",
            ("F0 từ KCN, trường học, siêu thị",),
        ),
        "f0_community_known_source": Field(
            "count",
            "Số F0 cộng đồng rõ nguồn lây",
            "community F0 with known source",
            ("F0 cộng đồng rõ nguồn lây",),
        ),
        "f1_community": Field(
            "count", "Số F1 tại cộng đồng", "community F1 contacts", ("F1 tại cộng đồng",)
        ),
        "tests_pcr": Field("count", "Số mẫu PCR", "PCR tests", ("Số mẫu PCR",)),
        "tests_pcr_positive": Field(
            "count", "Số mẫu PCR dương tính", "positive PCR tests", ("Số mẫu PCR dương tính",)
        ),
        "tests_antigen": Field("count", "Số test nhanh", "antigen tests", ("Số test nhanh",)),
        "tests_antigen_positive": Field(
            "count",
            "Số test nhanh dương tính",
            "positive antigen tests",
            ("Số test nhanh dương tính",),
        ),
        "vaccinated_1dose_18plus": Field(
            "cumulative",
            "Số người ≥18 tuổi tiêm ≥1 mũi",
            "people 18+ with at least one dose",
            ("Số người ≥18 tuổi tiêm ≥1 mũi",),
        ),
        "vaccinated_full_50plus": Field(
            "cumulative",
            "Số người ≥50 tuổi tiêm đủ liều",
            "people 50+ fully vaccinated",
            ("Số người ≥50 tuổi tiêm đủ liều",),
        ),
        "vaccinated_full_65plus": Field(
            "cumulative",
            "Số người ≥65 tuổi tiêm đủ liều",
            "people 65+ fully vaccinated",
            ("Số người ≥65 tuổi tiêm đủ liều",),
        ),
        "treatment_capacity_ok": Field(
            "flag",
            "Đáp ứng năng lực điều trị",
            "treatment capacity met",
            ("Đáp ứng năng lực điều trị",),
        ),
    }
)

#: The columns that say which row is for which unit and day.
KEYS = MappingProxyType(
    {
        "date": Field("key", "Ngày", "date", ("Ngày", "Ngày báo cáo")),
        "unit_code": Field(
            "key", "Mã xã", "unit code", ("Mã xã", "Mã đơn vị", "Mã phường/xã", "Mã ĐVHC")
        ),
        "unit_name": Field(
            "key", "Tên xã", "unit name", ("Tên xã", "Tên đơn vị", "Tên phường/xã", "Xã/Phường")
        ),
        "district_name": Field("key", "Huyện", "district", ("Huyện", "Tên huyện", "Quận/Huyện")),
        "province_name": Field("key", "Tỉnh", "province", ("Tỉnh", "Tên tỉnh", "Tỉnh/Thành phố")),
    }
)

ATTRIBUTES = MappingProxyType(
    {
        "population": Field("attribute", "Dân số", "population"),
        "pop_18plus": Field("attribute", "Dân số ≥18 tuổi", "population 18+"),
        "pop_50plus": Field("attribute", "Dân số ≥50 tuổi", "population 50+"),
        "pop_65plus": Field("attribute", "Dân số ≥65 tuổi", "population 65+"),
    }
)

METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
