"""Flow "notify": documents, obligations and one e-mail per unit, then delivery."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.messaging.delivery import counts
from tasks.common import day_of, moment, step_runtime
from tasks.notify import notify_units
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="notify", flow_run_name=run_name("notify"), log_prints=True)
def notify_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Notify every unit of the plan, the schedule and the report deadline."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        summary = notify_units(rt, day)
        delivered = deliver_with_retries(rt, moment(as_of, 8))
        publish_overview(rt, day)
        if summary.waiting_for_signature:
            print(f"Chờ ký số và đăng ký {summary.waiting_for_signature} văn bản (giamsat doc list) "
                  "trước khi gửi.")
        return {"queued": summary.messages_queued, "units": summary.units,
                "waiting_for_signature": summary.waiting_for_signature,
                "outbox": counts(rt), "all_delivered": delivered is not None}
