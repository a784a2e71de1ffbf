"""Optional checks on the real 2025 ward map in ../shared/geodata (skipped when absent:
a fresh clone has no ../shared). Nothing from it is copied into the project."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from geodata import hierarchy
from zones.boundaries import imports as boundaries
from zones.storage import store
from zones.storage.db import open_db

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "geodata"
WARDS = SHARED / "vn_wards_2025_web.parquet"
MAPPING = SHARED / "legacy_to_2025_ward_mapping.csv"


@pytest.mark.slow
@pytest.mark.skipif(not WARDS.is_file(), reason="../shared/geodata is absent")
def test_national_2025_wards_import(tmp_path):
    engine = open_db(f"sqlite:///{tmp_path}/t.db")
    plan, set_id = boundaries.import_file(engine, WARDS,
                                          boundaries.ImportOptions(display_payload=False),
                                          lang="vi")
    assert plan.report.exit_code == 0 and plan.structure == "2025"
    units = store.load_units(engine, set_id=set_id)
    assert units["level"].value_counts().to_dict() == {"commune": 3321, "province": 34}
    communes = units[units["level"] == "commune"]
    assert communes["code"].str.fullmatch(r"\d{5}").all()
    assert communes["parent_code"].str.fullmatch(r"\d{2}").all()
    assert all(unicodedata.is_normalized("NFC", n) for n in units["name"])
    assert len(store.load_adjacency(engine, set_id)) > 9000
    # a near-coverage: slivers tolerated, only a handful of real overlaps reported
    assert plan.report.slivers > 100 and len(plan.report.overlaps) < 20


@pytest.mark.skipif(not MAPPING.is_file(), reason="../shared/geodata is absent")
def test_legacy_mapping_agrees_with_the_reference_table():
    ref = pd.read_csv(MAPPING, dtype=str)
    ours = hierarchy.legacy_mapping()
    pairs = set(zip(ours["legacy_code"], ours["code_2025"], strict=True))
    ref_pairs = set(zip(ref["ward_code_legacy"], ref["ward_code_2025"], strict=True))
    assert len(pairs & ref_pairs) / len(ref_pairs) > 0.99
