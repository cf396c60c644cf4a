"""Reminder policy (pure, stdlib only): which reminder an open obligation is owed on a given day.

Slots are working days: ``before_working_days`` before the deadline, "on the day" (the last working
day on or before the deadline: a Saturday deadline is reminded on Friday), then the first working
day after the deadline and every ``after_every_working_days`` working days, escalated once
``escalate_after_overdue`` overdue reminders went unanswered, at most ``max_overdue_reminders``.
On a given day an obligation is owed the latest slot not after that day (so a sweep that missed a
day catches up once, never twice): the slot date goes into the message's idempotency key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

Date = dt.date
Stage = Literal["before", "due", "overdue"]


class Calendar(Protocol):
    """The working-day arithmetic the policy needs (``giamsat.domain.calendar.WorkingCalendar``)."""

    def is_working_day(self, day: Date) -> bool: ...
    def add_working_days(self, start: Date, n: int) -> Date: ...
    def previous_working_day(self, day: Date) -> Date: ...
    def working_days_between(self, start: Date, end: Date) -> int: ...


@dataclass(frozen=True)
class Policy:
    """The configured policy (``reminders:`` in the plan)."""

    before_working_days: tuple[int, ...] = (3, 1)
    on_due_date: bool = True
    after_every_working_days: int = 2
    escalate_after_overdue: int = 1
    max_overdue_reminders: int = 8


@dataclass(frozen=True)
class Slot:
    """One scheduled reminder: its stage, its working day, and whether it escalates."""

    stage: Stage
    day: Date
    overdue_index: int = 0
    escalated: bool = False


@dataclass(frozen=True)
class Reminder:
    """The reminder owed today: its slot, and how far today is from the deadline."""

    slot: Slot
    working_days_left: int   # working days from today to the last working day before the deadline
    working_days_late: int   # working days since the deadline (0 before it)


def due_day(cal: Calendar, due_on: Date) -> Date:
    """The "on the day" working day: the deadline itself, or the working day before it."""
    return cal.previous_working_day(due_on)


def slots(policy: Policy, cal: Calendar, due_on: Date) -> list[Slot]:
    """Every scheduled reminder of an obligation due on ``due_on``, in date order."""
    anchor = due_day(cal, due_on)
    out = [Slot("before", cal.add_working_days(anchor, -n))
           for n in sorted(set(policy.before_working_days), reverse=True) if n > 0]
    if policy.on_due_date:
        out.append(Slot("due", anchor))
    first_late = cal.add_working_days(due_on, 1)
    for i in range(1, policy.max_overdue_reminders + 1):
        day = cal.add_working_days(first_late, (i - 1) * policy.after_every_working_days) \
            if i > 1 else first_late
        out.append(Slot("overdue", day, i, i > policy.escalate_after_overdue))
    return out


def reminder_on(policy: Policy, cal: Calendar, due_on: Date, today: Date,
                not_before: Date | None = None) -> Reminder | None:
    """The reminder owed on ``today`` (None on non-working days, or when no slot has come).

    ``not_before`` (the day the obligation was created) drops slots that precede the obligation.
    """
    if not cal.is_working_day(today):
        return None
    passed = [s for s in slots(policy, cal, due_on)
              if s.day <= today and (not_before is None or s.day >= not_before)]
    if not passed:
        return None
    anchor = due_day(cal, due_on)
    return Reminder(passed[-1], max(cal.working_days_between(today, anchor), 0),
                    max(cal.working_days_between(due_on, today), 0))
