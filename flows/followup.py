"""Flow of the follow-up step: the daily recommendation sweep."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from tasks.common import day_of, step_runtime
from tasks.followup import sweep_recommendations
from tasks.overview import publish_overview


@flow(name="followup", flow_run_name=run_name("followup"))
def followup_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Sweep the recommendation register on ``as_of`` (today in Vietnam when omitted)."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        result = sweep_recommendations(rt, day)
        publish_overview(rt, day)
        return {"obligations_created": result.obligations_created, "marked_overdue": result.marked_overdue}
