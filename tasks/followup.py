"""Tasks of the follow-up step: the recommendation sweep."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.followup import service as followup
from giamsat.runtime import Runtime


@task(name="followup-sweep", cache_policy=NO_CACHE)
def sweep_recommendations(rt: Runtime, as_of: dt.date) -> followup.SweepResult:
    """Create missing reminder obligations and mark overdue recommendations (idempotent)."""
    return followup.followup_sweep(rt, as_of)
