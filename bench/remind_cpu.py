"""The remind step's CPU inside a whole demo: ``giamsat demo`` run with each remind flow run timed.

``python bench/remind_cpu.py OUT.json --config PLAN demo --out DIR`` (the arguments after OUT.json
are the ``giamsat`` command's). Written to OUT.json, in CPU seconds summed over the remind runs:
the flow run's thread (``flow_thread``: its tasks and Prefect's work for them) and the whole
process meanwhile (``flow_process``: Prefect's threads too), and per task body (``open_runtime``,
``sweep``, ``digest``, ``deliver`` — the recording process only, not the file workers —
``overview``); ``runs`` and the process's CPU at exit (``self_total``). To compare two trees, run
each with its tree first on ``PYTHONPATH`` (``git archive`` of the old one), alternately.
"""

from __future__ import annotations

import contextlib
import functools
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

TASKS = {"open_runtime": ("tasks.common", "open_runtime"), "sweep": ("tasks.notify", "sweep_reminders"),
         "digest": ("tasks.notify", "office_digest"), "deliver": ("tasks.outbox", "deliver_outbox"),
         "overview": ("tasks.overview", "publish_overview")}


def _process_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _instrument(acc: dict[str, float]) -> None:
    """Each task body timed while a remind run is under way; the run timed around its Runtime."""
    import importlib

    import flows.remind as remind

    inside = [False]

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if not inside[0]:
                return fn(*args, **kwargs)
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                acc[name] = acc.get(name, 0.0) + time.thread_time() - start
        return run

    for name, (module, attr) in TASKS.items():
        task = getattr(importlib.import_module(module), attr)
        task.fn = timed(name, task.fn)
    step_runtime = remind.step_runtime

    @contextlib.contextmanager
    def remind_run(*args: Any, **kwargs: Any) -> Iterator[Any]:
        inside[0] = True
        thread, process = time.thread_time(), _process_cpu()
        try:
            with step_runtime(*args, **kwargs) as rt:
                yield rt
        finally:
            acc["flow_thread"] = acc.get("flow_thread", 0.0) + time.thread_time() - thread
            acc["flow_process"] = acc.get("flow_process", 0.0) + _process_cpu() - process
            acc["runs"] = acc.get("runs", 0) + 1
            inside[0] = False

    remind.step_runtime = remind_run  # the flow body looks it up by name at each run


def main(argv: list[str]) -> None:
    """Run ``giamsat`` with ``argv[1:]``; write the remind runs' CPU to ``argv[0]`` at exit."""
    acc: dict[str, float] = {}
    _instrument(acc)

    def write() -> None:
        acc["self_total"] = _process_cpu()
        with open(argv[0], "w", encoding="utf-8") as fh:
            json.dump({k: round(v, 2) for k, v in acc.items()}, fh)

    from giamsat.cli import main as giamsat

    sys.argv = ["giamsat", *argv[1:]]
    try:
        giamsat()
    finally:
        write()


if __name__ == "__main__":  # not when a spawned worker process imports the main module
    main(sys.argv[1:])
