"""Smoke test: every deployment definition loads, with the plan's schedule and concurrency 1."""

import datetime as dt

from prefect.client.schemas.schedules import RRuleSchedule

from flows.deployments import STEP_FLOWS, build_deployments, load_flow
from giamsat.orchestration import step_schedules
from tests.conftest import CONFIG


def test_every_step_has_a_flow_and_a_deployment(plan):
    assert set(STEP_FLOWS) == set(step_schedules(plan, _cal(plan)))
    deployments = build_deployments(plan, CONFIG)
    assert sorted(d.name for d in deployments) == sorted(f"vu-ban-2024-{s}" for s in STEP_FLOWS)
    for dep in deployments:
        assert dep.concurrency_limit == 1
        assert dep.parameters == {"config": str(CONFIG)}
        (sched,) = dep.schedules
        assert sched.schedule.timezone == "Asia/Ho_Chi_Minh"


def test_every_flow_takes_the_simulated_day_and_the_plan(plan):
    for step in STEP_FLOWS:
        params = load_flow(step).parameters.properties
        assert {"as_of", "config"} <= set(params), step


def test_the_deployed_reminder_schedule_skips_holidays(plan):
    (remind,) = [d for d in build_deployments(plan, CONFIG) if d.name.endswith("-remind")]
    rule = RRuleSchedule(rrule=remind.schedules[0].schedule.rrule,
                         timezone="Asia/Ho_Chi_Minh").to_rrule()
    days = {d.date() for d in rule.between(dt.datetime(2024, 4, 26, tzinfo=dt.UTC),
                                           dt.datetime(2024, 5, 7, tzinfo=dt.UTC))}
    assert days == {dt.date(2024, 4, 26), dt.date(2024, 5, 2), dt.date(2024, 5, 3),
                    dt.date(2024, 5, 4), dt.date(2024, 5, 6)}


def _cal(plan):
    from giamsat.schedule import calendar_for

    return calendar_for(plan)
