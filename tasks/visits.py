"""Tasks of the visits step: schedule and notify, then write each visit's blank minutes."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.runtime import Runtime
from giamsat.visits import minutes
from giamsat.visits import service as visits
from tasks.common import day_of, moment

VISITS_HOUR = 9  # the coordinator schedules the visits and prepares the minutes in the morning


@task(cache_policy=NO_CACHE)
def schedule_and_notify(rt: Runtime, as_of: dt.date | None) -> list[dict]:
    """Schedule the approved sample's visits and queue the notices (idempotent)."""
    rows = visits.schedule_visits(rt, day_of(as_of), "prefect:visits", moment(as_of, VISITS_HOUR))
    return [{"id": v.id, "unit": v.unit_name, "on": v.scheduled_on.isoformat(), "status": v.status}
            for v in rows]


@task(cache_policy=NO_CACHE)
def write_minutes(rt: Runtime, visit_id: int, as_of: dt.date | None) -> str:
    """Write the blank minutes of one visit (kept once written)."""
    return str(minutes.write_minutes(rt, visit_id, moment(as_of, VISITS_HOUR)))
