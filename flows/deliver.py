"""Flow "deliver": send what waits in the outbox; any number of runs may drain it at once."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.naming import run_name
from giamsat.domain import clock
from giamsat.messaging.delivery import counts
from giamsat.runtime import Runtime
from tasks.outbox import deliver_with_retries


@flow(name="deliver", flow_run_name=run_name("deliver"), log_prints=True)
def deliver_flow(config: str | None = None, batch_size: int = 200) -> dict:
    """Deliver the pending messages of the cycle (after an outage of the mail server, say)."""
    rt = Runtime.load(Path(config) if config else None)
    try:
        result = deliver_with_retries(rt, clock.now(), batch_size=batch_size)
        return {"sent": result.sent if result else None, "outbox": counts(rt),
                "all_delivered": result is not None}
    finally:
        rt.db.dispose()
