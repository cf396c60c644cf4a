"""When each step runs: schedules derived from the plan, as iCalendar rules in Asia/Ho_Chi_Minh.

Daily sweeps list working days only: weekdays, minus public holidays and configured days off
(EXDATE), plus make-up working Saturdays (RDATE). The flows also check the calendar themselves, so
a run that lands on a non-working day (a manual trigger, a late run) does no harm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from giamsat.domain.calendar import WorkingCalendar
from giamsat.domain.formatting import short_date
from giamsat.plan.milestones import provincial_report_day
from giamsat.plan.schema import Plan

TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class StepSchedule:
    """One deployment's schedule: an RRULE set, its timezone, and a Vietnamese description."""

    step: str
    rrule: str
    description: str
    timezone: str = TIMEZONE


def _stamp(day: dt.date, at: dt.time) -> str:
    return dt.datetime.combine(day, at).strftime("%Y%m%dT%H%M%S")


def once(step: str, day: dt.date, at: dt.time, description: str) -> StepSchedule:
    """A single run on ``day`` at ``at`` (local time)."""
    words = f"một lần, lúc {at:%H:%M} ngày {short_date(day)}"
    rule = f"DTSTART:{_stamp(day, at)}\nRRULE:FREQ=DAILY;COUNT=1"
    return StepSchedule(step, rule, f"{description} ({words}).")


def working_days(step: str, start: dt.date, end: dt.date, at: dt.time, cal: WorkingCalendar,
                 description: str) -> StepSchedule:
    """Every working day in [start, end] at ``at`` (local time)."""
    weekdays_off = [d for d in _days(start, end) if d.weekday() < 5 and not cal.is_working_day(d)]
    makeup = [d for d in _days(start, end) if d.weekday() >= 5 and cal.is_working_day(d)]
    lines = [f"DTSTART:{_stamp(start, at)}",
             f"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL={_stamp(end, at)}"]
    if weekdays_off:
        lines.append("EXDATE:" + ",".join(_stamp(d, at) for d in weekdays_off))
    if makeup:
        lines.append("RDATE:" + ",".join(_stamp(d, at) for d in makeup))
    words = (f"mỗi ngày làm việc lúc {at:%H:%M}, từ {short_date(start)} "
             f"đến {short_date(end)}, trừ ngày nghỉ lễ")
    return StepSchedule(step, "\n".join(lines), f"{description} ({words}).")


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def step_schedules(plan: Plan, cal: WorkingCalendar) -> dict[str, StepSchedule]:
    """The schedule of every step's deployment, from the plan's dates."""
    p, t = plan.period, dt.time
    notify_day = cal.next_working_day(p.start)
    draw_day = cal.next_working_day(plan.sample.draw_on)
    report_day = cal.previous_working_day(plan.final_report.due)
    out = {
        "notify": once("notify", notify_day, t(8, 0),
                       "Gửi thông báo kế hoạch vào ngày đầu kỳ"),
        "collect": working_days("collect", p.start, p.end, t(16, 30), cal,
                                "Quét hộp thư báo cáo mỗi ngày làm việc"),
        "remind": working_days("remind", p.start, p.end, t(7, 30), cal,
                               "Nhắc hạn, đôn đốc mỗi ngày làm việc"),
        "draw": once("draw", draw_day, t(9, 0), "Chọn mẫu sau hạn nộp báo cáo"),
        "visits": working_days("visits", draw_day, plan.visits.window_end, t(9, 30), cal,
                               "Lập lịch, thông báo và theo dõi các cuộc giám sát"),
        "followup": working_days("followup", plan.visits.window_start, p.end, t(7, 0), cal,
                                 "Theo dõi kiến nghị mỗi ngày làm việc"),
        "final_report": once("final_report", report_day, t(9, 0),
                             "Lập và gửi báo cáo kết quả giám sát"),
        "cycle": working_days("cycle", p.start, p.end, t(17, 30), cal,
                              "Cập nhật bảng tình hình chu kỳ"),
    }
    visit = plan.visits.provincial_visit_on
    if visit is not None:  # from the report's day to the visit: prepare, send, then the findings
        out["provincial_visit"] = working_days(
            "provincial_visit", provincial_report_day(plan, cal), cal.next_working_day(visit), t(8, 0), cal,
            "Chuẩn bị tài liệu, gửi báo cáo tới Đoàn giám sát cấp trên và theo dõi kết luận")
    return out
