"""An upload into the demo database recomputes the stored levels (the real recompute)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from zones.cli import main
from zones.ingest.versions import export_frame
from zones.storage.db import open_db
from zones.storage.schema import assessments

pytestmark = pytest.mark.both_stores


def test_upload_recomputes_levels_from_the_changed_date(demo_copy, tmp_path):
    engine = open_db(demo_copy)
    current = export_frame(engine)
    last = current["date"].max()
    row = current[current["date"] == last].iloc[0]
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.max(assessments.c.computed_at))).scalar()
    path = tmp_path / "sua.csv"
    cases = int(0 if pd.isna(row["new_cases_community"]) else row["new_cases_community"])
    path.write_text(f"date,unit_code,new_cases_community\n{last},{row['unit_code']},"
                    f"{cases + 500}\n", encoding="utf-8")
    assert main(["--db", demo_copy, "observations", "import", str(path)]) == 0
    with engine.connect() as conn:
        fresh = conn.execute(sa.select(sa.func.min(assessments.c.computed_at))
                             .where(assessments.c.date == pd.Timestamp(last).date())).scalar()
    assert fresh is not None and fresh > before
    assert export_frame(engine).set_index(["date", "unit_code"]).loc[
        (last, row["unit_code"]), "new_cases_community"] == cases + 500
