"""The read-only API for other systems: ``GET /zones-api/v1/<path>`` (``levels``,
``units``, ``transitions``; the answers are the core's, ``zones.interop.http``).

Authorised by ``Authorization: Bearer TOKEN`` (``python -m zones tokens add``), scoped to
the token's subtree and rate-limited per token in the database (so on every replica at
once). Refusals are JSON messages in the request's language (``lang=en``, else the
Accept-Language header, else Vietnamese); a failure is a 503 with the details in the
log, never a traceback.
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui.server.names import API_PREFIX
from ui.server.served import _workspace  # the server's one workspace (settings read there)
from zones import api

log = logging.getLogger(__name__)


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in ("vi", "en"):
        return asked
    accept = request.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "vi"


async def api_request(request: Request) -> Response:
    lang = _lang(request)
    try:
        done = await run_in_threadpool(
            api.api_answer, _workspace(), request.path_params["path"],
            dict(request.query_params), request.headers.get("authorization"), lang)
    except Exception:
        log.exception("API request %s not answered", request.url.path[:120])
        text = ("Tạm thời không trả lời được; thử lại sau ít phút." if lang == "vi" else
                "The request could not be answered just now; try again shortly.")
        return Response(json.dumps({"error": text}, ensure_ascii=False), status_code=503,
                         media_type="application/json", headers={"Cache-Control": "no-store"})
    return Response(done.body, status_code=done.status, media_type=done.media_type,
                    headers={"Cache-Control": "no-store", **done.headers})


ROUTES = [Route("/{base:path}" + API_PREFIX + "/{path:path}", api_request, methods=["GET"])]
