"""What every flow needs first: the Runtime (opened once, retried while the database is unreachable)
and the moment of its simulated or real day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, overload

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.domain.errors import DatabaseUnavailable
from giamsat.runtime import Runtime

T = TypeVar("T")


class Unwalked(Sequence[T]):
    """A long list a flow or task returns, read like a list (iteration, ``len``, indexing, ``==``).

    Prefect walks every list, dict and dataclass of a flow's return value looking for futures
    (seconds a run for a country's 10,600 status rows and the day's 2,000 mail details); a plain
    sequence it leaves as it is."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items = list(items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Unwalked):
            return self._items == other._items
        return self._items == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable contents, like a list

    def __repr__(self) -> str:
        return f"Unwalked({self._items!r})"


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
