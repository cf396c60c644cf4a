"""Flow run names that say the step and its day ("Nhắc hạn · 08/04/2024"), not "glossy-duck"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from giamsat.domain import clock
from giamsat.domain.formatting import short_date

RUN_TITLES = {
    "notify": "Thông báo kế hoạch", "collect": "Tiếp nhận báo cáo", "remind": "Nhắc hạn",
    "draw": "Chọn mẫu", "visits": "Giám sát trực tiếp", "followup": "Theo dõi kiến nghị",
    "provincial_visit": "Đoàn giám sát cấp trên", "adhoc_round": "Giám sát đột xuất",
    "final_report": "Báo cáo kết quả", "cycle": "Tình hình chu kỳ", "deliver": "Gửi thư",
}


def day_of(value: object) -> dt.date:
    """The run's ``as_of`` parameter as a date (a date, an ISO text, or today when absent)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return clock.today()


def run_name(step: str) -> Callable[[], str]:
    """A ``flow_run_name`` callable for ``step``, read from the run's parameters."""
    def name() -> str:
        from prefect.runtime import flow_run

        return f"{RUN_TITLES[step]} · {short_date(day_of(flow_run.parameters.get('as_of')))}"
    name.__name__ = f"run_name_{step}"
    return name
