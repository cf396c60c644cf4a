"""The collect step: read the office mailbox, sweep the inbox, then publish who is still pending."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from tasks.collect import fetch_mail_task, report_status_task, sweep_inbox_task
from tasks.common import day_of, moment, step_runtime
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="collect", flow_run_name=run_name("collect"), log_prints=True)
def collect_flow(as_of: dt.date | None = None, config: str | None = None) -> dict:
    """Thu nhận báo cáo trong hộp thư đến và công bố tình trạng báo cáo của các xã."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        mail = fetch_mail_task(rt, as_of)
        summary = sweep_inbox_task(rt, as_of)
        rows = report_status_task(rt, day)
        deliver_with_retries(rt, moment(as_of, 17))
        publish_overview(rt, day)
        print(f"Inbox: {summary['accepted']} accepted, {summary['rejected']} rejected, "
              f"{summary['duplicate']} duplicate, {len(summary['failed'])} failed")
        print(mail.get("unavailable") or f"Mailbox: {mail['messages']} new, {mail['taken']} taken, "
                                          f"{mail['needs_person']} kept for a person")
        return {"mail": mail, "sweep": summary, "status": rows}
