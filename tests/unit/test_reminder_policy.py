"""The reminder policy on the real 2024 calendar: right working days, escalation, catch-up once."""

import datetime as dt

from giamsat.domain.reminders import Policy, reminder_on, slots

D = dt.date
POLICY = Policy(before_working_days=(3, 1), on_due_date=True, after_every_working_days=2,
                escalate_after_overdue=1, max_overdue_reminders=3)
REPORT_DUE = D(2024, 4, 6)  # a Saturday: "trước ngày 06/4/2024"


def _owed(cal, day, due=REPORT_DUE, **kw):
    r = reminder_on(POLICY, cal, due, day, **kw)
    return None if r is None else (r.slot.stage, r.slot.day, r.slot.escalated)


def test_a_saturday_deadline_is_reminded_on_the_working_days_around_it(cal):
    days = [(s.stage, s.day, s.escalated) for s in slots(POLICY, cal, REPORT_DUE)]
    assert days == [
        ("before", D(2024, 4, 2), False),   # 3 working days before Friday 05/4
        ("before", D(2024, 4, 4), False),
        ("due", D(2024, 4, 5), False),      # "on the day": the Friday before the Saturday deadline
        ("overdue", D(2024, 4, 8), False),  # the first working day after the deadline
        ("overdue", D(2024, 4, 10), True),  # escalated to the chairman
        ("overdue", D(2024, 4, 12), True),
    ]


def test_nothing_is_owed_on_a_weekend_or_a_holiday(cal):
    assert _owed(cal, D(2024, 4, 6)) is None
    assert _owed(cal, D(2024, 4, 7)) is None
    assert _owed(cal, D(2024, 4, 18), due=D(2024, 4, 19)) is None  # Hùng Kings' day


def test_each_working_day_owes_the_latest_slot_so_a_missed_day_is_caught_up_once(cal):
    assert _owed(cal, D(2024, 4, 1)) is None
    assert _owed(cal, D(2024, 4, 2)) == ("before", D(2024, 4, 2), False)
    assert _owed(cal, D(2024, 4, 3)) == ("before", D(2024, 4, 2), False)  # same slot: same key
    assert _owed(cal, D(2024, 4, 9)) == ("overdue", D(2024, 4, 8), False)
    assert _owed(cal, D(2024, 4, 11)) == ("overdue", D(2024, 4, 10), True)


def test_reminders_stop_after_the_configured_number_of_overdue_ones(cal):
    assert _owed(cal, D(2024, 5, 20)) == ("overdue", D(2024, 4, 12), True)


def test_slots_before_the_obligation_existed_are_not_sent(cal):
    assert _owed(cal, D(2024, 4, 3), not_before=D(2024, 4, 3)) is None
    assert _owed(cal, D(2024, 4, 4), not_before=D(2024, 4, 3)) == ("before", D(2024, 4, 4), False)


def test_the_working_days_left_and_late_count_only_working_days(cal):
    r = reminder_on(POLICY, cal, REPORT_DUE, D(2024, 4, 2))
    assert (r.working_days_left, r.working_days_late) == (3, 0)
    late = reminder_on(POLICY, cal, REPORT_DUE, D(2024, 4, 10))
    assert (late.working_days_left, late.working_days_late) == (0, 3)
