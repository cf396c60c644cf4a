"""Flow "remind": the daily reminder sweep, then delivery of the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from flows.naming import run_name
from giamsat.messaging.delivery import counts
from tasks.common import day_of, moment, step_runtime
from tasks.notify import office_digest, sweep_reminders
from tasks.outbox import deliver_with_retries, finish
from tasks.overview import publish_overview


@flow(name="remind", flow_run_name=run_name("remind"), log_prints=True)
def remind_flow(as_of: dt.date | None = None, config: str | None = None) -> Any:
    """Queue the reminders owed today and the office's digest (working days only); deliver."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        summary = sweep_reminders(rt, day)
        office_digest(rt, day)
        delivered = deliver_with_retries(rt, moment(as_of, 8))
        outbox = counts(rt)  # read once: the overview, the result and finish's health share it
        publish_overview(rt, day, outbox)
        return finish(rt, {"queued": summary.queued, "working_day": summary.working_day,
                           "outbox": outbox, "all_delivered": delivered is not None}, counted=outbox)
