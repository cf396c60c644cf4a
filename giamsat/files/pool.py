"""The process's one pool of worker processes, shared by the work handed off the recording process:
collect's form checks (``collect.workers``) and the file channel's .eml writes
(``messaging.filebatch``).

The pool is spawned, never forked (the process runs Prefect's threads), started on first use and
kept for the next step. A worker may hold a *context*, pickled once and loaded when it starts
(collect's plan); work that needs none (writing messages) takes the pool as it is, whatever its
context, so a cycle run in one process starts the pool again only when the plan changes. A worker
that dies breaks the pool: its callers redo the lost work in the process (``outcome`` gives None)
and the next use starts a new pool.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import pickle
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

# (context digest or None, workers, pool) of this process
_pool: tuple[str | None, int, ProcessPoolExecutor] | None = None
_context: Any = None  # a worker's context, set once when it starts
_lock = threading.RLock()


def workers_for(setting: int | None) -> int:
    """How many worker processes: the setting, else one per core when there are two or more."""
    if setting is not None:
        return max(setting, 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores >= 2 else 0


def pool_for(workers: int, context: tuple[str, bytes] | None = None) -> ProcessPoolExecutor | None:
    """This process's pool of ``workers`` (None when none are asked for). ``context`` (digest,
    pickle): the workers must hold it — the pool is restarted for another one; None: any pool."""
    global _pool
    if workers <= 0:
        return None
    with _lock:  # two drains (threads) of one process must not start two pools
        if _pool is not None and _pool[1] == workers and (context is None or _pool[0] == context[0]) \
                and not getattr(_pool[2], "_broken", False):
            return _pool[2]
        forget_pool()
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker,
                                   initargs=(context[1] if context else None, os.getpid()))
        _pool = (context[0] if context else None, workers, pool)
        return pool


def forget_pool() -> None:
    """Stop this process's pool (dead, replaced, or the process exiting); work under way is dropped."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool[2].shutdown(wait=False, cancel_futures=True)
            _pool = None


atexit.register(forget_pool)


def outcome(found: Any) -> Any:
    """A future's result (anything else as it is); None when its worker died or its pool stopped."""
    if not isinstance(found, Future):
        return found
    try:
        return found.result()
    except BrokenProcessPool:
        # The future may come from a pool already replaced: only a broken pool is forgotten
        # (``_broken`` is set before its futures fail), never the new one started since.
        if _pool is not None and getattr(_pool[2], "_broken", True):
            forget_pool()
        return None
    except CancelledError:  # its pool was shut down (the process exiting, another plan)
        return None


def context() -> Any:
    """In a worker: the context its pool was started with (None when it was started without)."""
    return _context


def _start_worker(blob: bytes | None, parent: int) -> None:
    global _context
    _context = pickle.loads(blob) if blob is not None else None  # our own bytes, from our parent
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """Exit once the process that started this worker is gone: killed, it could not stop its pool,
    and a worker would otherwise wait for work forever (what it was writing is written again,
    in place, by the next delivery)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
