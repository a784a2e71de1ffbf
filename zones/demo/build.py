"""The embedded demo: Kiên Giang 2021 (legacy code 91), or the whole country.

Codes, names, hierarchy and commune centroids are real (``vietnamadminunits``); commune
shapes are approximate (Voronoi cells clipped to each commune's bounding box); hamlets
(khu phố / ấp) in three communes are invented points turned into cells; population and
all figures are simulated (``zones.demo_data``). The UI labels all of this.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from geodata.adjacency import touching_pairs
from geodata.approx import cells_in_boxes, dissolve_codes, random_points_in, voronoi_cells
from geodata.gazetteer import SOURCE, legacy_communes
from zones.demo import plans as demo_plans
from zones.demo.simulate import KIEN_LUONG_HOTSPOTS, VINH_LAC, populations, simulate
from zones.errors import ZonesError
from zones.i18n import Joined, Number, msg
from zones.sites.demo import demo_sites
from zones.storage import demo_sql, observations_sql, sites_sql, store
from zones.storage.schema import METRICS

DEMO_PROVINCE = "91"
# commune code -> (hamlet word, number of hamlets); invented, for the hamlet level demo
HAMLET_COMMUNES = {VINH_LAC: ("Khu phố", 6), KIEN_LUONG_HOTSPOTS[0]: ("Khu phố", 5),
                   KIEN_LUONG_HOTSPOTS[1]: ("Ấp", 5)}


def build_units(national: bool = False) -> gpd.GeoDataFrame:
    """Provinces, districts, communes (and demo hamlets) with approximate geometry."""
    src = legacy_communes(None if national else DEMO_PROVINCE)
    pts = gpd.GeoSeries(gpd.points_from_xy(src["lon"], src["lat"]), crs="EPSG:4326")
    cells = cells_in_boxes(pts, src)
    pops = populations(src.rename(columns={"commune_code": "code", "commune_name": "name"}))
    communes = gpd.GeoDataFrame({
        "code": src["commune_code"], "name": src["commune_name"], "level": "commune",
        "parent_code": src["district_code"]}, geometry=cells.to_numpy(), crs="EPSG:4326")
    communes = communes.join(pops, on="code")
    districts = _parents(communes, src, "district")
    provinces = _parents(districts, src, "province")
    hamlets = build_hamlets(communes)
    units = pd.concat([provinces, districts, communes, hamlets], ignore_index=True)
    units["approximate"] = True
    return gpd.GeoDataFrame(units, geometry="geometry", crs="EPSG:4326")


def _parents(children: gpd.GeoDataFrame, src: pd.DataFrame, level: str) -> gpd.GeoDataFrame:
    key = f"{level}_code"
    names = src.drop_duplicates(key).set_index(key)[f"{level}_name"]
    grandparent = (src.drop_duplicates(key).set_index(key)["province_code"]
                   if level == "district" else None)
    geoms = dissolve_codes(children.geometry, children["parent_code"])
    sums = children.groupby("parent_code")[list(store.POPULATION_FIELDS)].sum()
    out = gpd.GeoDataFrame({
        "code": geoms.index.astype(str), "name": names.reindex(geoms.index).to_numpy(),
        "level": level,
        "parent_code": (grandparent.reindex(geoms.index).to_numpy() if grandparent is not None
                        else None)},
        geometry=geoms.to_numpy(), crs="EPSG:4326")
    return out.join(sums, on="code")


def build_hamlets(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Invented hamlets inside the demo communes: random points -> clipped Voronoi cells."""
    rng = np.random.default_rng(91)
    parts = []
    for code, (word, n) in HAMLET_COMMUNES.items():
        row = communes[communes["code"] == code]
        if row.empty:
            continue
        shape = row.geometry.iloc[0]
        pts = gpd.GeoSeries(random_points_in(shape, n, rng), crs="EPSG:4326")
        cells = voronoi_cells(pts, shape)
        share = rng.dirichlet(np.full(n, 4.0))
        pop = row.iloc[0][list(store.POPULATION_FIELDS)].to_numpy(dtype=float)
        frame = gpd.GeoDataFrame({
            "code": [f"{code}-{i + 1:02d}" for i in range(n)],
            "name": [f"{word} {i + 1}" for i in range(n)],
            "level": "hamlet", "parent_code": code}, geometry=cells.to_numpy(), crs="EPSG:4326")
        for k, field in enumerate(store.POPULATION_FIELDS):
            frame[field] = np.floor(pop[k] * share).astype(int)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True) if parts else communes.iloc[:0]


def hamlet_figures(commune_series, units: pd.DataFrame) -> tuple[list[str], dict]:
    """Split each demo commune's figures among its hamlets (population-weighted)."""
    rng = np.random.default_rng(92)
    hamlets = units[units["level"] == "hamlet"]
    codes: list[str] = []
    cols: dict[str, list[np.ndarray]] = {m: [] for m in METRICS}
    for parent, grp in hamlets.groupby("parent_code", sort=False):
        j = commune_series.codes.index(parent)
        share = grp["population"].to_numpy(float) / grp["population"].sum()
        if parent == VINH_LAC:  # the "hẻm 342 Ngô Quyền" cluster sits in one khu phố
            share = 0.5 * share + 0.5 * np.eye(len(grp))[2]
        for m in METRICS:
            col = commune_series.metrics[m][:, j]
            if m == "treatment_capacity_ok":
                part = np.repeat(col[:, None], len(grp), axis=1)
            elif m.startswith("vaccinated") or m.startswith("tests"):
                part = np.floor(col[:, None] * share[None, :])
            else:
                part = rng.multinomial(np.nan_to_num(col).astype(int), share).astype(float)
                part[np.isnan(col)] = np.nan
            cols[m].append(part)
        codes.extend(grp["code"].tolist())
    return codes, {m: np.concatenate(v, axis=1) if v else None for m, v in cols.items()}


def observation_frame(dates: pd.DatetimeIndex, codes: list[str],
                      metrics: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long table (one row per unit and date) from (days, units) arrays."""
    n_days, n_units = len(dates), len(codes)
    frame = pd.DataFrame({
        "unit_code": np.tile(np.asarray(codes, dtype=object), n_days),
        "date": np.repeat(dates.date, n_units),
    })
    for m in METRICS:
        frame[m] = metrics[m].reshape(-1)
    return frame


def _insert_observations(conn, frame: pd.DataFrame, upload_id: int) -> int:
    """Bulk insert (as the demo's one upload); NaN becomes NULL.

    Rows are built as one object array (no per-value Python code): the national demo
    has 2.1 million rows of 20 columns.
    """
    frame = frame.sort_values(["unit_code", "date"])  # index order: far fewer page splits
    values = frame[list(METRICS)].to_numpy(dtype=float)
    block = np.empty((len(frame), len(METRICS) + 5), dtype=object)
    block[:, 0] = frame["unit_code"].to_numpy(dtype=object)
    block[:, 1] = store.iso_dates(frame["date"])
    block[:, 2:2 + len(METRICS)] = np.nan_to_num(values).astype("int64").astype(object)
    block[:, 2:2 + len(METRICS)][np.isnan(values)] = None
    block[:, -3:] = (upload_id, "demo", store.now().isoformat(sep=" "))
    return observations_sql.bulk_insert(conn, ["unit_code", "date", *METRICS, "upload_id",
                                               "sent_by", "recorded_at"], block.tolist())


#: what a rebuild keeps: the accounts (and their sign-in state) and the append-only audit
KEPT = frozenset({"alembic_version", "users", "sign_in_throttle", "audit", "api_tokens"})


def real_data(engine: Engine) -> dict[str, int]:
    """What people put in the database (not the demo), by kind: what a rebuild would
    delete (uploads, their figures, declarations, approvals, rule sets, boundary sets)
    and the accounts, which it keeps."""
    return demo_sql.real_data(engine)


def check_rebuild(engine: Engine, reset: bool, yes: bool) -> dict[str, int]:
    """Before anything is written: refuse a build over data without ``reset``, and a
    reset over data people put in without ``yes`` (the message counts what would be
    lost). Returns what the rebuild replaces (empty for a new database)."""
    if store.active_set(engine) is None and not reset:
        return {}
    if not reset:
        raise ZonesError(msg("demo.exists"))
    found = real_data(engine)
    # accounts are kept by a reset: alone they are no reason to ask (asking at every
    # reset would teach everyone to pass --yes); beside other data they are counted
    if any(n for kind, n in found.items() if kind != "accounts") and not yes:
        lost = [msg(f"demo.lost.{kind}", n=Number(found[kind]))
                for kind in found if found[kind]]
        raise ZonesError(msg("demo.real_data", lost=Joined(lost, "; ")))
    return found


def build_demo(engine: Engine, national: bool = False, reset: bool = False,
               curve: str = "simulated") -> dict:
    """Build the demo database; return counts and the time taken.

    Everything is computed first, then the old data (with ``reset``) is replaced in one
    transaction: a build stopped at any moment leaves the old database or the new one,
    never a part of either. Call ``check_rebuild`` (and record the audit entry) first."""
    started = time.perf_counter()
    if store.active_set(engine) is not None and not reset:
        raise ZonesError(msg("demo.exists"))
    units = build_units(national)
    communes = units[units["level"] == "commune"].copy()
    communes["district_code"] = communes["parent_code"]
    pairs = touching_pairs(units.set_index("code", drop=False))
    series = simulate(communes, curve=curve, pairs=pairs)
    h_codes, h_metrics = hamlet_figures(series, units)
    obs = observation_frame(series.dates, series.codes, series.metrics)
    if h_codes:
        obs = pd.concat([obs, observation_frame(series.dates, h_codes, h_metrics)],
                        ignore_index=True)
    sites = [] if national else demo_sites(units, store.now())  # simulated, labelled
    with engine.begin() as conn:
        store.take_write_lock(conn)
        if reset:
            demo_sql.clear(conn, KEPT)  # everything a rebuild replaces
        set_id = store.create_set(
            conn, name="Demo " + ("toàn quốc 2021" if national else "Kiên Giang 2021")
            + (" (đường cong thật)" if curve == "real-shaped" else ""),
            structure="2021", source=SOURCE, licence="MIT (vietnamadminunits); hình dạng "
            "gần đúng, số liệu mô phỏng", approximate=True, note="demo")
        store.insert_units(conn, set_id, units)
        store.insert_adjacency(conn, set_id, pairs)
        upload_id = observations_sql.insert_upload(conn, {
            "kind": "demo", "filename": "demo (mô phỏng)", "sha256": "0" * 64,
            "size_bytes": 0, "uploaded_by": "demo", "uploaded_at": store.now(),
            "rows_total": len(obs), "rows_stored": len(obs)})
        n_obs = _insert_observations(conn, obs, upload_id)
        demo_plans.insert(conn, set(units["code"]))  # issue 22: example plans, labelled
        sites_sql.insert(conn, sites)
        store.set_meta(conn, store.Meta.DEMO, "national" if national else "province")
        store.set_meta(conn, store.Meta.FOCUS_DAY, "2021-09-01")  # the outbreak of seed notice 002
        store.owe_levels(conn, None)
        store.bump_version(conn, boundaries=True)
    obs["date"] = pd.to_datetime(obs["date"]).astype("datetime64[ns]")
    return {"units": len(units), "rows": n_obs, "observations": obs,
            "seconds": time.perf_counter() - started}
