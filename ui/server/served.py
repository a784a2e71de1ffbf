"""The route that serves the map's files (``zones.maps.served``) from any replica.

``GET /zones-map/<name>``: the file is rebuilt from the database the first time this
process is asked (so a replica that never drew the view still answers), then kept in
memory gzipped. A current name may be kept by the browser for a year (its name changes
with the data); a stale one gets what the view shows now and must not be kept. Someone
not signed in gets 403 unless the map is open to all; a name that means nothing (a day
outside the data too), 404 with one log line; a failure, 503 with the details in the
log (never a traceback to the browser).
"""

from __future__ import annotations

import logging
import os
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui.server.names import COOKIE, MAP_PREFIX
from zones import api

log = logging.getLogger(__name__)
MAX_AGE = 365 * 24 * 3600


@cache
def _workspace() -> api.Workspace:
    return api.open_workspace(settings=api.Settings.from_env(os.environ),
                              wait_for_levels=False)


def _plain(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


async def map_file(request: Request) -> Response:
    name = request.path_params["name"]
    try:
        served = await run_in_threadpool(api.served_file, _workspace(), name,
                                         request.cookies.get(COOKIE))
    except api.AccessError as err:
        return _plain(403, str(err))
    except Exception:
        log.exception("map file %s not served", name[:80])
        return _plain(503, "Tạm thời không tải được bản đồ; thử lại sau ít phút. / "
                           "The map could not be loaded just now; try again shortly.")
    if served is None:
        return _plain(404, "Không có tệp này. / No such file.")
    headers = {"Vary": "Accept-Encoding, Cookie",
               "Cache-Control": f"private, max-age={MAX_AGE}, immutable" if served.current
               else "no-store"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = served.gzipped
    else:
        body = served.plain()
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)


ROUTES = [Route("/{base:path}" + MAP_PREFIX + "/{name}", map_file, methods=["GET"])]
