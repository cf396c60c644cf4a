"""Publishing the cycle's status to the Prefect UI as artifacts under stable keys."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from giamsat.formatting import short_date
from giamsat.runtime import Runtime
from giamsat.services.overview import cycle_status, timeline_markdown


@task(cache_policy=NO_CACHE)
def publish_cycle_status(rt: Runtime, as_of: dt.date) -> list[dict[str, str]]:
    """Compute the step table, publish it as ``cycle-status`` and the ``cycle-timeline`` markdown."""
    rows = cycle_status(rt, as_of)
    table = [r.as_row() for r in rows]
    create_table_artifact(key="cycle-status", table=table,
                          description=f"Tình hình các bước đến ngày {short_date(as_of)}")
    create_markdown_artifact(key="cycle-timeline", markdown=timeline_markdown(rt, rows, as_of),
                             description="Tiến trình chu kỳ giám sát")
    return table
