"""Flow "deliver": send what waits in the outbox; any number of runs may drain it at once."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.naming import run_name
from giamsat.messaging.delivery import counts
from tasks.common import moment, step_runtime
from tasks.outbox import deliver_with_retries, finish


@flow(name="deliver", flow_run_name=run_name("deliver"), log_prints=True)
def deliver_flow(config: str | None = None, batch_size: int = 200) -> Any:
    """Deliver the pending messages of the cycle (after an outage of the mail server, say)."""
    with step_runtime(config, None) as rt:
        result = deliver_with_retries(rt, moment(None, 0), batch_size=batch_size)
        outbox = counts(rt)  # read once: the result shows it, finish's health reuses it
        return finish(rt, {"sent": result.sent if result else None, "outbox": outbox,
                           "all_delivered": result is not None}, counted=outbox)
