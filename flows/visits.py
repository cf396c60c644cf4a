"""The visits step: schedule the approved sample, notify the communes, prepare the minutes."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from tasks.common import day_of, moment, step_runtime
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview
from tasks.visits import schedule_and_notify, write_minutes


@flow(name="visits", flow_run_name=run_name("visits"))
def visits_flow(as_of: dt.date | None = None, config: str | None = None) -> list[dict]:
    """Xếp lịch giám sát, thông báo cho các xã được chọn và tạo biên bản giám sát."""
    with step_runtime(config, as_of) as rt:
        planned = schedule_and_notify(rt, as_of)
        for visit in planned:
            if visit["status"] == "scheduled":
                visit["minutes"] = write_minutes(rt, visit["id"], as_of)
        deliver_with_retries(rt, moment(as_of, 10))
        publish_overview(rt, day_of(as_of))
        return planned
