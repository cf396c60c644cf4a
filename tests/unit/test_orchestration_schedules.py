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
                          "provincial_visit", "final_report", "cycle"}
    assert {s.timezone for s in specs.values()} == {"Asia/Ho_Chi_Minh"}


def test_the_upper_teams_visit_runs_from_its_report_day_to_the_visit_on_working_days(plan, cal):
    """Visit on Tue 18/6/2024, report 3 working days ahead: Thu 13/6 (no holiday in between)."""
    dates = [d.date() for d in run_dates(step_schedules(plan, cal)["provincial_visit"])]
    assert dates == [dt.date(2024, 6, 13), dt.date(2024, 6, 14), dt.date(2024, 6, 17), dt.date(2024, 6, 18)]


def test_a_plan_without_the_upper_teams_visit_has_no_such_step(plan, cal):
    from giamsat.plan.milestones import milestones

    visits = plan.visits.model_copy(update={"provincial_visit_on": None})
    bare = plan.model_copy(update={"visits": visits})
    assert "provincial_visit" not in step_schedules(bare, cal)
    assert "provincial_visit" not in [m.key for m in milestones(bare, cal)]
    assert [m for m in milestones(plan, cal) if m.key == "provincial_visit"][0].title.endswith(
        "Đoàn giám sát của Sở LĐTBXH: chuẩn bị, báo cáo, tiếp thu kết luận")


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
