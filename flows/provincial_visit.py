"""Flow of the provincial_visit step: the upper team's visit prepared, its report sent ahead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from flows.naming import run_name
from tasks.common import day_of, moment, step_runtime
from tasks.outbox import deliver_with_retries, finish
from tasks.overview import publish_overview
from tasks.provincial_visit import prepare_visit, visit_checklist


@flow(name="provincial-visit", flow_run_name=run_name("provincial_visit"))
def provincial_visit_flow(as_of: dt.date | None = None, config: str | None = None) -> Any:
    """Prepare the upper body's team visit on ``as_of``: the report goes the configured number of
    working days ahead (once), the checklist says what is still to do."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        result = prepare_visit(rt, day)
        deliver_with_retries(rt, moment(as_of, 8))
        result["checklist"] = visit_checklist(rt)
        publish_overview(rt, day)
        return finish(rt, result)
