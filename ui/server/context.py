"""Every request's log lines carry its id (``request=…``): ASGI middleware around the
whole app, so the routes, Streamlit's own handlers and what they call log with it."""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Receive, Scope, Send

from zones import api


class RequestContext:
    """ASGI middleware: a short random id in the log context of each HTTP request and
    websocket (never the client's address or cookies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with api.log_context(request=secrets.token_hex(4)):
            await self.app(scope, receive, send)
