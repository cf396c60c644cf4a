"""What every flow needs first: the Runtime and the day it acts on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from giamsat import clock
from giamsat.runtime import Runtime


def load_runtime(config: str | None) -> Runtime:
    """Settings, plan and migrated database for this run (``config`` overrides GIAMSAT_CONFIG)."""
    return Runtime.load(Path(config) if config else None)


def day_of(as_of: dt.date | None) -> dt.date:
    """The simulated day when given, else today in Vietnam (scheduled runs)."""
    return as_of or clock.today()


def moment(as_of: dt.date | None, hour: int) -> dt.datetime:
    """Now for a scheduled run; ``hour`` o'clock of the simulated day otherwise (demo, replays)."""
    return clock.now() if as_of is None else clock.at_office_hours(as_of, hour)
