"""The sites a printed map shows (the briefing's maps, issue 25): those valid on the
map's day in its area, facilities coloured by the band of the scheme in force that day
(must-stop ones marked), quarantine sites (full ones counted), lockdown points and
polygons; with the legend's words, in the reader's language. Plain data (no drawing
library): ``zones.briefing.pictures`` draws it. No site's name is drawn at all: the
legend only holds the scheme's band names and counts, as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import shapely

from zones.i18n import fmt_date, fmt_int, t
from zones.sites import registry
from zones.sites.scheme import Scheme

#: the web map's colours (zones/maps/frontend/sites.js): quarantine sites, lockdowns
QUARANTINE_COLOUR = "#6a1b9a"
LOCKDOWN_COLOUR = "#b71c1c"


@dataclass(frozen=True)
class LegendLine:
    label: str
    kind: str  # "band", "stop", "quarantine", "lockdown_area", "lockdown_point"
    colour: str


@dataclass(frozen=True)
class SiteMarks:
    """What a map of ``day`` draws of the sites: points as columns (lon, lat), the
    facilities' fill colours and must-stop flags, the lockdown polygons (shapely), and
    the legend's lines (the heading first)."""

    day: date
    facilities: pd.DataFrame  # lon, lat, colour, stop
    quarantine: pd.DataFrame  # lon, lat, full
    lockdown_points: pd.DataFrame  # lon, lat
    polygons: tuple  # shapely polygons of the lockdowns in force
    heading: str
    legend: tuple[LegendLine, ...]

    @property
    def empty(self) -> bool:
        return not (len(self.facilities) or len(self.quarantine) or
                    len(self.lockdown_points) or len(self.polygons))


def site_marks(frame: pd.DataFrame, day: date, subtree: set[str] | None, scheme: Scheme,
               lang: str) -> SiteMarks:
    """The marks of the current sites ``frame`` (with geometry) valid on ``day`` in
    ``subtree`` (everywhere when None), under ``scheme``."""
    keep = registry.valid_on(frame, day)
    if subtree is not None:
        keep &= frame["unit_code"].isin(list(subtree))
    sub = frame[keep]
    fac = sub[sub["kind"] == "facility"]
    scores = [float(s) if s is not None and not pd.isna(s) else None for s in fac["score"]]
    bands = [scheme.band(s) for s in scores]
    facilities = pd.DataFrame({
        "lon": fac["lon"].astype(float).to_numpy(), "lat": fac["lat"].astype(float).to_numpy(),
        "colour": [b.colour if b is not None else "#757575" for b in bands],
        "stop": [b is not None and b.key in scheme.must_stop for b in bands]})
    qua = sub[sub["kind"] == "quarantine"]
    occupied = pd.to_numeric(qua["occupied"], errors="coerce").to_numpy(dtype=float)
    capacity = pd.to_numeric(qua["capacity"], errors="coerce").to_numpy(dtype=float)
    quarantine = pd.DataFrame({"lon": qua["lon"].astype(float).to_numpy(),
                               "lat": qua["lat"].astype(float).to_numpy(),
                               "full": np.nan_to_num(occupied, nan=0) >= capacity})
    lock = sub[sub["kind"] == "lockdown"]
    shaped = [isinstance(g, bytes | bytearray | memoryview) for g in lock["geometry"]] \
        if "geometry" in lock else [False] * len(lock)
    shaped = np.array(shaped, dtype=bool)
    polygons = tuple(shapely.from_wkb(bytes(g)) for g in lock["geometry"][shaped]) \
        if shaped.any() else ()
    points = lock[~shaped]
    lockdown_points = pd.DataFrame({"lon": points["lon"].astype(float).to_numpy(),
                                    "lat": points["lat"].astype(float).to_numpy()})
    legend = []
    counts = pd.Series([b.key for b in bands if b is not None], dtype=object).value_counts()
    for band in scheme.bands:
        legend.append(LegendLine(t("sites.brief.band", lang=lang, band=band.name.get(lang),
                                   n=fmt_int(int(counts.get(band.key, 0)), lang)),
                                 "band", band.colour))
    stops = int(facilities["stop"].sum())
    legend.append(LegendLine(t("sites.brief.stop", lang=lang, n=fmt_int(stops, lang)),
                             "stop", "#000000"))
    legend.append(LegendLine(t("sites.brief.quarantine", lang=lang,
                               n=fmt_int(len(quarantine), lang),
                               full=fmt_int(int(quarantine["full"].sum()), lang)),
                             "quarantine", QUARANTINE_COLOUR))
    legend.append(LegendLine(t("sites.brief.lockdown_area", lang=lang,
                               n=fmt_int(len(polygons), lang)),
                             "lockdown_area", LOCKDOWN_COLOUR))
    if len(lockdown_points):
        legend.append(LegendLine(t("sites.brief.lockdown_point", lang=lang,
                                   n=fmt_int(len(lockdown_points), lang)),
                                 "lockdown_point", LOCKDOWN_COLOUR))
    return SiteMarks(day=day, facilities=facilities, quarantine=quarantine,
                     lockdown_points=lockdown_points, polygons=polygons,
                     heading=t("sites.brief.heading", lang=lang, date=fmt_date(day)),
                     legend=tuple(legend))
