"""Publishing the cycle's status to the Prefect UI as artifacts under stable keys.

Every step flow ends with ``publish_overview`` so the UI always shows, after any run, which steps
and which communes are still pending: ``cycle-status`` (table) and ``cycle-timeline`` (markdown),
dated, after every run; ``report-status`` (table, per commune) when it differs from what this
process last published there (a day of reminders changes no report: the latest version stays).
"""

from __future__ import annotations

import datetime as dt
import json

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.settings import get_current_settings

from giamsat.cycle.overview import by_urgency, cycle_status, timeline_markdown
from giamsat.cycle.reports import kept_report_status_rows
from giamsat.cycle.status import report_status_artifact
from giamsat.domain.formatting import short_date
from giamsat.domain.textsafety import markdown_row, markdown_text
from giamsat.issuance.service import signature_line
from giamsat.messaging.delivery import health, health_line
from giamsat.runtime import Runtime


@task(cache_policy=NO_CACHE)
def publish_overview(rt: Runtime, as_of: dt.date,
                     counted: dict[str, int] | None = None) -> list[dict[str, str]]:
    """Publish ``cycle-status``, ``report-status`` and ``cycle-timeline``; returns the step table.
    ``counted``: the outbox's ``counts(rt)`` when the flow has just read them (not read again)."""
    # once per publication: the steps and the table share it; the kept list itself (read only),
    # so a table unchanged since the last run is known by identity, not compared row by row
    units = kept_report_status_rows(rt, as_of)
    rows = cycle_status(rt, as_of, units)
    table = [r.as_row() for r in rows]
    signatures = signature_line(rt)  # once: the table's description and the timeline share it
    create_table_artifact(key="cycle-status",
                          table=[markdown_row(r.as_artifact_row()) for r in by_urgency(rows)],
                          description=f"Tình hình các bước đến ngày {short_date(as_of)}. "
                          + markdown_text(health_line(health(rt, counted=counted))) + " "
                          + markdown_text(signatures))
    publish_report_status_artifact(units, scope=f"{rt.db.engine.url!r}#{rt.cycle_id}", shared=True)
    create_markdown_artifact(key="cycle-timeline", markdown=timeline_markdown(rt, rows, as_of, signatures),
                             description="Tiến trình chu kỳ giám sát")
    return table


# (Prefect API, database and cycle) → the rows and the report-status table (as JSON) this process
# last published there
_PUBLISHED: dict[tuple[str, str], tuple[list[dict], str]] = {}


def publish_report_status_artifact(rows: list[dict], scope: str | None = None,
                                   shared: bool = False) -> object:
    """Publish the per-unit table as the Prefect artifact ``report-status`` (inside a flow run).

    With ``scope`` (the database and cycle), a table identical to the one this process last
    published for that scope on the same Prefect server is not published again (None returned);
    the same rows make the same table (``report_status_artifact`` reads nothing else), so it is
    not even made again (a country's 500 rows escaped a run for a day of reminders).
    ``shared``: ``rows`` is ``kept_report_status_rows``'s list (never changed), kept as it is, so
    the next run's same list is recognised by identity (a country's 10,600 rows neither copied
    nor compared).
    """
    where = (str(get_current_settings().api.url), scope or "")
    last = _PUBLISHED.get(where) if scope is not None else None
    if last is not None and (last[0] is rows or last[0] == rows):
        return None
    table, description = report_status_artifact(rows)
    seen = json.dumps([table, description], ensure_ascii=False, sort_keys=True)
    kept = (rows if shared else [dict(r) for r in rows], seen)  # else a copy: the caller's rows
    if last is not None and last[1] == seen:
        _PUBLISHED[where] = kept
        return None
    artifact = create_table_artifact(key="report-status", table=table, description=description)
    if scope is not None:
        _PUBLISHED[where] = kept
    return artifact
