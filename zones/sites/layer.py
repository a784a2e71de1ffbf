"""The map's sites as one file, fetched once per view and data version (issue 25): the
points in columns (kind, lat, lon, validity, score, popup lines) and the lockdown polygons
as GeoJSON. The browser shows those valid on the day shown and colours facilities by the
bands of the scheme in force that the page sends (a few numbers), so a date step fetches
nothing. Every text is data: the map sets it as text, never as HTML."""

from __future__ import annotations

import json

import pandas as pd
import shapely

from zones.i18n import fmt_date, t
from zones.sites.read import KINDS


def build(frame: pd.DataFrame, names: pd.Series, lang: str) -> dict:
    """The layer of the current sites ``frame`` (with geometry); ``names``: unit names."""
    out = {"kinds": list(KINDS), "kind": [], "lat": [], "lon": [], "from": [], "to": [],
           "score": [], "lines": []}
    polygons = []
    kind_names = {k: t(f"sites.kind.{k}", lang=lang) for k in KINDS}
    for r in frame.to_dict("records"):
        kind = r["kind"]
        lines = [r["name"], kind_names[kind]]
        score = None
        if kind == "facility" and r["score"] is not None and not pd.isna(r["score"]):
            score = round(float(r["score"]), 2)
        elif kind == "quarantine":
            occ = "–" if r["occupied"] is None or pd.isna(r["occupied"]) \
                else int(r["occupied"])
            lines.append(t("sites.popup.beds", lang=lang, occupied=occ,
                           capacity=int(r["capacity"])))
        lines.append(t("sites.popup.valid", lang=lang, start=fmt_date(r["valid_from"]),
                       end=fmt_date(r["valid_to"]) or "…"))
        code = r["unit_code"]
        lines.append(t("sites.popup.unit", lang=lang, unit=f"{names.get(code, '')} ({code})"))
        lines.append(t("sites.popup.sender", lang=lang, who=r["sent_by"]))
        start = r["valid_from"].isoformat()
        end = r["valid_to"].isoformat() if r["valid_to"] else ""
        wkb = r.get("geometry")
        if isinstance(wkb, bytes | bytearray | memoryview):
            shape = json.loads(shapely.to_geojson(shapely.from_wkb(bytes(wkb))))
            polygons.append({"type": "Feature", "geometry": shape,
                             "properties": {"from": start, "to": end, "lines": lines}})
        out["kind"].append(KINDS.index(kind))
        out["lat"].append(round(float(r["lat"]), 6))
        out["lon"].append(round(float(r["lon"]), 6))
        out["from"].append(start)
        out["to"].append(end)
        out["score"].append(score)
        out["lines"].append(lines)
    out["polygons"] = {"type": "FeatureCollection", "features": polygons}
    return out


def text(frame: pd.DataFrame, names: pd.Series, lang: str) -> str:
    return json.dumps(build(frame, names, lang), ensure_ascii=False, separators=(",", ":"))
