"""Standalone HTML map export (``python -m zones map``): the same map the dashboard draws,
with Leaflet and the geometry inlined so it opens with no internet at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from geodata.display import TOLERANCE, geojson_layer
from rules.levels import PALETTES
from zones import mapdata, store
from zones.assessment import registry
from zones.errors import NoDataError, ZonesError
from zones.i18n import fmt_date, get_lang, t


def map_html(engine: Engine, day, level: str = "commune", palette: str = "default") -> str:
    """The map of ``level`` units on ``day`` as one self-contained HTML page."""
    from ui.mapview import MapSpec, Outline, level_string, standalone_html

    units = store.load_units(engine, geometry=True)
    if units.empty:
        raise NoDataError(t("db.empty"))
    table = mapdata.level_table(engine)
    if len(table.dates) == 0 or not (table.dates[0] <= pd.Timestamp(day) <= table.dates[-1]):
        first = fmt_date(table.dates[0].date()) if len(table.dates) else "–"
        last = fmt_date(table.dates[-1].date()) if len(table.dates) else "–"
        raise ZonesError(t("cli.date_outside", value=fmt_date(day), first=first, last=last))
    view = units[units["level"] == level]
    tol = TOLERANCE["country"] if len(view) > 1500 else TOLERANCE["province"]
    outlines = tuple(
        Outline(geojson_layer(units[units["level"] == lv], tol, properties=("code",)),
                weight=2.2 if lv == "province" else 1.2)
        for lv in ("district", "province") if lv != level and (units["level"] == lv).any())
    reg = registry(engine)
    rid = table.rulesets.get(pd.Timestamp(day)) if table.rulesets is not None else None
    rs = reg.rulesets.get(rid)
    names = rs.level_names(get_lang()) if rs else {i: str(i) for i in range(5)}
    colours = PALETTES[palette]
    b = view.total_bounds
    notices = mapdata.notices(engine, units)
    spec = MapSpec(layer=geojson_layer(view, tol), bounds=((b[1], b[0]), (b[3], b[2])),
                   colours=tuple(colours[i] for i in range(5)),
                   level_names=tuple(names[i] for i in range(5)),
                   legend_title=t("ui.legend_title") + (f" — {rs.title.get(get_lang())}"
                                                         if rs else ""),
                   notices=notices, outlines=outlines, inline=True,
                   texts={"rate": t("ui.rate")})
    rates = mapdata.weekly_rates(engine, units).row(day, view.index)
    return standalone_html(spec, level_string(table.row(day, view.index)),
                           mapdata.format_rates(rates, get_lang()),
                           fmt_date(day), f"{t('app.title')} — {fmt_date(day)}")


def cli_map(engine: Engine, args) -> int:
    """``map --date D [--level L] [--out FILE.html]``."""
    import sys

    html = map_html(engine, args.date, args.level, args.palette)
    out = Path(args.out or f"ban-do-cap-do_{args.date:%Y%m%d}.html")
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as err:
        raise ZonesError(t("cli.cannot_write", path=str(out), reason=err.strerror)) from err
    print(t("cli.wrote", path=str(out)), file=sys.stderr)
    return 0
