"""``GET /zones-health``: the deployment's health as JSON (what ``python -m zones check``
prints), for a load balancer or a monitor.

200 when healthy or degraded (the app still answers; ``status`` says which), 503 when
down. Cheap under load: one check at a time per process, its answer kept for a second
and shared by every request meanwhile; the mail server is dialled at most every 30 s
(``zones.ops.health.SMTP_EVERY_S``). The answer names no server, path
or password (a check's details go to the log and to ``check`` at the terminal), so it is
served without signing in. ``?lang=en`` for English messages (default: ``ZONES_LANG``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui.server.names import HEALTH_PATH, LANGS
from zones import api

log = logging.getLogger(__name__)
#: seconds an answer is reused (a state changed is seen within this)
TTL_S = 1.0

_lock = threading.Lock()
_last: dict[str, tuple[float, object]] = {}


@cache
def _workspace() -> api.Workspace:
    """The workspace of the settings, not opened: a check never migrates or creates."""
    settings = api.Settings.from_env(os.environ)
    return api.Workspace.at(None, settings)


def current(lang: str) -> object:
    """The health, at most ``TTL_S`` old (one check at a time)."""
    with _lock:
        at, result = _last.get("health", (0.0, None))
        if result is None or time.monotonic() - at > TTL_S:
            result = api.health(_workspace(), lang)
            for check in result.checks:
                if check.detail:
                    log.warning("health %s %s: %s", check.name, check.status, check.detail)
            _last["health"] = (time.monotonic(), result)
        return result


async def health(request: Request) -> Response:
    try:
        lang = request.query_params.get("lang") or _workspace().settings.lang
        lang = lang if lang in LANGS else "vi"
        result = await run_in_threadpool(current, lang)
        body, status = result.as_json(lang), 503 if result.status == "down" else 200
    except Exception:  # e.g. settings not allowed: down, the details in the log
        log.exception("health check failed")
        body, status = {"status": "down", "checks": []}, 503
    return Response(json.dumps(body, ensure_ascii=False), status_code=status,
                    media_type="application/json; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


ROUTES = [Route("/{base:path}" + HEALTH_PATH, health, methods=["GET"])]
