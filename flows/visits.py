"""The visits step: schedule the approved sample, notify the communes, prepare the minutes."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.domain import clock
from tasks.common import moment, open_runtime
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview
from tasks.visits import schedule_and_notify, write_minutes


@flow(name="visits", flow_run_name=run_name("visits"))
def visits_flow(as_of: dt.date | None = None, config: str | None = None) -> list[dict]:
    """Xếp lịch giám sát, thông báo cho các xã được chọn và tạo biên bản giám sát."""
    planned = schedule_and_notify(config, as_of or clock.today())
    for visit in planned:
        if visit["status"] == "scheduled":
            visit["minutes"] = write_minutes(config, visit["id"])
    rt = open_runtime(config)
    try:
        deliver_with_retries(rt, moment(as_of, 10))
    finally:
        rt.db.dispose()
    publish_overview(config, as_of or clock.today())
    return planned
