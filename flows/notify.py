"""Flow "notify": documents, obligations and one e-mail per unit, then delivery."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.domain import clock
from giamsat.messaging.delivery import counts
from tasks.common import moment, open_runtime
from tasks.notify import notify_units
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="notify", flow_run_name=run_name("notify"), log_prints=True)
def notify_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Notify every unit of the plan, the schedule and the report deadline."""
    rt = open_runtime(config)
    try:
        day = as_of or clock.today()
        summary = notify_units(rt, day)
        delivered = deliver_with_retries(rt, moment(as_of, 8))
        publish_overview(config, day)
        return {"queued": summary.messages_queued, "units": summary.units,
                "outbox": counts(rt), "all_delivered": delivered is not None}
    finally:
        rt.db.dispose()
