"""The front door of the core: one function per user action.

Pages and the CLI call only this package (``from zones import api``; ``api.NAME``). It
lists, area by area, everything they may call, including the types and values they need
(``Right``, ``Role``, ``Actor``, ``AccessError``…); nothing else of the core is reached
through it (tests/test_architecture.py checks that pages, ``ui`` and the CLI use exactly
these names).

Each action takes the ``Workspace`` it acts on (the database and its folders) and, where
it produces text, the language. One decorator (``zones.api.action``) applies what every
action shares: its language, the right it needs (refusals audited; an account disabled
since it signed in refused), and after a write the refresh step (``zones.levels.
refresh``: the levels recomputed, the snapshot, the data version), so every view after
it reads the new state.

Each area is loaded on first use (PEP 562 ``__getattr__``): a command that never draws
a map or a briefing never imports folium, matplotlib, reportlab or python-pptx, and
``python -m zones --help`` imports none of the areas (bench/bench_cli_start.py).
"""

from __future__ import annotations

import importlib
from typing import Any

#: the names of the door, by the module of ``zones/api/`` that holds them
AREAS: dict[str, tuple[str, ...]] = {
    # the workspace, failures in words, the embedded demo
    # the settings (read once by the CLI and the web server from the environment)
    # and the log's set-up (the same edges, once)
    "settings": ("Settings", "configure_logging", "log_context"),
    "admin": ("Workspace", "boundary_version", "data_version", "demo",
              "failure_message", "finish_owed_work", "has_units", "levels_owed",
              "open_workspace", "recompute_progress", "versions_pinned"),
    # the day view, assess, transitions, explanations, units and their search
    "reading": ("DayView", "STALE_DAYS", "TRANSITION_COLUMNS", "Table", "ancestors",
                "assess", "band_edges", "child_level", "computed_levels", "day_view",
                "declarations", "default_day", "entered_on", "explain", "find_units",
                "flows", "level_names", "levels_in_force", "moves", "notices", "rulesets",
                "safe_frame", "silent_units", "summary", "transitions", "unit_story",
                "units", "view_units"),
    # figures sent in, the data-entry template, the current values out
    "uploads": ("check_upload", "check_upload_size", "export_observations", "format_check",
                "format_result", "history_table", "observation_template", "sha256",
                "store_upload", "unit_history", "unit_index", "upload_area",
                "upload_error_report", "upload_preview"),
    # boundary files and sets
    "boundaries": ("ImportOptions", "activate_boundary_set", "already_imported",
                   "boundary_file_columns", "boundary_file_layers", "boundary_preview",
                   "boundary_report_lines", "boundary_sets", "discard_boundary_upload",
                   "download_boundaries", "export_units", "import_boundaries",
                   "plan_boundaries", "stage_boundary_upload", "unit_changes"),
    # declarations, weekly approvals, rule sets
    "decisions": ("add_ruleset", "approvable_units", "approve_week", "check_declaration",
                  "check_ruleset_size", "declare", "describe_ruleset", "list_rulesets",
                  "revoke", "ruleset_origin", "ruleset_text", "ruleset_versions",
                  "unapproved_units", "unlock_week", "week_approval"),
    # people: rights, sign-in, sessions, accounts, the audit trail
    "accounts": ("LOCAL_ADMIN", "ROLE_LEVELS", "AccessError", "Actor",
                 "Right", "Role", "actor_named", "add_user", "allow_export",
                 "audit_entries", "disable_user", "enable_user", "has_accounts",
                 "list_users", "open_session", "public_read", "recheck_actor", "require",
                 "reset_password", "session_actor", "session_started", "sign_in",
                 "sign_out", "sso_sign_in", "start_session"),
    # the standalone HTML map and the page map's files (folium)
    "maps": ("map_html", "served_file", "served_name"),
    # what-if side by side: two rule sets or two days, a draft rule set not stored
    "compare": ("COMPARE_COLUMNS", "Comparison", "Side", "compare_levels", "open_draft"),
    # the weekly briefing and the map picture (matplotlib, reportlab, python-pptx)
    "briefings": ("BRIEFING_FORMATS", "BRIEFING_MIME", "Briefing", "briefing",
                  "default_briefing_level", "default_briefing_unit", "map_png",
                  "prepare_briefing", "render_briefing"),
    # alerts: subscriptions, the run (outbox, SMTP), the feed "Thông báo", the outbox
    "alerts": ("alert_feed", "alert_kinds", "alert_outbox",
               "alert_subscriptions", "alert_unread", "mark_alert_read", "resend_alert",
               "run_alerts", "send_owed_alerts", "subscribe_alerts", "unsubscribe_alerts"),
    # other systems: API tokens and the read-only HTTP API, DHIS2, db upgrade
    "interop": ("add_token", "api_answer",
                "check_dhis2_mapping_size", "dhis2_export",
                "list_tokens", "revoke_token"),
    # operations: health, migrations as a deploy step, levels exported for GIS, the log
    "ops": ("export_levels", "health", "upgrade_database"),
    # plans with targets per unit, their progress, the emulation table (issue 22)
    "plans": ("EMULATION_COLUMNS", "PLAN_KINDS", "PROGRESS_COLUMNS",
              "add_plan", "check_plan", "emulation", "list_plans", "mark_measure_done",
              "plan_measures", "plan_progress", "protect_breaches", "revoke_plan",
              "streak_callouts", "unit_streaks"),
    # the safety map's sites: facilities, quarantine sites, lockdowns; scoring schemes
    "sites": ("SITE_KINDS", "add_site", "add_site_scheme",
              "check_site_scheme_size", "check_sites", "format_site_check", "site_bands",
              "site_lists", "site_scheme_text", "site_schemes", "site_template",
              "sites_list", "store_sites", "unit_sites"),
    # next week's outlook per unit and its backtest (issue 23)
    "outlooks": ("OUTLOOK_BIN_COLUMNS", "OUTLOOK_COLUMNS", "backtest_lines",
                "outlook", "outlook_backtest", "path_up"),
}

_AREA_OF = {name: area for area, names in AREAS.items() for name in names}

__all__ = sorted(_AREA_OF)


def __getattr__(name: str) -> Any:
    """A name of the door, its area imported the first time one of its names is asked
    for (then kept here, so later look-ups are plain attributes)."""
    area = _AREA_OF.get(name)
    if area is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{area}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
