"""The Starlette app: security headers, templates, the clock, and the routes of both audiences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from giamsat.domain import clock
from giamsat.links.key import web_key
from giamsat.plan.wording import plan_words
from giamsat.runtime import Runtime
from giamsat.web.accounts import Throttle
from giamsat.web.pages import templates
from giamsat.web.prefect_links import LinkCache

HERE = Path(__file__).parent
HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a commune's link must never leave in a Referer
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every response."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in HEADERS if h[0] not in names]
            await send(message)
        await self.app(scope, receive, send_with_headers)


def build_app(rt: Runtime, now: Callable[[], dt.datetime] = clock.now,
              wall: Callable[[], dt.datetime] = clock.now) -> Starlette:
    """The web app on ``rt``; ``now`` is the cycle's clock (a simulated one for the demo and tests).

    ``wall`` is the real clock sessions are timed by: an account made today can sign in to a
    page that shows the cycle as of an earlier day (``giamsat web --as-of``).
    """
    from giamsat.web import communes, coordinator, work

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "detail": getattr(exc, "detail", "")},
            status_code=status)

    app = Starlette(routes=coordinator.routes() + work.routes() + communes.routes() + [
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")],
        exception_handlers={HTTPException: not_found})
    app.state.rt, app.state.now, app.state.wall, app.state.key = rt, now, wall, web_key(rt)
    app.state.templates, app.state.throttle = templates(), Throttle()
    app.state.prefect_links = LinkCache()
    app.state.templates.env.globals.update(plan_words(rt.plan))  # "các xã, phường" from the plan
    app.add_middleware(SecurityHeaders)
    return app


__all__ = ["Route", "build_app"]
