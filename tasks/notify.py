"""Prefect tasks of the notify and remind steps (pure DB and file work: no retries)."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE

from giamsat.notify.service import NotifySummary, notify
from giamsat.remind.digest import Digest, queue_digest
from giamsat.remind.service import RemindSummary, sweep
from giamsat.runtime import Runtime


@task(name="notify-units", cache_policy=NO_CACHE)
def notify_units(rt: Runtime, as_of: dt.date) -> NotifySummary:
    """Render the documents and queue one notification per unit."""
    return notify(rt, as_of)


@task(name="sweep-reminders", cache_policy=NO_CACHE)
def sweep_reminders(rt: Runtime, as_of: dt.date) -> RemindSummary:
    """Queue the reminders owed on ``as_of``."""
    return sweep(rt, as_of)


@task(name="office-digest", cache_policy=NO_CACHE)
def office_digest(rt: Runtime, as_of: dt.date) -> Digest:
    """Queue the coordinator's digest of what waits for the office on ``as_of``."""
    return queue_digest(rt, as_of)
