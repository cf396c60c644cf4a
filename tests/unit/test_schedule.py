"""Milestones of the cycle derived from the plan."""

import datetime as dt

from giamsat.plan.milestones import STEP_KEYS, milestones


def test_milestones_follow_the_plan_in_order(plan, cal):
    ms = milestones(plan, cal)
    assert [m.key for m in ms] == list(STEP_KEYS)
    by_key = {m.key: m for m in ms}
    assert by_key["notify"].due_on == dt.date(2024, 4, 1)
    assert by_key["collect"].due_on == dt.date(2024, 4, 6)  # the plan's date, though a Saturday
    assert by_key["draw"].due_on == dt.date(2024, 4, 10)
    assert all(cal.is_working_day(m.starts_on) for m in ms)
    assert all(cal.is_working_day(m.due_on) for m in ms if m.key != "collect")
