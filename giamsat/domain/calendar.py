"""Vietnamese working days: weekends, public holidays, and the decreed swaps kept as configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache

import holidays as _holidays

Date = dt.date


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[Date]:
    return frozenset(_holidays.country_holidays("VN", years=year).keys())


class WorkingCalendar:
    """Answers "is this a working day" and does working-day arithmetic; every deadline uses it."""

    def __init__(self, extra_days_off: Iterable[Date] = (), makeup_working_days: Iterable[Date] = (),
                 public_holidays: bool = True) -> None:
        self._off = frozenset(extra_days_off)
        self._makeup = frozenset(makeup_working_days)
        self._public = public_holidays

    def holiday_name(self, day: Date) -> str | None:
        """The public holiday's name on ``day`` (Vietnamese), or None."""
        if not self._public:
            return None
        names = _holidays.country_holidays("VN", years=day.year, language="vi")
        return names.get(day)

    def is_working_day(self, day: Date) -> bool:
        """Mon–Fri that is no holiday nor configured day off, or a configured make-up day."""
        if day in self._makeup:
            return True
        if day.weekday() >= 5 or day in self._off:
            return False
        return not (self._public and day in _public_holidays(day.year))

    def add_working_days(self, start: Date, n: int) -> Date:
        """The working day ``n`` working days after (n > 0) or before (n < 0) ``start``.

        ``n == 0`` gives ``start`` itself if it is a working day, else the next working day.
        """
        if n == 0:
            return self.next_working_day(start)
        step = 1 if n > 0 else -1
        day, left = start, abs(n)
        while left:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def next_working_day(self, day: Date) -> Date:
        """``day`` if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: Date) -> Date:
        """``day`` if it is a working day, otherwise the last working day before it."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def working_days_between(self, start: Date, end: Date) -> int:
        """Working days in the half-open range (start, end]; negative when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for d in _days(start + dt.timedelta(days=1), end) if self.is_working_day(d))

    def working_days(self, start: Date, end: Date) -> list[Date]:
        """Every working day in the closed range [start, end]."""
        return [d for d in _days(start, end) if self.is_working_day(d)]


def _days(start: Date, end: Date) -> Iterator[Date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)
