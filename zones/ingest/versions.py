"""Storing validated observations as new versions, and reading them back.

Each (unit, date) has one current row (``superseded_at`` NULL). A new upload value
creates a new version whose metrics are the old current values overlaid with the new
non-empty ones; the old row is marked superseded (``superseded_at``, ``superseded_by``).
A row equal to the current values creates nothing. One transaction per upload.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from zones.storage import observations_sql, store
from zones.storage.schema import METRICS

KEY = ["unit_code", "date"]
REPORT_MAX_PROBLEMS = 5000  # problems kept in uploads.report


@dataclass
class StoreResult:
    """What an upload changed."""

    upload_id: int | None = None
    duplicate_of: int | None = None  # an earlier upload of the same bytes
    duplicate_at: datetime | None = None
    inserted: int = 0  # new versions written
    superseded: int = 0  # of which replaced an earlier current row
    unchanged: int = 0  # rows equal to what was stored
    first_date: date | None = None  # earliest date whose values changed
    dry_run: bool = False
    warning: str | None = None  # e.g. the levels could not be recomputed
    recomputing: bool = False  # the levels are being recomputed in the background
    changes: list = field(default_factory=list)  # values replaced: unit, date, metric, old, new


def sha256(data: bytes) -> str:
    """Hex SHA-256 of the uploaded bytes."""
    return hashlib.sha256(data).hexdigest()


def current_rows(conn: Connection, new: pd.DataFrame) -> pd.DataFrame:
    """Current stored rows (id, unit_code, date, METRICS) for the units and dates of ``new``."""
    return observations_sql.current_rows(conn, set(new["unit_code"]), new["date"].min().date(),
                                         new["date"].max().date())


def plan_versions(new: pd.DataFrame, current: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The versions to write: new non-empty values over the current ones.

    ``new``: unit_code, date, METRICS (Int64), source_row. ``current``: id, unit_code,
    date, METRICS. Returns (rows to insert with ``old_id`` (NA when first version),
    number of rows equal to what is stored).
    """
    cur = current.rename(columns={"id": "old_id", **{m: f"{m}__old" for m in METRICS}})
    merged = new.merge(cur, on=KEY, how="left", validate="one_to_one")
    changed = pd.Series(False, index=merged.index)
    for m in METRICS:
        old = merged[f"{m}__old"].astype("Int64")
        merged[m] = merged[m].astype("Int64").fillna(old)
        changed |= (merged[m].fillna(-1) != old.fillna(-1)).astype(bool)
    first = merged["old_id"].isna()
    keep = changed | first
    out = merged.loc[keep, [*KEY, *METRICS, "source_row", "old_id"]].reset_index(drop=True)
    out.attrs["changes"] = _changes(merged[keep & ~first])
    return out, int((~keep).sum())


MAX_CHANGES = 2000  # old -> new values listed in the audit of one upload


def _changes(replaced: pd.DataFrame) -> list[dict]:
    """The values an upload replaces: unit, date, metric, old -> new (at most
    MAX_CHANGES; the superseded rows themselves stay in the history)."""
    out: list[dict] = []
    for m in METRICS:
        old, new = replaced[f"{m}__old"].astype("Int64"), replaced[m].astype("Int64")
        differs = (old.fillna(-1) != new.fillna(-1)).astype(bool)
        for unit, day, before, after in zip(replaced.loc[differs, "unit_code"],
                                            replaced.loc[differs, "date"], old[differs],
                                            new[differs], strict=True):
            out.append({"unit": unit, "date": str(pd.Timestamp(day).date()), "metric": m,
                        "old": None if pd.isna(before) else int(before),
                        "new": None if pd.isna(after) else int(after)})
            if len(out) >= MAX_CHANGES:
                return out
    return out


def _insert_versions(conn: Connection, plan: pd.DataFrame, upload_id: int, sent_by: str,
                     stamp: datetime) -> None:
    n = len(plan)
    columns = {"unit_code": plan["unit_code"].tolist(),
               "date": [d.date() for d in plan["date"]],
               "upload_id": [upload_id] * n,
               "source_row": plan["source_row"].astype(int).tolist(),
               "sent_by": [sent_by] * n, "recorded_at": [stamp] * n,
               **{m: plan[m].to_numpy(dtype=object, na_value=None).tolist() for m in METRICS}}
    observations_sql.insert_versions(conn, columns)


def _retire(conn: Connection, plan: pd.DataFrame, stamp: datetime) -> int:
    """Mark the rows being replaced as superseded, before the new versions go in: the
    unique index on current rows (one per unit and date) then never sees two."""
    replaced = plan[plan["old_id"].notna()]
    if replaced.empty:
        return 0
    observations_sql.retire(conn, replaced["old_id"].astype(int).tolist(), stamp)
    return len(replaced)


def _link(conn: Connection, plan: pd.DataFrame, upload_id: int) -> None:
    """Point each replaced row at the version that replaced it (``superseded_by``)."""
    replaced = plan[plan["old_id"].notna()]
    if replaced.empty:
        return
    new_id = observations_sql.ids_by_source_row(conn, upload_id)
    observations_sql.link(conn, replaced["old_id"].astype(int).tolist(),
                          [new_id[int(r)] for r in replaced["source_row"]])


def upload_record(*, filename: str, content: bytes, sent_by: str, counts: dict,
                  status: str, report: dict, stamp: datetime) -> dict:
    """The ``uploads`` row of an observations upload (raw bytes and checksum archived)."""
    return {"kind": "observations", "filename": filename[:500], "sha256": sha256(content),
            "size_bytes": len(content), "content": content, "uploaded_by": sent_by[:200],
            "uploaded_at": stamp, "rows_total": counts["rows"],
            "rows_stored": counts["good"], "rows_rejected": counts["refused"],
            "status": status, "report": json.dumps(report, ensure_ascii=False, default=str)}


def write_upload(conn: Connection, new: pd.DataFrame, record: dict) -> StoreResult:
    """Write the upload row and the new versions inside the caller's transaction."""
    stamp = record["uploaded_at"]
    plan, unchanged = plan_versions(new, current_rows(conn, new))
    if plan.empty:
        record = {**record, "status": "unchanged"}
    upload_id = observations_sql.insert_upload(conn, record)
    result = StoreResult(upload_id=upload_id, unchanged=unchanged)
    if plan.empty:
        return result
    result.changes = plan.attrs.get("changes", [])
    result.superseded = _retire(conn, plan, stamp)
    _insert_versions(conn, plan, upload_id, record["uploaded_by"], stamp)
    _link(conn, plan, upload_id)
    result.inserted = len(plan)
    result.first_date = plan["date"].min().date()
    store.owe_levels(conn, result.first_date)  # with the data: a kill cannot lose it
    # figures of its own now: the map opens on the latest day, not the demo's focus day
    store.set_meta(conn, store.Meta.FOCUS_DAY, "")
    store.bump_version(conn)
    return result


def dry_run(engine: Engine, new: pd.DataFrame) -> StoreResult:
    """What storing ``new`` would change, without writing."""
    with engine.connect() as conn:
        plan, unchanged = plan_versions(new, current_rows(conn, new))
    return StoreResult(inserted=len(plan), superseded=int(plan["old_id"].notna().sum()),
                       unchanged=unchanged, dry_run=True,
                       first_date=plan["date"].min().date() if len(plan) else None)


# --- reading back ---------------------------------------------------------------------------

def export_frame(engine: Engine, start: date | None = None,
                 end: date | None = None) -> pd.DataFrame:
    """Current values with the contract columns: date (ISO text), unit_code, METRICS (Int64,
    empty where nothing was reported)."""
    cur = store.current_observations(engine, start, end)
    out = pd.DataFrame({"date": cur["date"].dt.strftime("%Y-%m-%d").astype(object),
                        "unit_code": cur["unit_code"].astype(object)})
    for m in METRICS:
        out[m] = cur[m].round().astype("Int64")
    return out


def unit_history(engine: Engine, code: str, start: date | None = None,
                 end: date | None = None, limit: int = 200) -> pd.DataFrame:
    """Every stored version of a unit's values, newest first, with who sent it, when and
    from which upload (id and file name)."""
    df = pd.DataFrame(observations_sql.unit_versions(engine, code, start, end, limit),
                      columns=["date", *METRICS, "sent_by", "recorded_at", "upload_id",
                                   "filename", "source_row", "current", "superseded_at"])
    for m in METRICS:
        df[m] = pd.to_numeric(df[m]).astype("Int64")
    df["current"] = df["current"].astype(bool)
    return df

