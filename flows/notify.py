"""Flow "notify": documents, obligations and one e-mail per unit, then delivery."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from flows.naming import run_name
from giamsat.messaging.delivery import counts
from tasks.common import day_of, moment, step_runtime
from tasks.notify import notify_units
from tasks.outbox import deliver_with_retries, finish
from tasks.overview import publish_overview


@flow(name="notify", flow_run_name=run_name("notify"), log_prints=True)
def notify_flow(as_of: dt.date | None = None, config: str | None = None) -> Any:
    """Notify every unit of the plan, the schedule and the report deadline."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        summary = notify_units(rt, day)
        delivered = deliver_with_retries(rt, moment(as_of, 8))
        publish_overview(rt, day)
        if summary.waiting_for_signature:
            print(f"Chờ ký số và đăng ký {summary.waiting_for_signature} văn bản (giamsat doc list) "
                  "trước khi gửi.")
        outbox = counts(rt)  # read once: the result shows it, finish's health reuses it
        return finish(rt, {"queued": summary.messages_queued, "units": summary.units,
                           "waiting_for_signature": summary.waiting_for_signature,
                           "outbox": outbox, "all_delivered": delivered is not None}, counted=outbox)
