"""The collect step: sweep the inbox of commune reports, then publish who is still pending."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.domain import clock
from tasks.collect import report_status_task, sweep_inbox_task
from tasks.common import moment, open_runtime
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="collect", flow_run_name=run_name("collect"), log_prints=True)
def collect_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Thu nhận báo cáo trong hộp thư đến và công bố tình trạng báo cáo của các xã."""
    day = as_of or clock.today()
    rt = open_runtime(config)
    try:
        now = clock.now() if as_of is None else clock.at_office_hours(day, 17)
        summary = sweep_inbox_task(rt, now)
        rows = report_status_task(rt, day)
        deliver_with_retries(rt, moment(as_of, 17))
        publish_overview(config, day)
        print(f"Inbox: {summary['accepted']} accepted, {summary['rejected']} rejected, "
              f"{summary['duplicate']} duplicate, {len(summary['failed'])} failed")
        return {"sweep": summary, "status": rows}
    finally:
        rt.db.dispose()
