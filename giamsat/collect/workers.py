"""Forms read and checked on worker processes, so a large intake uses every core.

Checking a form (unzip, container and XML checks, tables, validation) is a pure function of its
bytes, its day and the plan (``intake.check_with``): the workers compute it and nothing else.
Digests, the kept originals and every database write stay in the recording process, in the order
they always had, so the exactly-once and crash guarantees do not depend on the workers.

The pool is started once per process and plan (spawned, never forked: the process runs Prefect's
threads) and kept for the next intake; a chunk too small to pay for the round trips is checked in
the process. A worker that dies (out of memory on a hostile file, killed) loses nothing: the
chunk's forms are checked again in the process, and the next intake starts a new pool.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from giamsat.collect.intake import CheckBase, Incoming, check_base, check_with
from giamsat.collect.records import local_day
from giamsat.domain.validation import Validation
from giamsat.runtime import Runtime

MIN_FORMS = 16  # fewer forms than this are checked in the process: the round trips would cost more

_base: CheckBase | None = None  # a worker's plan, set once when it starts
_pool: tuple[str, int, ProcessPoolExecutor] | None = None  # (plan digest, workers, pool) of this process


def workers_for(setting: int | None) -> int:
    """How many worker processes: the setting, else one per core when there are two or more."""
    if setting is not None:
        return max(setting, 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores >= 2 else 0


Job = tuple[Path | bytes, dt.date, str | None, str | None]  # content, day, claimed unit, sender's unit


class Checks:
    """The checks of one chunk, under way on the workers (``result`` waits for one)."""

    def __init__(self, futures: dict[int, Future[Validation]]) -> None:
        self._futures = futures

    def result(self, index: int) -> Validation | None:
        """The validation of item ``index``; None when it was not sent or its worker died."""
        future = self._futures.get(index)
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool:
            _forget_pool()
            return None


def start_checks(rt: Runtime, items: list[Incoming]) -> Checks:
    """Send the items' checks (by index) to the workers; none when the chunk is small."""
    jobs = {i: (it.content, local_day(rt, it.received_at), it.unit_code, it.sender_unit_code)
            for i, it in enumerate(items)}
    return start(check_base(rt), jobs, rt.settings.intake_workers)


def start(base: CheckBase, jobs: dict[int, Job], setting: int | None) -> Checks:
    """Send ``jobs`` (by item index) to the workers; an empty ``Checks`` when too few or no pool."""
    workers = workers_for(setting)
    if workers == 0 or len(jobs) < MIN_FORMS:
        return Checks({})
    pool = _pool_for(base, workers)
    try:
        return Checks({i: pool.submit(_check, *job) for i, job in jobs.items()})
    except (BrokenProcessPool, RuntimeError):  # a dead pool, or one shut down at exit
        _forget_pool()
        return Checks({})


def _pool_for(base: CheckBase, workers: int) -> ProcessPoolExecutor:
    global _pool
    blob = pickle.dumps(base, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(blob).hexdigest()
    if _pool is not None and _pool[:2] == (digest, workers):
        return _pool[2]
    _forget_pool()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(blob,))
    _pool = (digest, workers, pool)
    return pool


def _forget_pool() -> None:
    global _pool
    if _pool is not None:
        _pool[2].shutdown(wait=False, cancel_futures=True)
        _pool = None


atexit.register(_forget_pool)


def _start_worker(blob: bytes) -> None:
    global _base
    _base = pickle.loads(blob)  # our own bytes, from the process that started this worker


def _check(content: Path | bytes, received_on: dt.date, unit_code: str | None,
           sender_unit_code: str | None) -> Validation:
    assert _base is not None, "the worker was started without its plan"
    return check_with(_base, content, received_on, unit_code, sender_unit_code)
