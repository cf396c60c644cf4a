"""Flow "remind": the daily reminder sweep, then delivery of the outbox."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.messaging.delivery import counts
from tasks.common import day_of, moment, step_runtime
from tasks.notify import sweep_reminders
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="remind", flow_run_name=run_name("remind"), log_prints=True)
def remind_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Queue the reminders owed today (working days only) and deliver the outbox."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        summary = sweep_reminders(rt, day)
        delivered = deliver_with_retries(rt, moment(as_of, 8))
        publish_overview(rt, day)
        return {"queued": summary.queued, "working_day": summary.working_day,
                "outbox": counts(rt), "all_delivered": delivered is not None}
