"""Milestones of the cycle derived from the plan."""

import datetime as dt

from giamsat.plan.milestones import STEP_KEYS, milestones


def test_milestones_come_in_the_order_they_fall_due(plan, cal):
    ms = milestones(plan, cal)
    assert sorted(m.key for m in ms) == sorted(STEP_KEYS)
    assert [m.due_on for m in ms] == sorted(m.due_on for m in ms)
    keys = [m.key for m in ms]  # the upper team comes in June, follow-up runs to November
    assert keys.index("provincial_visit") < keys.index("followup") < keys.index("final_report")
    by_key = {m.key: m for m in ms}
    assert by_key["notify"].due_on == dt.date(2024, 4, 1)
    assert by_key["collect"].due_on == dt.date(2024, 4, 6)  # the plan's date, though a Saturday
    assert by_key["draw"].due_on == dt.date(2024, 4, 10)
    assert all(cal.is_working_day(m.starts_on) for m in ms)
    assert all(cal.is_working_day(m.due_on) for m in ms if m.key != "collect")
