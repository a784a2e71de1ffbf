"""The routes of this browser's cookies (see ``ui.server.web``): a one-time ticket from the
sign-in form is traded for the HttpOnly session cookie, and that cookie is cleared after
a sign-out (both answer only with a redirect to a page of this site); the language the
user chose is kept in a cookie too (asked by the page in the background: no reload), so
a reload or a new tab starts in it.
"""

from __future__ import annotations

import logging
import os
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ui.server.names import AUTH_PREFIX, COOKIE, LANG_COOKIE, LANGS, XSRF_COOKIE
from zones import api

log = logging.getLogger(__name__)


@cache
def _workspace() -> api.Workspace:
    return api.open_workspace(settings=api.Settings.from_env(os.environ),
                              wait_for_levels=False)


def back_to(value: str | None) -> str:
    """A page of this site to return to: a path starting with one '/', else '/'
    (no open redirect to another site)."""
    if (not value or not value.startswith("/") or value.startswith("//")
            or "\\" in value or any(ord(c) < 32 for c in value)):
        return "/"
    return value


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip() == "https"


async def open_session(request: Request) -> RedirectResponse:
    """Trade a one-time ticket for the HttpOnly session cookie; back to the page."""
    response = RedirectResponse(back_to(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the ticket stays here
    try:
        token = await run_in_threadpool(
            api.open_session, _workspace(), request.query_params.get("t", ""),
            request.cookies.get(XSRF_COOKIE))
    except Exception:  # the page says "not signed in"; the details go to the log
        log.exception("session cookie not set")
        token = None
    if token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax",
                            secure=_secure(request), path="/")
    return response


async def close_session(request: Request) -> RedirectResponse:
    """Clear the session cookie (the page has already ended the session)."""
    response = RedirectResponse(back_to(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


async def keep_lang(request: Request) -> Response:
    """Keep the language chosen on the page (``?v=vi|en``) in this browser's cookie."""
    value = request.query_params.get("v")
    response = Response(status_code=204 if value in LANGS else 400,
                        headers={"Cache-Control": "no-store"})
    if value in LANGS:
        response.set_cookie(LANG_COOKIE, value, max_age=365 * 24 * 3600, httponly=True,
                            samesite="lax", secure=_secure(request), path="/")
    return response


ROUTES = [
    Route("/{base:path}" + AUTH_PREFIX + "/session", open_session, methods=["GET"]),
    Route("/{base:path}" + AUTH_PREFIX + "/signout", close_session, methods=["GET"]),
    Route("/{base:path}" + AUTH_PREFIX + "/lang", keep_lang, methods=["GET"]),
]
