"""Rendering a page: the templates (with a dd/mm/yyyy filter), today by the app's clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from giamsat.domain import clock
from giamsat.domain.formatting import short_date

HERE = Path(__file__).parent


def _date(value: dt.date | None) -> str:
    return "" if value is None else short_date(value)


def templates() -> Jinja2Templates:
    """The page templates (autoescaped), with a ``d`` filter for dd/mm/yyyy dates."""
    t = Jinja2Templates(directory=str(HERE / "templates"))
    t.env.filters["d"] = _date
    return t


def today(request: Request) -> dt.date:
    """Today in Vietnam by the app's clock."""
    return request.app.state.now().astimezone(clock.TZ).date()


def render(request: Request, name: str, context: dict, status: int = 200) -> Response:
    """A page from its template."""
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
