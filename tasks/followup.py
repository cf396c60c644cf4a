"""Tasks of the follow-up step: the recommendation sweep."""

from __future__ import annotations

import datetime as dt

from prefect import task

from giamsat.runtime import Runtime
from giamsat.services import followup


@task(name="followup-sweep")
def sweep_recommendations(rt: Runtime, as_of: dt.date) -> followup.SweepResult:
    """Create missing reminder obligations and mark overdue recommendations (idempotent)."""
    return followup.followup_sweep(rt, as_of)
