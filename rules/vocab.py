"""Names the engine understands in observations and unit tables, with user-facing labels.

``kind`` says how a metric is summed for a district or province assessed on its communes'
figures: ``count`` and ``cumulative`` figures add up; a ``flag`` (yes/no) does not, so a
higher unit uses its own reported flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Field:
    """A metric or unit attribute: its kind and its label in Vietnamese and English."""

    kind: str  # "count" | "cumulative" | "flag" | "attribute"
    vi: str
    en: str

    @property
    def additive(self) -> bool:
        return self.kind != "flag"

    def label(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


METRICS = MappingProxyType({
    "new_cases_community": Field("count", "Số ca cộng đồng", "community cases"),
    "new_cases_quarantine": Field("count", "Số ca trong khu cách ly/phong tỏa",
                                  "cases in quarantine/lockdown"),
    "f0_unknown_source": Field("count", "Số F0 chưa rõ nguồn lây", "F0 with unknown source"),
    "clusters_unknown_source": Field("count", "Số chùm ca bệnh chưa rõ nguồn lây",
                                     "clusters with unknown source"),
    "f0_high_risk_setting": Field("count", "Số F0 từ KCN, trường học, siêu thị",
                                  "F0 from high-risk settings"),
    "f0_community_known_source": Field("count", "Số F0 cộng đồng rõ nguồn lây",
                                       "community F0 with known source"),
    "f1_community": Field("count", "Số F1 tại cộng đồng", "community F1 contacts"),
    "tests_pcr": Field("count", "Số mẫu PCR", "PCR tests"),
    "tests_pcr_positive": Field("count", "Số mẫu PCR dương tính", "positive PCR tests"),
    "tests_antigen": Field("count", "Số test nhanh", "antigen tests"),
    "tests_antigen_positive": Field("count", "Số test nhanh dương tính",
                                    "positive antigen tests"),
    "vaccinated_1dose_18plus": Field("cumulative", "Số người ≥18 tuổi tiêm ≥1 mũi",
                                     "people 18+ with at least one dose"),
    "vaccinated_full_50plus": Field("cumulative", "Số người ≥50 tuổi tiêm đủ liều",
                                    "people 50+ fully vaccinated"),
    "vaccinated_full_65plus": Field("cumulative", "Số người ≥65 tuổi tiêm đủ liều",
                                    "people 65+ fully vaccinated"),
    "treatment_capacity_ok": Field("flag", "Đáp ứng năng lực điều trị",
                                   "treatment capacity met"),
})

ATTRIBUTES = MappingProxyType({
    "population": Field("attribute", "Dân số", "population"),
    "pop_18plus": Field("attribute", "Dân số ≥18 tuổi", "population 18+"),
    "pop_50plus": Field("attribute", "Dân số ≥50 tuổi", "population 50+"),
    "pop_65plus": Field("attribute", "Dân số ≥65 tuổi", "population 65+"),
})

#: The people whom a ratio's numerator counts, for "path down" sentences.
PEOPLE = MappingProxyType({
    "vaccinated_1dose_18plus": ("người ≥18 tuổi tiêm mũi 1", "people aged 18+ given a first dose"),
    "vaccinated_full_50plus": ("người ≥50 tuổi tiêm đủ liều", "people aged 50+ fully vaccinated"),
    "vaccinated_full_65plus": ("người ≥65 tuổi tiêm đủ liều", "people aged 65+ fully vaccinated"),
})

UNIT_LEVELS: tuple[str, ...] = ("hamlet", "commune", "district", "province")
UNIT_LEVEL_NAMES = MappingProxyType({
    "vi": MappingProxyType({"hamlet": "thôn/ấp", "commune": "xã", "district": "huyện",
                            "province": "tỉnh"}),
    "en": MappingProxyType({"hamlet": "hamlet", "commune": "commune", "district": "district",
                            "province": "province"}),
})
