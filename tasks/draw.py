"""Tasks of the draw step: propose a draw, record the coordinator's decision."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.draw import service as sample
from giamsat.runtime import Runtime
from tasks.common import day_of, moment

DRAW_HOUR, DECISION_HOUR = 9, 10  # proposed in the morning, decided after


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
def propose_draw(rt: Runtime, as_of: dt.date | None, seed: str | None) -> dict:
    """Propose a draw, or reuse the cycle's proposed/approved one."""
    row = sample.draw(rt, day_of(as_of), seed, "prefect:draw", now=moment(as_of, DRAW_HOUR))
    return summary(rt, row.id)


@task(cache_policy=NO_CACHE)
def record_decision(rt: Runtime, draw_id: int, approve: bool, reason: str, actor: str,
                    as_of: dt.date | None) -> dict:
    """Write the coordinator's decision to our database (approve, or reject with the reason)."""
    now = moment(as_of, DECISION_HOUR)
    if summary(rt, draw_id)["status"] != "proposed":
        return summary(rt, draw_id)  # decided meanwhile (e.g. from the CLI): the database wins
    if approve:
        sample.approve(rt, draw_id, actor, now)
    else:
        sample.reject(rt, draw_id, reason, actor, now)
    return summary(rt, draw_id)
