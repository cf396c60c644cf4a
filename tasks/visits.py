"""Tasks of the visits step: schedule and notify, then write each visit's blank minutes."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.domain import clock
from giamsat.visits import minutes
from giamsat.visits import service as visits
from tasks.draw import runtime_for


@task(cache_policy=NO_CACHE)
def schedule_and_notify(config: str | None, as_of: dt.date) -> list[dict]:
    """Schedule the approved sample's visits and queue the notices (idempotent)."""
    rt = runtime_for(config)
    rows = visits.schedule_visits(rt, as_of, "prefect:visits", clock.now())
    return [{"id": v.id, "unit": v.unit_name, "on": v.scheduled_on.isoformat(), "status": v.status}
            for v in rows]


@task(cache_policy=NO_CACHE)
def write_minutes(config: str | None, visit_id: int) -> str:
    """Write the blank minutes of one visit (kept once written)."""
    return str(minutes.write_minutes(runtime_for(config), visit_id, clock.now()))
