"""Interoperability: tokens of other systems and the read-only HTTP API they call, the
DHIS2 export, and the database's migrations as a deploy step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from zones.api.action import action, known_unit, log
from zones.errors import ZonesError
from zones.i18n import t
from zones.interop import dhis2, http, tokens
from zones.interop.http import Answer
from zones.levels import dayview
from zones.people.access import Actor, Right
from zones.workspace import Workspace

__all__ = ["add_token", "api_answer", "check_dhis2_mapping_size",
           "dhis2_export", "list_tokens", "revoke_token"]



@action(Right.USERS, "token_add", unit=known_unit("unit"))
def add_token(ws: Workspace, actor: Actor, name: str, unit: str | None = None,
              lang: str = "vi") -> tuple[int, str]:
    """A token for another system ``name``, scoped to ``unit``'s subtree (None: every
    unit); its id and the token, shown once (only its hash is kept)."""
    clean = tokens.clean_name(name)
    if unit is not None and unit not in dayview.units(ws).index:
        raise ZonesError(t("tok.unknown_unit", lang, unit=unit))
    return tokens.add(ws.engine, clean, unit, actor)


@action(Right.USERS, "token_list")
def list_tokens(ws: Workspace, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """Every token (id, name, unit, status, who made and revoked it, when last used),
    never the token or its hash."""
    return tokens.listing(ws.engine)


@action(Right.USERS, "token_revoke")
def revoke_token(ws: Workspace, actor: Actor, token_id: int, lang: str = "vi") -> dict:
    """Revoke a token at once (every replica refuses it from its next request)."""
    return tokens.revoke(ws.engine, token_id, actor)


@action()
def api_answer(ws: Workspace, path: str, params: Mapping[str, str],
               authorization: str | None, lang: str = "vi") -> Answer:
    """The answer of the read-only API to ``GET /zones-api/v1/<path>``: authorised by a
    token (rate-limited, scoped to its subtree), refusals as JSON messages in ``lang``."""
    return http.answer(ws, path, params, authorization, ws.settings.api_rate_per_minute,
                       lang)


@action(Right.EXPORT, "dhis2_export", unit=known_unit("unit"))
def dhis2_export(ws: Workspace, actor: Actor, start: date, end: date, mapping: bytes,
                 mapping_name: str, unit: str | None = None,
                 lang: str = "vi") -> dhis2.Export:
    """Weekly figures and levels in force of the mapped units (inside ``unit``'s and the
    actor's subtree) as DHIS2 ``dataValueSets`` JSON, through a strictly checked mapping
    file (its warnings are messages, ``Msg``, for the caller to render)."""
    plan = dhis2.read_mapping(mapping, mapping_name, set(dayview.units(ws).index))
    done = dhis2.export(ws, plan, start, end, unit=unit, actor=actor)
    log.info("DHIS2 export: %d values, %d weeks", len(done.values), len(done.periods))
    return done


def check_dhis2_mapping_size(size: int, file_name: str, lang: str = "vi") -> None:
    """Refuse a mapping file too big to be one, before it is read."""
    dhis2.check_size(size, file_name)

