"""Deployment schedules derived from the plan: dates, timezone, working days only."""

import datetime as dt

from prefect.client.schemas.schedules import RRuleSchedule

from giamsat.plan.schedule import step_schedules

UTC = dt.UTC


def run_dates(spec, start=dt.datetime(2024, 1, 1, tzinfo=UTC), end=dt.datetime(2025, 1, 1, tzinfo=UTC)):
    rule = RRuleSchedule(rrule=spec.rrule, timezone=spec.timezone).to_rrule()
    return list(rule.between(start, end, inc=True))


def test_every_step_and_the_overview_have_a_schedule_in_vietnam_time(plan, cal):
    specs = step_schedules(plan, cal)
    assert set(specs) == {"notify", "collect", "remind", "draw", "visits", "followup",
                          "final_report", "cycle"}
    assert {s.timezone for s in specs.values()} == {"Asia/Ho_Chi_Minh"}


def test_notification_runs_once_on_the_first_day_of_the_period(plan, cal):
    dates = run_dates(step_schedules(plan, cal)["notify"])
    assert [d.isoformat() for d in dates] == ["2024-04-01T08:00:00+07:00"]


def test_the_draw_and_the_final_report_run_once_on_their_dates(plan, cal):
    specs = step_schedules(plan, cal)
    assert [d.date() for d in run_dates(specs["draw"])] == [dt.date(2024, 4, 10)]
    assert [d.date() for d in run_dates(specs["final_report"])] == [dt.date(2024, 11, 20)]


def test_daily_sweeps_run_on_working_days_only(plan, cal):
    dates = [d.date() for d in run_dates(step_schedules(plan, cal)["remind"])]
    assert dates[0] == dt.date(2024, 4, 1) and dates[-1] == dt.date(2024, 11, 29)
    assert all(cal.is_working_day(d) for d in dates)
    assert dates == cal.working_days(dt.date(2024, 4, 1), dt.date(2024, 11, 30))
    assert dt.date(2024, 5, 4) in dates  # make-up Saturday
    assert dt.date(2024, 4, 29) not in dates and dt.date(2024, 9, 2) not in dates


def test_the_visit_deployment_covers_the_draw_to_the_end_of_the_window(plan, cal):
    dates = [d.date() for d in run_dates(step_schedules(plan, cal)["visits"])]
    assert dates[0] == dt.date(2024, 4, 10) and dates[-1] == dt.date(2024, 5, 31)
