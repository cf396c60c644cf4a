"""Tasks of the provincial_visit step: the report to the upper team and the preparation checklist."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.provincial import service as provincial
from giamsat.runtime import Runtime


@task(name="prepare-upper-team-visit", cache_policy=NO_CACHE)
def prepare_visit(rt: Runtime, as_of: dt.date) -> dict:
    """From the report's day: write and queue the report to the upper body once; the checklist."""
    return provincial.prepare(rt, as_of)


@task(name="upper-team-checklist", cache_policy=NO_CACHE)
def visit_checklist(rt: Runtime) -> list[dict]:
    """The checklist as it stands (after the outbox was drained)."""
    return provincial.checklist_rows(rt)
