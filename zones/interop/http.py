"""The read-only HTTP API for other systems: ``/zones-api/v1/…`` (GET only).

| path | query | answer |
|---|---|---|
| ``levels`` | ``date`` (dd/mm/yyyy or yyyy-mm-dd; default the last assessed day), ``level`` (unit level, default commune), ``unit`` (a subtree), ``zone`` (levels in force to keep, e.g. ``3,4``), ``format`` csv / geojson | the levels in force: ``unit_code,unit_name,level,level_name,computed_level,declared_level,decision,ruleset,parent_code,date`` |
| ``units`` | ``level``, ``unit``, ``format`` csv / geojson | the units of the active boundary set: ``code,name,level,parent_code,population`` |
| ``transitions`` | ``from``, ``to`` (required), ``level``, ``unit``, ``format`` csv / json | ``unit_code,unit_name,from_level,to_level,changed_on,cause`` |

Every request carries ``Authorization: Bearer TOKEN`` (``tokens add``): 401 without a
live token, 403 for a unit outside the token's subtree, 429 over the token's minute
(``Retry-After``), 400 for a bad parameter, 404 for an unknown path; every refusal is a
JSON ``{"error": message}`` in the request's language (``lang=en`` or Accept-Language),
never a traceback. A token only ever sees the units of its subtree. Text cells of CSV
answers that would start a spreadsheet formula get a leading ``'``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

import contract
from rules.text import DATE_FORMAT
from zones.errors import ZonesError
from zones.i18n import fmt_date, msg
from zones.interop.tokens import Holder, RefusedError, authorise, bearer
from zones.levels import dayview
from zones.levels.memo import cached
from zones.levels.tables import view_units
from zones.levels.transitions import COLUMNS as TRANSITION_COLUMNS
from zones.levels.transitions import in_force as transitions_in_force
from zones.people import audit
from zones.people.access import subtree
from zones.safe import safe_frame
from zones.workspace import Workspace

log = logging.getLogger(__name__)

PREFIX = "zones-api/v1"
LEVEL_COLUMNS = ["unit_code", "unit_name", "level", "level_name", "computed_level",
                 "declared_level", "decision", "ruleset", "parent_code", "date"]
UNIT_COLUMNS = ["code", "name", "level", "parent_code", "population"]
MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
         "json": "application/json"}
MAX_PARAM = 200


@dataclass(frozen=True)
class Answer:
    """What the web server sends: status, body, media type, extra headers."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


def refusal(err: RefusedError, lang: str) -> Answer:
    headers = {"Retry-After": str(err.retry_after)} if err.retry_after else {}
    if err.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="zones-api"'
    return Answer(err.status, json.dumps({"error": err.text(lang)}, ensure_ascii=False).encode(),
                  "application/json", headers)


def answer(ws: Workspace, path: str, params: Mapping[str, str], authorization: str | None,
           limit: int, lang: str) -> Answer:
    """The answer to ``GET /zones-api/v1/<path>?<params>`` (refusals and level names in
    ``lang``)."""
    endpoint = path.strip("/")
    handler = ENDPOINTS.get(endpoint)
    try:
        holder = authorise(ws.engine, bearer(authorization), limit)
        if handler is None:
            raise RefusedError(404, msg("api.no_path", path=endpoint[:80],
                                 paths=", ".join(sorted(ENDPOINTS))))
        for key, value in params.items():
            if len(value) > MAX_PARAM or key not in ALLOWED[endpoint]:
                raise RefusedError(400, msg("api.bad_param", name=key[:40],
                                     allowed=", ".join(sorted(ALLOWED[endpoint]))))
        done = handler(ws, holder, params, lang)
    except RefusedError as err:
        return refusal(err, lang)
    except ZonesError as err:  # a date outside the data, an empty database…
        return refusal(RefusedError(400, err.text(lang)), lang)
    log.info("API %s by token %d: %d bytes", endpoint, holder.id, len(done.body))
    return done


# --- parameters -------------------------------------------------------------------------

def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...],
            default: str) -> str:
    value = params.get(name) or default
    if value not in choices:
        raise RefusedError(400, msg("api.bad_value", name=name, value=value[:40],
                             allowed=", ".join(choices)))
    return value


def _date(params: Mapping[str, str], name: str, default=None):
    value = params.get(name)
    if not value:
        if default is None:
            raise RefusedError(400, msg("api.missing", name=name))
        return default
    for fmt in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            return pd.to_datetime(value, format=fmt).date()
        except (ValueError, TypeError):
            continue
    raise RefusedError(400, msg("api.bad_value", name=name, value=value[:40],
                         allowed="dd/mm/yyyy, yyyy-mm-dd"))


def _parents(ws: Workspace) -> dict[str, str | None]:
    def build():
        everything = dayview.units(ws)
        return dict(zip(everything.index, everything["parent_code"], strict=True))
    return cached(ws, "parents", build)


def area(ws: Workspace, holder: Holder, params: Mapping[str, str]) -> set[str] | None:
    """The codes an answer may hold: the token's subtree, narrowed to ``unit``'s; 403
    for a unit outside it (400 for one that does not exist)."""
    parents = _parents(ws)
    allowed = subtree(parents, holder.unit) if holder.unit else None
    unit = params.get("unit")
    if not unit:
        return allowed
    if unit not in parents:
        raise RefusedError(400, msg("api.unknown_unit", unit=unit[:40]))
    if allowed is not None and unit not in allowed:
        audit.record(ws.engine, holder.actor, "api_request", outcome="refused", unit=unit,
                     detail={"reason": "outside", "root": holder.unit})
        raise RefusedError(403, msg("api.outside", unit=unit[:40], root=holder.unit))
    return subtree(parents, unit)


def _within(codes: pd.Index, allowed: set[str] | None) -> pd.Index:
    return codes if allowed is None else codes[codes.isin(list(allowed))]


# --- answers --------------------------------------------------------------------------

def _table(frame: pd.DataFrame, fmt: str, geometry=None) -> Answer:
    if fmt == "csv":
        body = safe_frame(frame).to_csv(index=False).encode("utf-8")
    elif fmt == "geojson":
        import geopandas as gpd  # here only: the API's other answers never need it

        gdf = gpd.GeoDataFrame(frame.reset_index(drop=True),
                               geometry=list(geometry), crs="EPSG:4326")
        body = gdf.to_json(na="null", show_bbox=False, drop_id=True,
                           ensure_ascii=False).encode("utf-8")
    else:
        body = frame.to_json(orient="records", force_ascii=False).encode("utf-8")
    return Answer(200, body, MEDIA[fmt], {"Cache-Control": "no-store"})


def levels(ws: Workspace, holder: Holder, params: Mapping[str, str], lang: str) -> Answer:
    fmt = _choice(params, "format", ("csv", "geojson"), "csv")
    level = _choice(params, "level", contract.UNIT_LEVELS, "commune")
    table = dayview.levels_in_force(ws)
    if len(table.dates) == 0:
        raise RefusedError(404, msg("db.empty"))
    day = _date(params, "date", table.dates[-1].date())
    zones_kept = _zones(params)
    allowed = area(ws, holder, params)
    view = dayview.day_view(ws, day, level, None, None, lang)
    frame = view.frame()
    frame["ruleset"] = view.ruleset_id or ""
    frame["parent_code"] = view.parents
    frame["date"] = view.day.isoformat()
    keep = frame["unit_code"].isin(list(_within(view.codes, allowed)))
    if zones_kept:
        keep &= frame["level"].isin(zones_kept).fillna(False).astype(bool)
    frame = frame[keep.to_numpy()][LEVEL_COLUMNS]
    shapes = dayview.units(ws).geometry.reindex(frame["unit_code"]) if fmt == "geojson" \
        else None
    return _table(frame, fmt, shapes)


def _zones(params: Mapping[str, str]) -> list[int]:
    text = params.get("zone")
    if not text:
        return []
    parts = [p.strip() for p in text.split(",")]
    if not all(p in ("1", "2", "3", "4") for p in parts):
        raise RefusedError(400, msg("api.bad_value", name="zone", value=text[:40],
                             allowed="1, 2, 3, 4 (e.g. 3,4)"))
    return sorted({int(p) for p in parts})


def units(ws: Workspace, holder: Holder, params: Mapping[str, str], lang: str) -> Answer:
    fmt = _choice(params, "format", ("csv", "geojson"), "csv")
    level = params.get("level")
    if level:
        _choice(params, "level", contract.UNIT_LEVELS, "commune")
    allowed = area(ws, holder, params)
    everything = dayview.units(ws)
    chosen = everything if not level else everything[everything["level"] == level]
    chosen = chosen.loc[_within(pd.Index(chosen.index), allowed)]
    frame = pd.DataFrame({"code": chosen.index.to_numpy(dtype=object),
                          "name": chosen["name"].to_numpy(dtype=object),
                          "level": chosen["level"].to_numpy(dtype=object),
                          "parent_code": chosen["parent_code"].fillna("").to_numpy(object),
                          "population": chosen["population"].astype("Int64").to_numpy()},
                         columns=UNIT_COLUMNS)
    return _table(frame, fmt, chosen.geometry if fmt == "geojson" else None)


def transitions(ws: Workspace, holder: Holder, params: Mapping[str, str],
                lang: str) -> Answer:
    fmt = _choice(params, "format", ("csv", "json"), "csv")
    level = _choice(params, "level", contract.UNIT_LEVELS, "commune")
    start, end = _date(params, "from"), _date(params, "to")
    if end < start:
        raise RefusedError(400, msg("tr.order", start=fmt_date(start), end=fmt_date(end)))
    table = dayview.levels_in_force(ws)
    for d in (start, end):
        dayview.check_day(table, d)
    allowed = area(ws, holder, params)
    chosen = view_units(dayview.units(ws), level, None)
    chosen = chosen.loc[_within(pd.Index(chosen.index), allowed)]
    frame, _change = transitions_in_force(ws, chosen, start, end, level, changed_only=True)
    frame = frame[TRANSITION_COLUMNS].copy()
    frame["changed_on"] = [pd.Timestamp(d).date().isoformat() if pd.notna(d) else ""
                           for d in frame["changed_on"]]
    return _table(frame, fmt)


ENDPOINTS = {"levels": levels, "units": units, "transitions": transitions}
ALLOWED = {"levels": {"date", "level", "unit", "zone", "format", "lang"},
           "units": {"level", "unit", "format", "lang"},
           "transitions": {"from", "to", "level", "unit", "format", "lang"}}
