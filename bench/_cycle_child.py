"""Child of ``bench.cycle``: ``giamsat demo`` on one plan, timing each flow run and the work inside.

``python -m bench._cycle_child PLAN OUT RESULT.json``. Wraps (in this process only) the demo
runner's ``flow`` call, ``Runtime.load``, the service functions the tasks call, and what the
runner does between flows; only the outermost wrapped call is counted, so nothing twice.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

TASK_MODULES = ("collect", "draw", "final_report", "followup", "notify", "outbox", "overview", "visits")
RUNNER_WORK = {"giamsat.demo.communes": ("drop_report", "record_visit", "answer_recommendations"),
               "giamsat.draw.service": ("draw", "approve"),
               "giamsat.cycle.sync": ("sync_plan",)}  # open_cycle: Runtime.load no longer syncs

_step: list[str] = []          # the flow running now (the demo runs one at a time)
_depth = [0]
_first: dict[str, object] = {}  # the first flow run: it also starts Prefect's temporary server
_run: dict[str, object] = {}    # where the timings go and when the demo started
work: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
flows: dict[str, dict[str, float]] = defaultdict(lambda: {"runs": 0, "wall_s": 0.0})


def _timed(label: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _depth[0] += 1
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
            if _depth[0] == 0:
                work[_step[-1] if _step else "runner"][label] += time.perf_counter() - start
    return wrapper


STEP_PACKAGES = ("notify", "collect", "remind", "draw", "visits", "followup", "final_report", "cycle",
                 "archive", "messaging")


def _is_service(module_name: str) -> bool:
    """A module of a step package (where the product's work is done), or the delivery adapter."""
    parts = module_name.split(".")
    return len(parts) > 2 and parts[0] == "giamsat" and parts[1] in STEP_PACKAGES


def _wrap_services(module: ModuleType) -> None:
    """Time the service functions a tasks module calls (imported names and service modules)."""
    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and _is_service(value.__module__):
            setattr(module, name, _timed(f"{value.__module__.rsplit('.', 1)[-1]}.{name}", value))
        elif isinstance(value, ModuleType) and _is_service(value.__name__):
            for fname, fn in list(vars(value).items()):
                if inspect.isfunction(fn) and fn.__module__ == value.__name__ and not fname.startswith("_"):
                    setattr(value, fname, _timed(f"{value.__name__.rsplit('.', 1)[-1]}.{fname}", fn))


def _instrument() -> None:
    from giamsat.demo.runner import DemoRunner
    from giamsat.runtime import Runtime

    for name in TASK_MODULES:
        _wrap_services(importlib.import_module(f"tasks.{name}"))
    for module_name, names in RUNNER_WORK.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, _timed(f"{module_name.rsplit('.', 1)[-1]}.{name}", getattr(module, name)))
    load = Runtime.load.__func__
    Runtime.load = classmethod(_timed("runtime.load", load))
    flow = DemoRunner.flow

    def timed_flow(self, step: str, day, **params):
        _step.append(step)
        _run["day"] = day
        before = sum(work[step].values())
        start = time.perf_counter()
        try:
            return flow(self, step, day, **params)
        finally:
            _step.pop()
            seconds = time.perf_counter() - start
            if not _first:
                _first.update(step=step, wall_s=round(seconds, 2),
                              work_s=round(sum(work[step].values()) - before, 2))
            flows[step]["runs"] += 1
            flows[step]["wall_s"] += seconds
            _write(partial=True)  # a run stopped early (time limit) still says where time went
    DemoRunner.flow = timed_flow


def _summary(total: float) -> dict:
    steps = {}
    for step, f in flows.items():
        inside = sum(work[step].values())
        steps[step] = {"runs": int(f["runs"]), "wall_s": round(f["wall_s"], 2), "work_s": round(inside, 2),
                       "orchestration_s": round(f["wall_s"] - inside, 2),
                       "work": {k: round(v, 2) for k, v in sorted(work[step].items(), key=lambda kv: -kv[1])}}
    flow_wall = sum(f["wall_s"] for f in flows.values())
    flow_work = sum(s["work_s"] for s in steps.values())
    runs = sum(int(f["runs"]) for f in flows.values())
    return {"demo_s": round(total, 2), "flow_runs": runs, "flows_wall_s": round(flow_wall, 2),
            "flows_work_s": round(flow_work, 2), "orchestration_s": round(flow_wall - flow_work, 2),
            "orchestration_share": round((flow_wall - flow_work) / total, 3) if total else None,
            "first_flow": _first,
            "runner_s": {k: round(v, 2) for k, v in sorted(work["runner"].items(), key=lambda kv: -kv[1])},
            "steps": dict(sorted(steps.items(), key=lambda kv: -kv[1]["wall_s"]))}


def _write(partial: bool) -> None:
    summary = _summary(time.perf_counter() - _run["start"])
    summary |= {"partial": partial, "last_day": _run.get("day")}
    Path(_run["result"]).write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")


def main(plan: str, out: str, result: str) -> None:
    """Run ``giamsat --config PLAN demo --out OUT`` instrumented; write the timings to RESULT."""
    out_dir = Path(out).resolve()
    prefect_home = out_dir.with_name(out_dir.name + "-prefect")  # demo clears OUT: keep Prefect apart
    shutil.rmtree(prefect_home, ignore_errors=True)
    os.environ["PREFECT_HOME"] = str(prefect_home)
    from giamsat import prefect_env

    prefect_env.configure()
    prefect_env.prepare_database()  # as ``make install`` does: not part of a demo run
    _instrument()
    from giamsat.cli import app

    _run.update(start=time.perf_counter(), result=result)
    app(["--config", plan, "demo", "--out", str(out_dir)], prog_name="giamsat", standalone_mode=False)
    _write(partial=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
