"""What every flow needs first: the Runtime (opened once, retried while the database is unreachable)
and the moment of its simulated or real day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.domain.errors import DatabaseUnavailable
from giamsat.runtime import Runtime

# seconds: a database restarting or failing over is back within minutes
DB_RETRY_DELAYS: list[float] = [10, 30, 90]
OPEN_HOUR = 7  # a plan change a run picks up is stamped before the day's work (notices go at 8)


def load_runtime(config: str | None, as_of: dt.date | None) -> Runtime:
    """Settings, plan, migrated database and synced cycle (``config`` overrides GIAMSAT_CONFIG)."""
    return open_cycle(Path(config) if config else None, moment(as_of, OPEN_HOUR))


def database_unreachable(task: Task, task_run: TaskRun, state: State) -> bool:
    """Retry only when the database could not be reached; a bad plan, settings or schema is final."""
    try:
        state.result()
    except DatabaseUnavailable:
        return True
    except Exception:  # anything else would fail the same way again
        return False
    return False


@task(name="open-runtime", retries=len(DB_RETRY_DELAYS), retry_delay_seconds=DB_RETRY_DELAYS,
      retry_condition_fn=database_unreachable, cache_policy=NO_CACHE)
def open_runtime(config: str | None, as_of: dt.date | None = None) -> Runtime:
    """The step's Runtime; nothing is written before the database answered, so a retry is clean."""
    return load_runtime(config, as_of)


@contextmanager
def step_runtime(config: str | None, as_of: dt.date | None) -> Iterator[Runtime]:
    """The flow's one Runtime (the ``open-runtime`` task), its database released when the flow ends."""
    rt = open_runtime(config, as_of)
    try:
        yield rt
    finally:
        rt.db.dispose()


def day_of(as_of: dt.date | None) -> dt.date:
    """The simulated day when given, else today in Vietnam (scheduled runs)."""
    return as_of or clock.today()


def moment(as_of: dt.date | None, hour: int) -> dt.datetime:
    """Now for a scheduled run; ``hour`` o'clock of the simulated day otherwise (demo, replays)."""
    return clock.now() if as_of is None else clock.at_office_hours(as_of, hour)
