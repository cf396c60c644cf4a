"""Working-day calendar: weekends, Vietnamese holidays, decreed swaps from the plan."""

import datetime as dt

from giamsat.domain.calendar import WorkingCalendar

D = dt.date


def test_reunification_and_swapped_days_of_2024_are_off(cal):
    assert not cal.is_working_day(D(2024, 4, 29))
    assert not cal.is_working_day(D(2024, 4, 30))
    assert not cal.is_working_day(D(2024, 5, 1))
    assert not cal.is_working_day(D(2024, 4, 18))  # Hùng Kings


def test_the_report_deadline_of_06_april_2024_is_a_saturday(cal):
    assert D(2024, 4, 6).weekday() == 5
    assert not cal.is_working_day(D(2024, 4, 6))


def test_make_up_saturday_from_the_plan_is_a_working_day(cal):
    assert cal.is_working_day(D(2024, 5, 4))
    assert not WorkingCalendar().is_working_day(D(2024, 5, 4))


def test_national_day_and_tet_are_off(cal):
    assert not cal.is_working_day(D(2024, 9, 2))
    assert not cal.is_working_day(D(2024, 9, 3))
    assert not cal.is_working_day(D(2024, 2, 12))


def test_adding_working_days_skips_weekends_and_holidays(cal):
    assert cal.add_working_days(D(2024, 4, 26), 1) == D(2024, 5, 2)
    assert cal.add_working_days(D(2024, 5, 2), -1) == D(2024, 4, 26)
    assert cal.add_working_days(D(2024, 4, 5), 1) == D(2024, 4, 8)


def test_zero_working_days_lands_on_the_next_working_day(cal):
    assert cal.add_working_days(D(2024, 4, 6), 0) == D(2024, 4, 8)
    assert cal.add_working_days(D(2024, 4, 8), 0) == D(2024, 4, 8)


def test_counting_working_days_between_two_dates(cal):
    assert cal.working_days_between(D(2024, 4, 1), D(2024, 4, 8)) == 5
    assert cal.working_days_between(D(2024, 4, 8), D(2024, 4, 1)) == -5
    assert cal.working_days_between(D(2024, 4, 26), D(2024, 5, 6)) == 4  # 2, 3, 4 (make-up), 6


def test_extra_days_off_from_configuration_are_respected():
    cal = WorkingCalendar(extra_days_off=[D(2024, 4, 8)])
    assert not cal.is_working_day(D(2024, 4, 8))
    assert cal.add_working_days(D(2024, 4, 5), 1) == D(2024, 4, 9)


def test_holiday_names_are_in_vietnamese(cal):
    assert cal.holiday_name(D(2024, 9, 2)) == "Quốc khánh"
    assert cal.holiday_name(D(2024, 9, 4)) is None
