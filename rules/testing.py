"""Builders of tiny ``Inputs`` for tests and examples (no I/O, no randomness)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .inputs import Inputs


def unit_table(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Units from dicts with code, name, level, parent_code and optional populations."""
    frame = pd.DataFrame(list(rows))
    for col in ("population", "pop_18plus", "pop_50plus", "pop_65plus"):
        values = frame[col] if col in frame else pd.Series(np.nan, index=frame.index)
        frame[col] = pd.to_numeric(values, errors="coerce").astype(float)
    parents = frame["parent_code"] if "parent_code" in frame else pd.Series("", frame.index)
    frame["parent_code"] = parents.fillna("").astype(str)
    frame["name"] = frame.get("name", frame["code"])
    return frame.set_index("code")


def daily(code: str, start: str, end: str, **metrics: float) -> pd.DataFrame:
    """One row per day from ``start`` to ``end`` with the same metric values."""
    dates = pd.date_range(start, end, freq="D")
    return pd.DataFrame({"unit_code": code, "date": dates, **{
        k: np.full(len(dates), v, dtype=float) for k, v in metrics.items()}})


def observations(*parts: pd.DataFrame | Mapping) -> pd.DataFrame:
    """Concatenate frames from ``daily`` and single-row dicts; dates become datetime64."""
    frames = [p if isinstance(p, pd.DataFrame) else pd.DataFrame([p]) for p in parts]
    obs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"unit_code": [], "date": []})
    obs["date"] = pd.to_datetime(obs["date"]).astype("datetime64[ns]")
    obs["unit_code"] = obs["unit_code"].astype(str)
    return obs


def make_inputs(units: Iterable[Mapping], obs: pd.DataFrame | None = None,
                pairs: Iterable[tuple[str, str]] = (), flags: Iterable[Mapping] = ()) -> Inputs:
    """``Inputs`` from unit dicts, an observations frame, adjacency pairs and flag dicts."""
    adjacency = pd.DataFrame(list(pairs), columns=["code_a", "code_b"], dtype=str)
    flag_frame = pd.DataFrame(list(flags), columns=["unit_code", "date", "flag"])
    if len(flag_frame):
        flag_frame["date"] = pd.to_datetime(flag_frame["date"])
    return Inputs(unit_table(units), obs if obs is not None else observations(), adjacency,
                  flag_frame if len(flag_frame) else None)
