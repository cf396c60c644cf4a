"""Flow of the final-report step: write the report, record it and queue it to the recipients."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from giamsat.domain import clock
from tasks.common import moment, open_runtime
from tasks.final_report import write_final_report, write_interim_report
from tasks.outbox import deliver_with_retries
from tasks.overview import publish_overview


@flow(name="final-report", flow_run_name=run_name("final_report"))
def final_report_flow(as_of: dt.date | None = None, config: str | None = None,
                      interim: bool = False) -> str:
    """The final report (or the interim one) as of ``as_of``; returns the document's path."""
    rt = open_runtime(config)
    try:
        day = as_of or clock.today()
        task = write_interim_report if interim else write_final_report
        path = str(task(rt, day))
        deliver_with_retries(rt, moment(as_of, 10))
        publish_overview(config, day)
        return path
    finally:
        rt.db.dispose()
