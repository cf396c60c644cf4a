"""Tasks of the collect step: read the mailbox and sweep the inbox (I/O, retried), report status."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.collect.mail import fetch_mail
from giamsat.collect.service import sweep_inbox
from giamsat.cycle.status import report_status_rows
from giamsat.domain.errors import MailboxUnavailable
from giamsat.runtime import Runtime
from tasks.common import Unwalked, moment

SWEEP_HOUR = 17  # files dropped during the day are taken in at the end of office hours


@task(retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def sweep_inbox_task(rt: Runtime, as_of: dt.date | None) -> dict:
    """Take in every file waiting in the inbox; returns the sweep summary."""
    return sweep_inbox(rt, moment(as_of, SWEEP_HOUR)).as_dict()


@task(retries=2, retry_delay_seconds=[5, 30], cache_policy=NO_CACHE)
def fetch_mail_task(rt: Runtime, as_of: dt.date | None) -> dict:
    """Take in the reports mailed to the office; a mailbox that is down is reported, not fatal."""
    try:
        taken = fetch_mail(rt, moment(as_of, SWEEP_HOUR)).as_dict()
        return taken | {"details": Unwalked(taken["details"])}  # one per message: not walked
    except MailboxUnavailable as exc:  # nothing was lost: the next run continues
        return {"unavailable": str(exc), "messages": 0, "taken": 0, "needs_person": 0}


@task(cache_policy=NO_CACHE)
def report_status_task(rt: Runtime, as_of: dt.date) -> Unwalked[dict]:
    """The per-unit report status on ``as_of`` (a list Prefect does not walk)."""
    return Unwalked(report_status_rows(rt, as_of))
