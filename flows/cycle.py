"""The cycle overview: publishes which steps and communes are still pending."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.naming import run_name
from tasks.common import day_of, step_runtime
from tasks.overview import publish_overview


@flow(name="cycle-overview", flow_run_name=run_name("cycle"),
      description="Bảng tình hình chu kỳ giám sát (các bước, hạn, việc còn chờ).")
def cycle_overview(as_of: dt.date | None = None, config: str | None = None) -> list[dict[str, str]]:
    """Publish the ``cycle-status`` and ``report-status`` tables and the ``cycle-timeline``."""
    with step_runtime(config, as_of) as rt:
        return publish_overview(rt, day_of(as_of))
