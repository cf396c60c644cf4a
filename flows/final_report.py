"""Flow of the final-report step: write the report, record it and queue it to the recipients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from flows.naming import run_name
from giamsat.final_report.service import ReadOnce
from tasks.common import day_of, moment, step_runtime
from tasks.final_report import write_final_report, write_interim_report, write_office_report
from tasks.outbox import deliver_with_retries, finish
from tasks.overview import publish_overview


@flow(name="final-report", flow_run_name=run_name("final_report"))
def final_report_flow(as_of: dt.date | None = None, config: str | None = None,
                      interim: bool = False) -> Any:
    """The final report (or the interim one) as of ``as_of``; returns the document's path. Before the
    final report, the office writes its own report to the committee (the office_report document)."""
    day = day_of(as_of)
    with step_runtime(config, as_of) as rt:
        if interim:
            path = str(write_interim_report(rt, day))
        else:  # the two documents of one day read the same figures: read once
            once = ReadOnce(day)
            write_office_report(rt, day, once=once)
            path = str(write_final_report(rt, day, once=once))
        deliver_with_retries(rt, moment(as_of, 10))
        publish_overview(rt, day)
        return finish(rt, path)
