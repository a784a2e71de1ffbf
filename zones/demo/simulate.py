"""Simulated demo figures: deterministic (fixed seed), plausible, and labelled as such.

The story follows the seed notices of Kiên Giang (2021): sporadic cases in June–July,
the late-August outbreak in Rạch Giá (phường Vĩnh Lạc, "hẻm 342 Ngô Quyền") and in
Kiên Lương (a factory running "3 tại chỗ"), control under Chỉ thị 16 through September,
a quiet October, then the wider November–December wave; vaccination rising through the
autumn. Everything is arrays of shape (days, units); nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zones.demo import realshape

START, END = pd.Timestamp("2021-06-01"), pd.Timestamp("2021-12-31")
SEED = 2021_09_01

# Outbreak hot spots of the seed notices (legacy commune codes of Kiên Giang)
VINH_LAC = "30745"            # Phường Vĩnh Lạc, Rạch Giá
RACH_GIA_DISTRICT = "899"
KIEN_LUONG_DISTRICT = "906"
KIEN_LUONG_HOTSPOTS = ("30787", "30808", "30802")  # TT Kiên Lương, Bình An, Hòa Điền
# Units that stop reporting for a while (to show "chưa đủ dữ liệu" and data freshness)
SILENT = {"30814": ("2021-11-10", "2021-11-24")}  # Xã Hòn Nghệ


@dataclass(frozen=True)
class Series:
    """Simulated daily figures: each metric is an array (days, units), NaN = not reported."""

    dates: pd.DatetimeIndex
    codes: list[str]
    metrics: dict[str, np.ndarray]


def _bump(days: np.ndarray, start: str, peak: str, end: str) -> np.ndarray:
    """A rise-and-fall curve (0..1) over the day numbers, zero outside [start, end]."""
    s, p, e = (pd.Timestamp(x) for x in (start, peak, end))
    d0 = (s - START).days
    dp, de = (p - START).days, (e - START).days
    up = np.clip((days - d0) / max(dp - d0, 1), 0, 1)
    down = np.clip((de - days) / max(de - dp, 1), 0, 1)
    return np.where(days <= dp, up ** 2, down ** 1.5)


def intensity(days: np.ndarray, communes: pd.DataFrame, rng: np.random.Generator
              ) -> np.ndarray:
    """Expected community cases per 100,000 per day, shape (days, communes)."""
    n = len(communes)
    code = communes["code"].to_numpy()
    district = communes["district_code"].to_numpy()
    lam = np.full((len(days), n), 0.02)  # sporadic background
    lam += 0.6 * _bump(days, "2021-07-10", "2021-07-28", "2021-08-15")[:, None] * (
        rng.random(n) < 0.08)
    outbreak = _bump(days, "2021-08-18", "2021-09-02", "2021-10-05")[:, None]
    lam += outbreak * 60 * (code == VINH_LAC)
    lam += outbreak * 18 * ((district == RACH_GIA_DISTRICT) & (code != VINH_LAC))
    lam += outbreak * 45 * np.isin(code, KIEN_LUONG_HOTSPOTS)
    lam += outbreak * 10 * ((district == KIEN_LUONG_DISTRICT) & ~np.isin(code, KIEN_LUONG_HOTSPOTS))
    wave = _bump(days, "2021-10-25", "2021-12-05", "2022-01-20")[:, None]
    reach = rng.gamma(1.2, 1.0, n)  # how hard the late wave hits each commune
    lam += wave * 9 * reach
    return lam


def vaccination(days: np.ndarray, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Cumulative coverage (0..1) curves: adults ≥1 dose, ≥50 and ≥65 full doses."""
    lag = rng.normal(0, 6, n)  # some communes vaccinate a week or two later
    t = days[:, None] - lag[None, :]
    adult = 0.03 + 0.93 / (1 + np.exp(-(t - 112) / 9))       # 50% around 21/9
    full50 = 0.92 / (1 + np.exp(-(t - 145) / 9))             # 50% around 24/10
    full65 = 0.93 / (1 + np.exp(-(t - 124) / 8))            # 50% around 3/10
    return {"adult": adult, "full50": full50, "full65": full65}


#: the demo's curves: the story above, or the shape of Vietnam's published 2021 curve
CURVES = ("simulated", "real-shaped")


def simulate(communes: pd.DataFrame, seed: int = SEED, curve: str = "simulated",
             pairs: pd.DataFrame | None = None) -> Series:
    """Daily figures for ``communes`` (columns code, district_code, population, pop_*).
    ``curve="real-shaped"``: the communes' cases follow Vietnam's published 2021 curve
    (``zones.demo.realshape``; ``pairs``: the communes that touch) over its days."""
    rng = np.random.default_rng(seed)
    pop = communes["population"].to_numpy(dtype=float)
    if curve == "real-shaped":
        dates = realshape.dates()[realshape.dates() >= START]
        no_pairs = pd.DataFrame({"code_a": [], "code_b": []})
        lam = realshape.intensity(dates, communes, no_pairs if pairs is None else pairs,
                                  rng) * pop / 100_000
    else:
        dates = pd.date_range(START, END, freq="D")
        lam = intensity(np.arange(len(dates)), communes, rng) * pop / 100_000
    days = np.arange(len(dates))
    community = rng.poisson(lam).astype(float)
    quarantine = rng.poisson(lam * 1.4).astype(float)
    unknown = rng.binomial(community.astype(int), 0.3).astype(float)
    high_risk = rng.binomial(community.astype(int), 0.05).astype(float)
    clusters = (rng.random(community.shape) < np.clip(unknown / 12, 0, 0.6)).astype(float)
    known = community - unknown
    f1 = rng.poisson(community * 9).astype(float)
    tests_pcr = rng.poisson(pop * 0.0015 + 25 * (community + quarantine)).astype(float)
    pcr_pos = np.minimum(community + quarantine, tests_pcr)
    tests_ag = rng.poisson(pop * 0.004 + 40 * community).astype(float)
    ag_pos = np.minimum(rng.poisson(community * 0.8).astype(float), tests_ag)
    vac = vaccination(days, len(communes), rng)
    p18, p50, p65 = (communes[c].to_numpy(dtype=float) for c in
                     ("pop_18plus", "pop_50plus", "pop_65plus"))
    capacity = np.ones_like(community)
    metrics = {
        "new_cases_community": community, "new_cases_quarantine": quarantine,
        "f0_unknown_source": unknown, "clusters_unknown_source": clusters,
        "f0_high_risk_setting": high_risk, "f0_community_known_source": known,
        "f1_community": f1, "tests_pcr": tests_pcr, "tests_pcr_positive": pcr_pos,
        "tests_antigen": tests_ag, "tests_antigen_positive": ag_pos,
        "vaccinated_1dose_18plus": np.floor(vac["adult"] * p18),
        "vaccinated_full_50plus": np.floor(vac["full50"] * p50),
        "vaccinated_full_65plus": np.floor(vac["full65"] * p65),
        "treatment_capacity_ok": capacity,
    }
    _blank_gaps(metrics, dates, communes["code"].tolist(), rng)
    return Series(dates, communes["code"].tolist(), metrics)


def _blank_gaps(metrics: dict[str, np.ndarray], dates: pd.DatetimeIndex, codes: list[str],
                rng: np.random.Generator) -> None:
    """Make the data realistically incomplete: missed days, a silent commune."""
    shape = next(iter(metrics.values())).shape
    missed = rng.random(shape) < 0.01
    weekly_only = np.broadcast_to((dates.day_of_week != 0)[:, None], shape)
    for name, arr in metrics.items():
        arr[missed] = np.nan
        if name == "treatment_capacity_ok":
            arr[weekly_only] = np.nan  # reported on Mondays only
        if name.startswith("tests_"):
            arr[np.broadcast_to((dates < pd.Timestamp("2021-07-01"))[:, None], shape)] = np.nan
    for code, (a, b) in SILENT.items():
        if code in codes:
            j = codes.index(code)
            rows = (dates >= pd.Timestamp(a)) & (dates <= pd.Timestamp(b))
            for arr in metrics.values():
                arr[rows, j] = np.nan


def populations(communes: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Simulated populations (urban wards denser), by commune code."""
    rng = np.random.default_rng(seed + 1)
    n = len(communes)
    urban = communes["name"].str.startswith(("Phường", "Thị trấn")).to_numpy()
    pop = np.round(rng.lognormal(np.where(urban, 9.6, 9.2), 0.35, n) / 10) * 10
    share18 = rng.uniform(0.69, 0.76, n)
    share50 = rng.uniform(0.22, 0.30, n)
    share65 = share50 * rng.uniform(0.30, 0.38, n)
    return pd.DataFrame({
        "population": pop.astype(int),
        "pop_18plus": np.round(pop * share18).astype(int),
        "pop_50plus": np.round(pop * share50).astype(int),
        "pop_65plus": np.round(pop * share65).astype(int),
    }, index=communes["code"].to_numpy())
