"""Run the web app with uvicorn (no access log: a commune's link carries its token in the path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from giamsat.runtime import Runtime


def serve(rt: Runtime, host: str, port: int, now: Callable[[], dt.datetime]) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    from giamsat.web.app import build_app

    uvicorn.run(build_app(rt, now), host=host, port=port, access_log=False, log_level="warning",
                server_header=False)
