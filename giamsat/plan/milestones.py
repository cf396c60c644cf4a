"""The milestones of a cycle and their due dates, derived from the plan and the working calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from giamsat.domain.calendar import WorkingCalendar
from giamsat.domain.vocabulary import STEP_KEYS, STEPS
from giamsat.plan.places import kinds_phrase, step_title
from giamsat.plan.schema import Plan


@dataclass(frozen=True)
class Milestone:
    """A step of the cycle, when it starts and when it is due."""

    key: str
    title: str
    starts_on: dt.date
    due_on: dt.date


def calendar_for(plan: Plan) -> WorkingCalendar:
    """The working calendar configured by the plan."""
    return WorkingCalendar(plan.calendar.extra_days_off, plan.calendar.makeup_working_days)


def milestones(plan: Plan, cal: WorkingCalendar) -> list[Milestone]:
    """The cycle's steps in the order they fall due (the cycle's order among equal dates); start and
    due dates fall on working days."""
    nxt, prev = cal.next_working_day, cal.previous_working_day
    spans = {
        "notify": (plan.period.start, plan.period.start),
        "collect": (plan.period.start, plan.report.deadline),
        "draw": (plan.sample.draw_on, plan.sample.draw_on),
        "visits": (plan.visits.window_start, plan.visits.window_end),
        "followup": (plan.visits.window_start, plan.final_report.due),
        "final_report": (plan.final_report.due, plan.final_report.due),
    }
    visit = plan.visits.provincial_visit_on
    if visit is not None:  # the upper body's team: its report goes N working days ahead
        spans["provincial_visit"] = (provincial_report_day(plan, cal), visit)
    sampled = plan.sample.unit_noun or kinds_phrase(plan.unit_kinds())  # "xã" (the seed) / "xã, phường"
    out = []
    for key in STEP_KEYS:
        if key not in spans:  # a step the plan does not have (no provincial team's visit)
            continue
        start, due = spans[key]
        # A deadline on a non-working day stays as written ("trước ngày 06/4" is a date the plan
        # fixed); when a step itself must run, it runs on a working day.
        due_on = due if key == "collect" else prev(due)
        title = step_title(STEPS[key], plan.issuer.level, plan.unit_kinds(), sampled).replace(
            "Đoàn giám sát cấp trên", f"Đoàn giám sát của {plan.bodies.upper_body.short}")
        out.append(Milestone(key, title, nxt(start), due_on))
    return sorted(out, key=lambda m: m.due_on)  # stable: the upper team's June visit before follow-up


def provincial_report_day(plan: Plan, cal: WorkingCalendar) -> dt.date:
    """The working day the issuer's report goes to the upper body's team, before its visit."""
    visit = plan.visits.provincial_visit_on
    if visit is None:
        raise ValueError("the plan has no provincial team's visit")
    return cal.add_working_days(cal.next_working_day(visit), -plan.visits.provincial_report_working_days)
