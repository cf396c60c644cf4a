"""Today's date as a collaborator: the real clock in Asia/Ho_Chi_Minh, or a fixed one for the demo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    """The current time, timezone-aware, in Vietnam."""
    return dt.datetime.now(TZ)


def today() -> dt.date:
    """Today's date in Vietnam (used only at the boundary: CLI defaults and scheduled runs)."""
    return now().date()


def at_office_hours(day: dt.date, hour: int = 8) -> dt.datetime:
    """A timezone-aware moment on ``day`` (the simulated clock stamps records with it)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)
