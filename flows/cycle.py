"""The cycle overview: publishes which steps and communes are still pending."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from tasks.common import day_of, load_runtime
from tasks.overview import publish_cycle_status


@flow(name="cycle-overview", description="Bảng tình hình chu kỳ giám sát (các bước, hạn, việc còn chờ).")
def cycle_overview(as_of: dt.date | None = None, config: str | None = None) -> list[dict[str, str]]:
    """Publish the ``cycle-status`` table and the ``cycle-timeline`` markdown."""
    rt = load_runtime(config)
    try:
        return publish_cycle_status(rt, day_of(as_of))
    finally:
        rt.db.dispose()
