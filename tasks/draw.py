"""Tasks of the draw step: load the runtime, propose a draw, record the coordinator's decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.domain import clock
from giamsat.draw import service as sample
from giamsat.runtime import Runtime


def runtime_for(config: str | None) -> Runtime:
    """The Runtime of a flow run (settings from the environment, plan from ``config``)."""
    return Runtime.load(Path(config) if config else None)


def summary(rt: Runtime, draw_id: int) -> dict:
    """A draw as plain data (id, status, seed, units with villages) for flow results and the form."""
    with rt.db.unit_of_work() as s:
        row = sample.find_draw(s, rt.cycle_id, draw_id)
        return {"id": row.id, "status": row.status, "seed": row.seed, "seed_source": row.seed_source,
                "draw_on": row.draw_on.isoformat(), "record_sha256": row.record_sha256,
                "algorithm": f"{row.algorithm} v{row.algorithm_version}", "frame_size": len(row.frame),
                "units": [{"key": u["key"], "name": u["name"], "villages": u["villages"]}
                          for u in row.result["units"]]}


@task(cache_policy=NO_CACHE)
def propose_draw(config: str | None, as_of: dt.date, seed: str | None) -> dict:
    """Propose a draw, or reuse the cycle's proposed/approved one."""
    rt = runtime_for(config)
    row = sample.draw(rt, as_of, seed, "prefect:draw", now=clock.now())
    return summary(rt, row.id)


@task(cache_policy=NO_CACHE)
def record_decision(config: str | None, draw_id: int, approve: bool, reason: str, actor: str) -> dict:
    """Write the coordinator's decision to our database (approve, or reject with the reason)."""
    rt = runtime_for(config)
    if summary(rt, draw_id)["status"] != "proposed":
        return summary(rt, draw_id)  # decided meanwhile (e.g. from the CLI): the database wins
    if approve:
        sample.approve(rt, draw_id, actor, clock.now())
    else:
        sample.reject(rt, draw_id, reason, actor, clock.now())
    return summary(rt, draw_id)
