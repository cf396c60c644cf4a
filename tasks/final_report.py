"""Tasks of the final-report step: write, record and queue the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.final_report import service as report
from giamsat.runtime import Runtime


@task(name="write-final-report", cache_policy=NO_CACHE)
def write_final_report(rt: Runtime, as_of: dt.date, out: Path | None = None,
                       once: report.ReadOnce | None = None) -> Path:
    """The final report: written, recorded in the Document table, queued once to the recipients."""
    return report.final_report(rt, as_of, out, once)


@task(name="write-interim-report", cache_policy=NO_CACHE)
def write_interim_report(rt: Runtime, as_of: dt.date, out: Path | None = None,
                         send: bool = False) -> Path:
    """The interim report for the provincial team's visit."""
    return report.interim_report(rt, as_of, out, send=send)


@task(name="write-office-report", cache_policy=NO_CACHE)
def write_office_report(rt: Runtime, as_of: dt.date, out: Path | None = None,
                        once: report.ReadOnce | None = None) -> Path:
    """The office's own report to the committee, written and recorded before the committee's."""
    from giamsat.final_report.office_report import office_report

    return office_report(rt, as_of, out, once)
