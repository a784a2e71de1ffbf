"""Sites kept: a checked upload stored (new, updated with the old version kept, or
unchanged), the current sites listed with their band and ``must_stop``, the scoring
schemes kept in the database and the one in force on a day.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rules.errors import ProblemsError
from zones import isolate
from zones.errors import ZonesError
from zones.i18n import Msg, msg, t
from zones.ingest.check import explain
from zones.ingest.units import UnitIndex, describe
from zones.settings import DEFAULTS, Settings
from zones.sites import scheme as schemes_mod
from zones.sites.check import VALUE_COLUMNS, CheckedSites, check_sites
from zones.sites.read import KINDS, read_sites
from zones.storage import sites_sql, store

LIST_COLUMNS = ["site_id", "name", "kind", "unit_code", "lat", "lon", "from", "to",
                "score", "band", "must_stop"]
COMPARED = ("name", "unit_code", "lat", "lon", "geometry", "valid_from", "valid_to",
            "sector", "score", "capacity", "occupied")


@dataclass
class Stored:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ZonesError(msg("sites.bad_kind", kind=kind))
    return kind


def check_file(engine: Engine, data: bytes, filename: str, kind: str, index: UnitIndex,
               units, *, lang: str, area: set[str] | None = None,
               area_name: str = "", settings: Settings = DEFAULTS) -> CheckedSites:
    """Read (bounded, in the child process) and check a sites upload; nothing stored."""
    check_kind(kind)
    st = isolate.bounded(settings, read_sites, data, filename, kind, lang, settings)
    values, problems = check_sites(st, kind, index, units, area=area, area_name=area_name,
                                   lang=lang)
    if area is not None and len(values):
        problems = _taken_outside(engine, kind, values, problems, index, area,
                                  st.table.headers.get("site_id", "site_id"), lang,
                                  list(st.table.original.columns))
    return CheckedSites(kind=kind, values=values, problems=problems, filename=filename,
                        lang=lang, rows=len(values), ignored=st.table.ignored,
                        header_row=st.table.header_row)


def _taken_outside(engine, kind, values, problems, index, area, column, lang, order):
    """Rows re-sending a site stored in a unit outside the sender's area: refused."""
    ids = [s for s in values["site_id"] if s]
    with engine.connect() as conn:
        stored = sites_sql.current_of(conn, kind, ids)
    if stored.empty:
        return problems
    unit_of = dict(zip(stored["site_id"], stored["unit_code"], strict=True))
    raw = [{"row": row, "column": column, "value": sid, "kind": "site_taken_outside",
            "detail": describe(index, unit_of[sid]) if unit_of[sid] in index.codes
            else unit_of[sid]}
           for row, sid in zip(values.index, values["site_id"], strict=True)
           if sid in unit_of and unit_of[sid] not in area]
    if not raw:
        return problems
    extra = explain(pd.DataFrame(raw, columns=["row", "column", "value", "kind", "detail"]),
                    lang, order)
    return pd.concat([problems, extra], ignore_index=True).sort_values(
        "row", kind="stable").reset_index(drop=True)


def _same(old: dict, new: dict) -> bool:
    for c in COMPARED:
        a, b = old.get(c), new.get(c)
        a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
        b = None if b is None or (isinstance(b, float) and math.isnan(b)) else b
        if isinstance(a, pd.Timestamp):
            a = a.date()
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > 1e-12:
                return False
        elif a != b:
            return False
    return True


def store_checked(engine: Engine, checked: CheckedSites, *, sent_by: str, dry: bool = False,
                  source: str | None = None, on_commit=None, area: set[str] | None = None,
                  describe_unit=str, area_name: str = "") -> Stored:
    """Store the good rows of a checked upload in one transaction: a new site is
    inserted, a changed one supersedes its current version (kept as the history), an
    identical one is left alone. ZonesError when no row can be stored."""
    good = checked.good
    if good.empty:
        raise ZonesError(t("sites.nothing_valid", lang=checked.lang,
                           refused=len(checked.refused)))
    stamp = store.now()
    result = Stored(dry_run=dry)
    try:
        with engine.begin() as conn:
            store.take_write_lock(conn)
            current = sites_sql.current_of(conn, checked.kind, list(good["site_id"]))
            by_id = {r["site_id"]: r for r in current.to_dict("records")}
            rows, replaced = [], []
            for row, values in zip(good.index, good.to_dict("records"), strict=True):
                old = by_id.get(values["site_id"])
                if old is not None and area is not None and old["unit_code"] not in area:
                    # stored by someone else since the check, outside the sender's area
                    raise ZonesError(msg("sites.outside_existing", row=row,
                                       site=values["site_id"],
                                       unit=describe_unit(old["unit_code"]), area=area_name))
                if old is not None and _same(old, values):
                    result.unchanged += 1
                    continue
                if old is not None:
                    replaced.append(old["id"])
                    result.updated += 1
                else:
                    result.new += 1
                rows.append({**{c: values[c] for c in VALUE_COLUMNS}, "kind": checked.kind,
                             "sent_by": sent_by, "source": (source or checked.filename)[:500],
                             "source_row": int(row), "recorded_at": stamp})
            if dry:
                return result
            sites_sql.supersede(conn, replaced, stamp)
            sites_sql.insert(conn, rows)
            if on_commit is not None:
                on_commit(conn, result)
    except SQLAlchemyError as err:
        raise ZonesError(t("ingest.store_failed", lang=checked.lang,
                           reason=str(getattr(err, "orig", err)))) from err
    return result


# --- reading ------------------------------------------------------------------------------

def current(engine: Engine, geometry: bool = False) -> pd.DataFrame:
    """Every current site."""
    frame = sites_sql.current(engine, geometry=geometry)
    for c in ("valid_from", "valid_to"):  # datetime.date, None when open
        when = pd.to_datetime(frame[c])
        frame[c] = pd.Series(np.where(when.isna(), None, when.dt.date), index=frame.index,
                             dtype=object)
    return frame


def valid_on(frame: pd.DataFrame, day: date | None) -> pd.Series:
    """Which sites are valid on ``day`` (all without a day)."""
    if day is None:
        return pd.Series(True, index=frame.index)
    return pd.Series([f <= day and (to is None or day <= to) for f, to in
                      zip(frame["valid_from"], frame["valid_to"], strict=True)],
                     index=frame.index, dtype=bool)


def listing(frame: pd.DataFrame, subtree: set[str] | None, kind: str | None,
            day: date | None, scheme: schemes_mod.Scheme) -> pd.DataFrame:
    """The contract's CSV of ``sites list``: sites valid on ``day`` in the subtree."""
    keep = valid_on(frame, day)
    if kind:
        keep &= frame["kind"] == kind
    if subtree is not None:
        keep &= frame["unit_code"].isin(list(subtree))
    sub = frame[keep].sort_values(["kind", "unit_code", "site_id"], kind="stable")
    bands, stops, scores = [], [], []
    for k, score in zip(sub["kind"], sub["score"], strict=True):
        has = k == "facility" and score is not None and not pd.isna(score)
        band = scheme.band(float(score)) if has else None
        bands.append(band.key if band else "")
        stops.append(("1" if scheme.stops(float(score)) else "0") if has else "")
        scores.append(_num(score) if has else "")
    return pd.DataFrame({
        "site_id": sub["site_id"].to_numpy(), "name": sub["name"].to_numpy(),
        "kind": sub["kind"].to_numpy(), "unit_code": sub["unit_code"].to_numpy(),
        "lat": [f"{x:.6f}" for x in sub["lat"]], "lon": [f"{x:.6f}" for x in sub["lon"]],
        "from": [d.isoformat() for d in sub["valid_from"]],
        "to": [d.isoformat() if d else "" for d in sub["valid_to"]],
        "score": scores, "band": bands, "must_stop": stops}, columns=LIST_COLUMNS)


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def history(engine: Engine, kind: str, site_id: str) -> pd.DataFrame:
    return sites_sql.history(engine, kind, site_id)


# --- scoring schemes ------------------------------------------------------------------------

@dataclass(frozen=True)
class KeptScheme:
    scheme: schemes_mod.Scheme
    text: str
    source: str  # "shipped" or "database"
    added_by: str = ""
    added_at: object = None
    number: int = 0


def check_scheme_size(size: int, file_name: str) -> None:
    if size > schemes_mod.MAX_BYTES:
        raise ZonesError(msg("sites.scheme.too_big", file=Path(file_name).name,
                           size=size // 1024, limit=schemes_mod.MAX_BYTES // 1024))


def _problems_text(file_name: str, err: ProblemsError) -> Msg:
    lines = [f"  - {p}" for p in err.problems]
    if err.problems.more:
        lines.append(f"  … (+{err.problems.more})")
    return msg("sites.scheme.invalid", file=Path(file_name).name, n=err.problems.total,
             problems="\n".join(lines))


def parse_scheme(data: bytes, file_name: str) -> tuple[schemes_mod.Scheme, str]:
    """A scheme file checked as a whole (bounded, UTF-8, every problem listed)."""
    check_scheme_size(len(data), file_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ZonesError(msg("sites.scheme.not_utf8", file=Path(file_name).name,
                           pos=err.start)) from err
    try:
        return schemes_mod.parse_text(text, Path(file_name).name), text
    except ProblemsError as err:
        raise ZonesError(_problems_text(file_name, err)) from err


def kept_schemes(engine: Engine) -> list[KeptScheme]:
    """The shipped schemes, then the newest kept version of each added one (in the order
    they were last added); a kept version that no longer passes the check is skipped."""
    out = [KeptScheme(s, text, "shipped") for s, text in schemes_mod.shipped().values()]
    rows = sites_sql.schemes(engine)
    if rows.empty:
        return out
    counts = rows.groupby("scheme_id").size()
    for r in rows.drop_duplicates("scheme_id", keep="last").itertuples():
        try:
            s = schemes_mod.parse_text(r.source, r.file_name)
        except ProblemsError:
            continue
        out.append(KeptScheme(s, r.source, "database", r.added_by, r.added_at,
                              int(counts[r.scheme_id])))
    return out


def add_scheme(engine: Engine, data: bytes, file_name: str, added_by: str) -> KeptScheme:
    """Validate and keep a province's scheme (a shipped id is refused); the same text
    again changes nothing (``number`` 0 then)."""
    parsed, text = parse_scheme(data, file_name)
    if parsed.id in schemes_mod.shipped():
        raise ZonesError(msg("sites.scheme.id_taken", id=parsed.id))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with engine.begin() as conn:
        store.take_write_lock(conn)
        rows = sites_sql.scheme_versions_of(conn, parsed.id)
        if rows and rows[-1].sha256 == digest:
            return KeptScheme(parsed, text, "database", added_by, None, 0)
        sites_sql.insert_scheme(conn, scheme_id=parsed.id, version=parsed.version,
                                file_name=Path(file_name).name[:255], sha256=digest,
                                source=text, added_by=added_by, added_at=store.now())
    return KeptScheme(parsed, text, "database", added_by, None, len(rows) + 1)


def scheme_in_force(kept: list[KeptScheme], day: date) -> schemes_mod.Scheme:
    return schemes_mod.in_force([k.scheme for k in kept], day)
