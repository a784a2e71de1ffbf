""""What would take it up": for a unit assessed on its own figures, the smallest number of
cases more, of each count its rule set reads, that raises its computed level on the day
(the mirror of ``rules.pathdown``'s "what would bring it down"), found by assessing the
candidates with the rule engine itself: the same bands, raises and holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

import contract
from zones.i18n import fmt_int, t
from zones.levels import dayview
from zones.outlook import forecast
from zones.outlook.forecast import Frames
from zones.storage import store
from zones.workspace import Workspace

#: numbers of cases tried: every count up to 40, then about 10 % steps up to 10 million
CANDIDATES = np.unique(np.r_[np.arange(1, 41),
                             np.round(40 * 1.1 ** np.arange(1, 130))]).astype(float)
TOP = 4


def path_up(ws: Workspace, code: str, day, lang: str = "vi") -> list[str] | None:
    """Lines of the smallest rise of each count that raises ``code``'s computed level on
    ``day``; None when its level is not assessed on its own figures (a district summed
    from its communes: see its communes)."""
    units = dayview.units(ws)  # cached per data version (a click must stay cheap)
    if code not in units.index:
        return None
    stamp = pd.Timestamp(day)
    reg = dayview.ruleset_registry(ws)
    rs = reg.in_force(stamp.date())
    tier = rs.tiers.get(units.at[code, "level"])
    if tier is None or tier.figures != "own" or tier.levels_of:
        return None
    today = int(dayview.computed_levels(ws).row(stamp, [code])[0])
    if today <= 0:
        return []
    if today >= TOP:
        return [t("out.panel.top", lang=lang)]
    span = store.observation_range(ws.engine)
    start = max(stamp - pd.Timedelta(days=rs.history_days), pd.Timestamp(span[0]))
    counts = [m for m in forecast.used_metrics(rs) if contract.METRICS[m].kind == "count"]
    obs = store.current_observations(ws.engine, start.date(), stamp.date(), codes=[code],
                                     metrics=forecast.used_metrics(rs))
    grid = pd.date_range(start, stamp, freq="D")
    one = pd.DataFrame(units.loc[[code]].drop(columns="geometry", errors="ignore"))
    frames = Frames.build(one, pd.DataFrame({"code_a": [], "code_b": []}, dtype=str), obs,
                          grid, span[0])
    base = {m: frames.metrics.get(m, np.full((len(grid), 1), np.nan)) for m in
            forecast.used_metrics(rs)}
    names = dayview.level_names(reg, rs.id, lang)
    lines = []
    for m in counts:
        n = len(CANDIDATES)

        def arrays(chunk, m=m):
            out = {}
            for name, arr in base.items():
                block = np.repeat(arr, len(chunk), axis=1)
                if name == m:
                    block[-1] = np.nan_to_num(block[-1]) + CANDIDATES[chunk]
                out[name] = block
            return out

        levels = forecast.virtual_runs(frames, np.zeros(n, dtype=int), arrays,
                                        grid, rs, n)
        higher = np.flatnonzero(levels > today)
        if not len(higher):
            continue
        window = forecast.window_days(rs, m)
        cur = float(np.nansum(base[m][-window:, 0]))
        label = contract.METRICS[m].vi if lang == "vi" else contract.METRICS[m].en
        lines.append(t("out.panel.cases", lang=lang, n=fmt_int(CANDIDATES[higher[0]], lang),
                       label=label, cur=fmt_int(cur, lang), days=window,
                       level=names[int(levels[higher[0]])]))
    return lines or [t("out.panel.none", lang=lang)]
